"""The engine's decisions: decide what a command means, and fold events into a matter.

Owns decide → event → fold: guards (each citing its article), conditions, effects,
clocks (deadlines armed from ``rules``), timer plans, registration and repeats. Pure
over its inputs (the matter, the command, the time passed in): it reads and writes
nothing. May import ``workflow.statechart``, ``workflow.domain`` and ``rules``.
"""
