"""The engine. docs/architecture.md maps it; from the bottom up:

- ``domain``: the case aggregate, events, actions, actors, the clock; framework-free.
- ``statechart``: the lifecycle loaded from ``statecharts/*.yaml``, one shared machine
  per chart version.
- ``services``: decide → event → fold, guards, clocks and timer planning.
- ``adapters``: the event store and projections on SQLite or PostgreSQL.
- ``commands``: the write path (load, decide, save in one transaction).
- ``runtime``: settings, migration and the wiring (the composition root).
- ``audit``, ``oversight``, ``feed``: read models for auditors, supervisors and other
  systems.
- ``timers``: the sweep and the scheduler process.
"""
