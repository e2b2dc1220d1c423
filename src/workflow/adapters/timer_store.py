"""The timers table as the sweep uses it: claim due rows, mark what became of them.

Claiming happens inside the sweep's write transaction. On SQLite that transaction began
with ``BEGIN IMMEDIATE``, so it already holds the only write lock; on PostgreSQL the rows
are locked ``FOR UPDATE SKIP LOCKED``, so concurrent sweepers take disjoint rows and
none waits for another.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from rules import UnitKind
from workflow.adapters import tables  # noqa: F401  (registers the tables first)
from workflow.adapters.prepared import Prepared
from workflow.adapters.repository import CASES, DEADLINES, EVENTS, TIMERS, UNITS
from workflow.services.timers import TimerPlan

# After this many failed attempts a timer is set aside as ``failed`` for an operator:
# retrying a timer that fails the same way forever would hide it among the pending.
MAX_ATTEMPTS = 5


def _due(now: datetime, skip: Collection[str]) -> Any:
    clause = and_(TIMERS.c.status == "pending", TIMERS.c.due_at <= now)
    return and_(clause, TIMERS.c.id.notin_(list(skip))) if skip else clause


def claim_due(
    conn: Connection, now: datetime, limit: int, skip: Collection[str] = ()
) -> tuple[list[TimerPlan], bool]:
    """Due timers of up to ``limit`` matters, oldest first, and whether that was all.

    The claim is by matter: firing one timer re-derives (and may cancel) the other timers
    of the same deadline, so two sweepers holding timers of one matter would deadlock.
    On PostgreSQL the matters' rows are locked ``FOR UPDATE SKIP LOCKED`` first (another
    sweeper's matters are skipped), then their due timers. On SQLite the sweep's
    ``BEGIN IMMEDIATE`` already holds the database's only write lock, so no other sweeper
    holds a matter and there is nothing to lock or skip: the first ``limit`` matters due
    are the claim (the lock query cost a lookup of every candidate per batch).
    """
    if conn.dialect.name == "sqlite":
        mine, complete = _candidates(conn, now, skip, limit)
    else:
        # Candidates beyond the limit: some may be locked by another sweeper.
        candidates, complete = _candidates(conn, now, skip, limit * 4)
        if not candidates:
            return [], True
        mine = _lock_in_due_order(conn, candidates, limit)
        if not mine:
            return [], False
    if not mine:
        return [], True
    return due_timers_of(conn, mine, now, skip, lock=True), complete and len(mine) < limit


def due_matters(
    conn: Connection, now: datetime, limit: int, skip: Collection[str] = ()
) -> list[str]:
    """Up to ``limit`` matters with a timer due by ``now``, in the order their first
    due timer falls due; nothing locked (a sweep worker's plan is checked when written)."""
    return _candidates(conn, now, skip, limit)[0]


def due_timers_of(
    conn: Connection,
    matters: list[str],
    now: datetime,
    skip: Collection[str] = (),
    *,
    lock: bool = False,
) -> list[TimerPlan]:
    """The due, pending timers of ``matters`` (all but ``skip``), in due order; with
    ``lock`` their rows are locked for the transaction (PostgreSQL)."""
    # Every timer of the matters (a few each), by the case_id index, then the due ones
    # picked here. Given the status and due conditions, SQLite (without statistics)
    # walked the (status, due_at) index instead, every due timer of the storm for each
    # batch: N^2/batch row visits for a storm of N.
    columns = (TIMERS.c.id, TIMERS.c.case_id, TIMERS.c.deadline_id, TIMERS.c.kind)
    query = select(*columns, TIMERS.c.due_at, TIMERS.c.status).where(TIMERS.c.case_id.in_(matters))
    if lock:
        query = query.with_for_update()
    excluded = set(skip)
    return sorted(
        (
            TimerPlan(timer_id, case_id, deadline_id, kind, due_at)
            for timer_id, case_id, deadline_id, kind, due_at, status in conn.execute(query)
            if status == "pending" and due_at <= now and timer_id not in excluded
        ),
        key=lambda plan: (plan.due_at, plan.id),
    )


def _lock_in_due_order(conn: Connection, candidates: list[str], limit: int) -> list[str]:
    """The first ``limit`` of ``candidates`` that no other sweeper holds, locked, in
    the candidates' (due) order: each round locks the next slice of as many as are
    still wanted."""
    mine: list[str] = []
    rest = candidates
    while rest and len(mine) < limit:
        wanted, rest = rest[: limit - len(mine)], rest[limit - len(mine) :]
        query = select(CASES.c.id).where(CASES.c.id.in_(wanted)).with_for_update(skip_locked=True)
        locked = set(conn.execute(query).scalars())
        mine += [c for c in wanted if c in locked]
    return mine


def _candidates(
    conn: Connection, now: datetime, skip: Collection[str], want: int
) -> tuple[list[str], bool]:
    """Up to ``want`` matters in the order their first due timer falls due, and whether
    every due timer was seen on the way.

    The earliest due rows straight off the (status, due_at) index, read until ``want``
    distinct matters are found (a matter may have several due timers). Grouping every
    due timer by matter instead costs a scan and sort of all of them per batch: 0.46 s
    per batch with 100,000 due.
    """
    fetch = want * 2
    while True:
        query = select(TIMERS.c.case_id).where(_due(now, skip)).order_by(TIMERS.c.due_at)
        rows = list(conn.execute(query.limit(fetch)).scalars())
        candidates = list(dict.fromkeys(rows))
        if len(candidates) >= want:
            return candidates[:want], False
        if len(rows) < fetch:
            return candidates, True
        fetch *= 4


def next_due_at(conn: Connection, until: datetime, skip: Collection[str] = ()) -> datetime | None:
    query = select(func.min(TIMERS.c.due_at)).where(_due(until, skip))
    found: datetime | None = conn.execute(query).scalar_one_or_none()
    return found


def is_pending(conn: Connection, timer_id: str) -> bool:
    status = conn.execute(
        select(TIMERS.c.status).where(TIMERS.c.id == timer_id)
    ).scalar_one_or_none()
    return status == "pending"


def recorded(conn: Connection, timer_ids: list[str]) -> set[str]:
    """Those of ``timer_ids`` whose event is already in a history."""
    if not timer_ids:
        return set()
    query = select(EVENTS.c.timer_id).where(EVENTS.c.timer_id.in_(timer_ids))
    return {str(found) for found in conn.execute(query).scalars()}


def mark(conn: Connection, timer_id: str, status: str, now: datetime) -> None:
    conn.execute(
        update(TIMERS)
        .where(TIMERS.c.id == timer_id)
        .values(status=status, fired_at=now, attempts=TIMERS.c.attempts + 1)
    )


# A storm marks thousands of timers fired: one statement per batch, run on the driver's
# cursor like the save's rows (workflow.adapters.prepared).
_MARK_FIRED = Prepared(
    update(TIMERS)
    .where(TIMERS.c.id == bindparam("w_id"))
    .values(status="fired", fired_at=bindparam("fired_at"), attempts=TIMERS.c.attempts + 1)
)


def mark_fired(conn: Connection, timer_ids: list[str], now: datetime) -> None:
    _MARK_FIRED.executemany(conn, [{"w_id": timer_id, "fired_at": now} for timer_id in timer_ids])


# A sweep worker's plan is written only if each of its timers is still pending.
_SETTLE = Prepared(
    update(TIMERS)
    .where(and_(TIMERS.c.id == bindparam("w_id"), TIMERS.c.status == "pending"))
    .values(
        status=bindparam("w_status"), fired_at=bindparam("fired_at"), attempts=TIMERS.c.attempts + 1
    )
)


def settle(conn: Connection, timer_ids: list[str], status: str, now: datetime) -> bool:
    """Mark timers ``status`` (fired, cancelled) as ``mark`` does, but only pending
    ones; False if any of them was no longer pending (the caller rolls back)."""
    rows = [{"w_id": t, "w_status": status, "fired_at": now} for t in timer_ids]
    return _SETTLE.executemany(conn, rows) == len(rows)


def record_failure(conn: Connection, timer_id: str, error: str) -> str:
    """Count a failed attempt durably; the timer stays pending until the cap is reached."""
    attempts = conn.execute(select(TIMERS.c.attempts).where(TIMERS.c.id == timer_id)).scalar_one()
    status = "failed" if attempts + 1 >= MAX_ATTEMPTS else "pending"
    conn.execute(
        update(TIMERS)
        .where(TIMERS.c.id == timer_id)
        .values(attempts=attempts + 1, last_error=error[:2000], status=status)
    )
    return status


def cached_bureau(conn: Connection, cache: dict[str, str | None], unit: str) -> str | None:
    """``supervising_bureau``, looked up once per ``cache``: a sweep keeps one, since
    units do not move while it runs."""
    if unit not in cache:
        cache[unit] = supervising_bureau(conn, unit)
    return cache[unit]


def supervising_bureau(conn: Connection, code: str) -> str | None:
    """The 信访部门 that supervises ``code``: the petition bureau of its own government.

    A petition bureau does not supervise itself, so for a bureau the search starts one
    government higher; a unit with no bureau beside it takes the nearest one up the tree.
    """
    row = conn.execute(select(UNITS).where(UNITS.c.code == code)).first()
    if row is None:
        return None
    unit = row._mapping
    government: str | None = unit["code"]
    if unit["kind"] != UnitKind.GOVERNMENT:
        government = unit["parent"]
    if unit["kind"] == UnitKind.PETITION_BUREAU and government is not None:
        government = _parent(conn, government)
    while government is not None:
        bureau = conn.execute(
            select(UNITS.c.code)
            .where(and_(UNITS.c.parent == government, UNITS.c.kind == UnitKind.PETITION_BUREAU))
            .order_by(UNITS.c.code)
        ).first()
        if bureau is not None:
            return str(bureau[0])
        government = _parent(conn, government)
    return code if unit["kind"] == UnitKind.PETITION_BUREAU else None


def _parent(conn: Connection, code: str) -> str | None:
    parent: str | None = conn.execute(
        select(UNITS.c.parent).where(UNITS.c.code == code)
    ).scalar_one_or_none()
    return parent


def provisional_deadlines(conn: Connection, year: int) -> dict[str, set[str]]:
    """Provisional deadlines whose span touches ``year``, grouped by case: the open ones,
    and the windows that lapsed (one may have lapsed too early, Contract 1.1)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    lapsed = and_(DEADLINES.c.status == "lapsed", DEADLINES.c.kind == "window")
    rows = conn.execute(
        select(DEADLINES.c.case_id, DEADLINES.c.id)
        .where(
            and_(
                or_(DEADLINES.c.status == "pending", DEADLINES.c.status == "paused", lapsed),
                DEADLINES.c.provisional.is_(True),
                DEADLINES.c.trigger_on <= last,
                DEADLINES.c.due_on >= first,
            )
        )
        .order_by(DEADLINES.c.case_id, DEADLINES.c.id)
    )
    grouped: dict[str, set[str]] = {}
    for case_id, deadline_id in rows:
        grouped.setdefault(case_id, set()).add(deadline_id)
    return grouped
