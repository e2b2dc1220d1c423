"""Row counts and chain checks shared by the engine's integration tests."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select
from sqlmodel import SQLModel

from workflow.adapters import repository as repo
from workflow.adapters.database import Database
from workflow.commands.record import record
from workflow.domain.actor import SYSTEM_ACTOR
from workflow.domain.case import Case
from workflow.domain.events import GENESIS, Event
from workflow.runtime.bootstrap import Container
from workflow.services.decide import decide

TABLES = ("events", "cases", "deadlines", "timers", "personal_data", "counters")


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(SQLModel.metadata.tables[name])
            ).scalar_one()
            for name in TABLES
        }


def snapshot(db: Database) -> dict[str, object]:
    """Counts plus every case's version and last hash: what a failed command must not touch."""
    cases = SQLModel.metadata.tables["cases"]
    with db.read() as conn:
        versions = sorted(conn.execute(select(cases.c.id, cases.c.version, cases.c.last_hash)))
    return {"counts": row_counts(db), "cases": [tuple(r) for r in versions]}


def assert_chain(events: list[Event]) -> None:
    assert events, "a case always has its registration"
    assert events[0].prev_hash == GENESIS
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for event in events:
        assert event.hash == event.computed_hash(), f"event {event.seq} was altered"
    for prev, event in itertools.pairwise(events):
        assert event.prev_hash == prev.hash, f"event {event.seq} does not link to {prev.seq}"


def fire_lapse(c: Container, case_id: str) -> Case:
    """What the sweep does when a review window lapses: a system event, keyed by its timer."""
    now = c.clock.now()
    with c.db.write() as conn:
        case = repo.load_case(conn, case_id)
        assert case is not None
        event = decide(c.engine, case, "lapse", {}, SYSTEM_ACTOR, now, now)
        record(conn, c.engine, case, event, now, timer_id=f"test-lapse:{case_id}:{event.seq}")
    return case
