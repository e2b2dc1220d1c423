"""Statements run on the driver cursor write exactly what SQLAlchemy Core writes.

Each case writes one row through ``Prepared`` and the same row through
``Connection.execute`` and compares the stored values as the database holds them (raw
SQL, no type processing), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import and_, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from tests.postgres import backend_url
from workflow.adapters import prepared
from workflow.adapters.database import Database
from workflow.adapters.prepared import Prepared
from workflow.adapters.repository import DEADLINES, TIMERS

ROW = {
    "case_id": "c1",
    "rule": "handle",
    "rule_set": "2022",
    "article": "第三十五条",
    "kind": "obligation",
    "responsible_unit": "C1-ZJ",
    "responsible_path": "/C1/C1-ZJ/",
    "trigger_on": date(2026, 3, 2),
    "due_on": date(2026, 4, 1),
    "status": "pending",
    "provisional": False,
    "met_on": None,
    "breached_on": None,
    "open_obligation": True,
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with backend_url(request.param, tmp_path) as url:
        database = Database(url)
        database.create_all()
        yield database
        database.dispose()


def _stored(database: Database, table: str, key: str) -> tuple[object, ...]:
    with database.read() as conn:
        row = conn.execute(text(f"SELECT * FROM {table} WHERE id = :k"), {"k": key}).one()
    return tuple(row)[1:]  # without the id


def test_insert_matches_core(db: Database) -> None:
    with db.write() as conn:
        Prepared(insert(DEADLINES)).execute(conn, {"id": "d-prepared", **ROW})
        conn.execute(insert(DEADLINES), {"id": "d-core", **ROW})
    assert _stored(db, "deadlines", "d-prepared") == _stored(db, "deadlines", "d-core")


def test_datetimes_are_stored_as_core_stores_them(db: Database) -> None:
    due = datetime(2026, 4, 2, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    row = {"case_id": "c1", "deadline_id": "d", "kind": "breach", "due_at": due}
    row |= {"status": "pending", "attempts": 0}
    with db.write() as conn:
        Prepared(insert(TIMERS)).executemany(conn, [{"id": "t-prepared", **row}])
        conn.execute(insert(TIMERS), {"id": "t-core", **row})
    assert _stored(db, "timers", "t-prepared")[1:] == _stored(db, "timers", "t-core")[1:]
    with db.read() as conn:
        read = conn.execute(select(TIMERS.c.due_at).where(TIMERS.c.id == "t-prepared")).scalar()
    assert read == due.astimezone(UTC)


def test_constants_where_parameters_and_rowcount(db: Database) -> None:
    cancel = Prepared(
        update(TIMERS)
        .where(and_(TIMERS.c.deadline_id == bindparam("w_d"), TIMERS.c.status == "pending"))
        .values(status="cancelled")
    )
    due = datetime(2026, 4, 2, tzinfo=UTC)
    rows = [
        {"id": f"t{i}", "case_id": "c", "deadline_id": d, "kind": "breach", "due_at": due}
        | {"status": status, "attempts": 0}
        for i, (d, status) in enumerate([("a", "pending"), ("a", "fired"), ("b", "pending")])
    ]
    with db.write() as conn:
        conn.execute(insert(TIMERS), rows)
        assert cancel.execute(conn, {"w_d": "a"}) == 1
    with db.read() as conn:
        got = dict(conn.execute(select(TIMERS.c.id, TIMERS.c.status)).all())
    assert got == {"t0": "cancelled", "t1": "fired", "t2": "pending"}


def test_a_missing_parameter_is_refused_not_bound_as_null(db: Database) -> None:
    statement = Prepared(update(TIMERS).where(TIMERS.c.id == bindparam("w_id")))
    with pytest.raises(KeyError, match="w_id"), db.write() as conn:
        statement.execute(conn, {"status": "fired"})


def test_driver_errors_are_raised_as_sqlalchemy_errors_and_roll_back(db: Database) -> None:
    statement = Prepared(insert(DEADLINES))
    with pytest.raises(IntegrityError), db.write() as conn:
        statement.execute(conn, {"id": "dup", **ROW})
        statement.execute(conn, {"id": "dup", **ROW})
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM deadlines")).scalar() == 0


def test_observers_see_every_statement(db: Database) -> None:
    seen: list[tuple[str, object, bool]] = []
    prepared.observers.append(lambda sql, params, many: seen.append((sql, params, many)))
    try:
        with db.write() as conn:
            Prepared(insert(DEADLINES)).execute(conn, {"id": "d", **ROW})
    finally:
        prepared.observers.pop()
    assert len(seen) == 1 and seen[0][0].startswith("INSERT INTO deadlines")
