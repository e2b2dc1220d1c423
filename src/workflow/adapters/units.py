"""The unit tree in the database, with a small in-process cache.

Units change rarely and every decision looks several of them up, so they are cached;
a miss falls through to the database so a unit created by another process is found.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, insert, select

from rules import UnitKind
from workflow.adapters.database import Database
from workflow.adapters.repository import UNITS
from workflow.domain.errors import InvalidCommand
from workflow.domain.units import Unit, UnitLevel


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

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
