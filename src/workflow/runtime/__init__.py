"""The composition root: settings, schema and the wiring of one running engine.

Owns the settings (``config``), the schema migration on start (``migrate``), building
the container of database, clock, calendar, rule book, units and engine
(``bootstrap``), and minting tokens from the settings (``tokens``). The only place
that chooses implementations; it may import ``workflow.commands`` and everything
below it, and the processes and read models above it (timers, audit, oversight,
feed) may take a ``Container`` from it.
"""
