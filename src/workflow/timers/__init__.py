"""Timers: the deadlines enforced over time.

Owns the sweep that fires due timers (``sweep``), the worker processes that decide a
storm's batches on SQLite (``workers``), the scheduler process that runs the sweep and
the daily anchors (``process``), and the recomputation of deadlines when a year's
holiday calendar is loaded (``calendar_import``). Timers are *planned* by the engine
(``workflow.services.timers``) and stored by ``workflow.adapters.timer_store``; this
package only fires and recomputes them, through ``workflow.commands``. The top of the
engine: it may import everything in ``workflow`` (it starts the anchors), nothing in
``workflow`` imports it.
"""
