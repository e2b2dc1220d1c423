"""Helpers for deadline scenarios: move the simulated clock, read what the timers did."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support import act, at, make_container, register
from workflow.adapters import tables  # noqa: F401  (registers the tables first)
from workflow.adapters.repository import DEADLINE_VERSIONS, EVENTS, SUPERVISION_ITEMS, TIMERS
from workflow.audit.projection import audit_projections
from workflow.domain.events import Event
from workflow.runtime.bootstrap import Container
from workflow.timers.sweep import SweepReport, advance_clock


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


START = at("2026-03-02 09:00")
LATE = at("2026-09-01 09:00")


def mixed_history(
    tmp_path: Path, database_url: str | None = None, **settings: Any
) -> tuple[Container, list[str]]:
    """Twelve matters in three states, left until LATE, when every one has several due
    timers (warnings and breaches of more than one deadline)."""
    tmp_path.mkdir()
    c = make_container(
        tmp_path, START, database_url=database_url, warning_days=3, scheduler=False, **settings
    )
    ids = []
    for n in range(12):
        case = register(c)
        if n % 3 >= 1:
            case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
        if n % 3 == 2:
            case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
        ids.append(case.id)
    return c, ids


def sweep_outcome(c: Container, ids: list[str]) -> dict[str, Any]:
    """What the sweep left, without ids, hashes and commit numbers."""
    order = {case_id: n for n, case_id in enumerate(ids)}
    with c.db.read() as conn:
        events = Counter(
            (order[r.case_id], r.seq, r.type, r.timer_id.split(":", 1)[1] if r.timer_id else None)
            for r in conn.execute(select(EVENTS))
        )
        versions = Counter(
            (order[r.case_id], r.rule, r.status, r.due_on, r.recorded_to is None)
            for r in conn.execute(select(DEADLINE_VERSIONS))
        )
        items = Counter(
            (order[r.case_id], r.rule, r.state) for r in conn.execute(select(SUPERVISION_ITEMS))
        )
    timers = Counter((tid.split(":", 1)[1], s) for tid, s in timer_status(c).items())
    return {"events": events, "versions": versions, "items": items, "timers": timers}


def assert_sound(c: Container, case_ids: list[str]) -> None:
    """Every projection follows from its events, and each deadline has one current
    version."""
    assert_replays(c, *case_ids)
    assert audit_projections(c.db, c.engine) == []
    with c.db.read() as conn:
        current = Counter(
            r[0]
            for r in conn.execute(
                select(DEADLINE_VERSIONS.c.deadline_id).where(
                    DEADLINE_VERSIONS.c.recorded_to.is_(None)
                )
            )
        )
    assert set(current.values()) == {1}
