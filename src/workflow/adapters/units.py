"""The unit tree in the database, with a small in-process cache.

Units change rarely and every decision looks several of them up, so they are cached;
a miss falls through to the database so a unit created by another process is found.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, Table, func, insert, literal, select, update

from rules import UnitKind
from workflow.adapters.database import Database
from workflow.adapters.repository import (
    CASES,
    DEADLINE_VERSIONS,
    DEADLINES,
    SUPERVISION_ITEMS,
    UNITS,
)
from workflow.domain.errors import InvalidCommand, NotFound
from workflow.domain.units import Unit, UnitLevel

# Every stored copy of a unit path (denormalised for subtree range queries).
PATH_COLUMNS: tuple[tuple[Table, str], ...] = (
    (UNITS, "path"),
    (CASES, "holder_path"),
    (CASES, "intake_path"),
    (CASES, "replied_path"),
    (DEADLINES, "responsible_path"),
    (DEADLINE_VERSIONS, "responsible_path"),
    (SUPERVISION_ITEMS, "responsible_path"),
)


def _unit(row: Any) -> Unit:
    return Unit(
        code=row["code"],
        name=row["name"],
        level=UnitLevel(row["level"]),
        kind=UnitKind(row["kind"]),
        parent=row["parent"],
        path=row["path"],
    )


class SqlUnitDirectory:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[str, Unit] = {}
        self._lock = threading.Lock()

    def get(self, code: str) -> Unit | None:
        with self._lock:
            found = self._cache.get(code)
        if found is not None:
            return found
        with self._db.read() as conn:
            row = conn.execute(select(UNITS).where(UNITS.c.code == code)).first()
        if row is None:
            return None
        unit = _unit(row._mapping)
        with self._lock:
            self._cache[code] = unit
        return unit

    def all(self) -> list[Unit]:
        with self._db.read() as conn:
            rows = conn.execute(select(UNITS).order_by(UNITS.c.path)).all()
        return [_unit(r._mapping) for r in rows]

    def create(self, conn: Connection, unit: dict[str, Any]) -> Unit:
        parent_code = unit.get("parent")
        parent_path = "/"
        if parent_code is not None:
            parent_row = conn.execute(select(UNITS).where(UNITS.c.code == parent_code)).first()
            if parent_row is None:
                raise InvalidCommand(f"unknown parent unit {parent_code}", field="parent")
            parent_path = parent_row._mapping["path"]
        if conn.execute(select(UNITS.c.code).where(UNITS.c.code == unit["code"])).first():
            raise InvalidCommand(f"unit {unit['code']} already exists", field="code")
        row = {**unit, "path": f"{parent_path}{unit['code']}/"}
        conn.execute(insert(UNITS).values(**row))
        return _unit(row)

    def move(self, conn: Connection, code: str, parent_code: str) -> Unit:
        """Move a unit (and everything below it) under another parent.

        Every stored materialised path is rewritten in the same transaction, so subtree
        queries, supervision boards and statistics follow the new organisation at once;
        the event history keeps unit codes, never paths, so nothing recorded changes.
        The caller calls ``forget`` after the commit: forgotten earlier, a concurrent read
        could cache the old path again before the new one is visible.
        """
        row = conn.execute(select(UNITS).where(UNITS.c.code == code)).first()
        parent = conn.execute(select(UNITS).where(UNITS.c.code == parent_code)).first()
        if row is None:
            raise NotFound(f"no unit {code}")
        if parent is None:
            raise InvalidCommand(f"unknown parent unit {parent_code}", field="parent")
        old = row._mapping["path"]
        new = f"{parent._mapping['path']}{code}/"
        if parent._mapping["path"].startswith(old):
            raise InvalidCommand(
                f"{parent_code} lies below {code}: a unit cannot move under itself",
                field="parent",
            )
        conn.execute(update(UNITS).where(UNITS.c.code == code).values(parent=parent_code))
        for table, column in PATH_COLUMNS:
            col = table.c[column]
            conn.execute(
                update(table)
                .where(col >= old, col < old[:-1] + "0")
                .values({column: literal(new) + func.substr(col, len(old) + 1)})
            )
        return _unit({**row._mapping, "parent": parent_code, "path": new})

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
