"""Storage: the hash-chained event store and its projections on SQLite or PostgreSQL.

Owns the tables (``tables``), the database and its transactions (``database``), reading
matters and saving a decided change (``repository``) with its projection rows
(``rows``) and write statements (``writes``), the timer table (``timer_store``), units
and the scheduler's ticker. May import ``workflow.services`` (timer plans, personal
records), ``workflow.domain`` and ``rules``; nothing above.
"""
