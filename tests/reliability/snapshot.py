"""A database snapshot for "nothing was written": every table's row count and content hash."""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, table, text

from workflow.adapters.database import Database


def database_snapshot(db: Database) -> dict[str, tuple[int, str]]:
    """Every table the database holds (not only the ones this code knows of)."""
    found: dict[str, tuple[int, str]] = {}
    with db.read() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            quoted = conn.dialect.identifier_preparer.format_table(table(name))
            rows = sorted(repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {quoted}")))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            found[name] = (len(rows), digest)
    return found
