"""Helpers for deadline scenarios: move the simulated clock, read what the timers did."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from workflow.adapters import tables  # noqa: F401  (registers the tables first)
from workflow.adapters.repository import EVENTS, TIMERS
from workflow.bootstrap import Container
from workflow.domain.events import Event
from workflow.sweep import SweepReport, advance_clock


def advance_to(c: Container, moment: datetime) -> SweepReport:
    return advance_clock(c, now=moment)


def types(c: Container, case_id: str) -> list[str]:
    return [e.type for e in c.petitions.history(case_id)]


def last(c: Container, case_id: str) -> Event:
    return c.petitions.history(case_id)[-1]


def events_by_timer(c: Container) -> Counter[str]:
    with c.db.read() as conn:
        rows = conn.execute(select(EVENTS.c.timer_id).where(EVENTS.c.timer_id.is_not(None)))
        return Counter(str(r[0]) for r in rows)


def timer_status(c: Container) -> dict[str, str]:
    with c.db.read() as conn:
        return {r[0]: r[1] for r in conn.execute(select(TIMERS.c.id, TIMERS.c.status))}


def assert_replays(c: Container, *case_ids: str) -> None:
    for case_id in case_ids:
        assert c.petitions.replay(case_id).matches_projection, case_id
