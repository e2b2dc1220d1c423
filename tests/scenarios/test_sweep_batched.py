"""A batch fired together writes exactly what firing it timer by timer writes.

Matters in several states are left until long after every deadline, so one sweep finds
several due timers per matter (warnings and breaches of more than one deadline) in the
same batch. The same history is swept once together and once timer by timer; events,
timers, deadline versions and supervision items must come out the same, and every
projection must follow from its events.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.postgres import postgres_schema_url
from tests.scenarios.helpers import assert_replays, timer_status
from tests.support import act, at, make_container, register
from workflow import sweep as sweep_module
from workflow.adapters.repository import DEADLINE_VERSIONS, EVENTS, SUPERVISION_ITEMS
from workflow.bootstrap import Container
from workflow.projection_audit import audit_projections
from workflow.sweep import sweep

START = at("2026-03-02 09:00")
LATE = at("2026-09-01 09:00")


def _history(tmp_path: Path, database_url: str | None = None) -> tuple[Container, list[str]]:
    tmp_path.mkdir()
    c = make_container(tmp_path, START, database_url=database_url, warning_days=3, scheduler=False)
    ids = []
    for n in range(12):
        case = register(c)
        if n % 3 >= 1:
            case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
        if n % 3 == 2:
            case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
        ids.append(case.id)
    return c, ids


def _outcome(c: Container, ids: list[str]) -> dict[str, Any]:
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


def test_firing_together_equals_firing_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    together, ids = _history(tmp_path / "together")
    calls = Counter[str]()
    real = sweep_module._fire_together

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls["together" if result is not None else "fell back"] += 1
        return result

    monkeypatch.setattr(sweep_module, "_fire_together", spy)
    report = sweep(together, LATE)
    assert calls == {"together": 1}  # one batch, fired together (no fall-back)
    monkeypatch.undo()

    alone, alone_ids = _history(tmp_path / "alone")
    monkeypatch.setattr(sweep_module, "_fire_together", lambda *a, **k: None)
    alone_report = sweep(alone, LATE)

    assert len(report.fired) == len(alone_report.fired) > len(ids)  # several per matter
    assert len(report.cancelled) == len(alone_report.cancelled)
    assert _outcome(together, ids) == _outcome(alone, alone_ids)
    for c, case_ids in ((together, ids), (alone, alone_ids)):
        assert_replays(c, *case_ids)
        assert audit_projections(c.db, c.engine) == []
        with c.db.read() as conn:
            open_versions = Counter(
                r.deadline_id
                for r in conn.execute(
                    select(DEADLINE_VERSIONS.c.deadline_id).where(
                        DEADLINE_VERSIONS.c.recorded_to.is_(None)
                    )
                )
            )
        assert set(open_versions.values()) == {1}  # one current version per deadline


def test_firing_together_on_postgresql_keeps_one_current_version_per_deadline(
    tmp_path: Path,
) -> None:
    urls = postgres_schema_url()
    c, ids = _history(tmp_path / "pg", next(urls))
    try:
        report = sweep(c, LATE)
        assert len(report.fired) > len(ids) and not report.failed and not report.deferred
        assert_replays(c, *ids)
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
    finally:
        c.db.dispose()
        for _ in urls:  # drops the schema
            pass


def test_a_failing_timer_sends_the_batch_one_by_one_and_keeps_nothing_of_the_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = _history(tmp_path / "db")
    real = sweep_module.decide_timer
    seen: list[str] = []

    def fails_once_for_the_last(engine: Any, case: Any, timer: Any, *rest: Any) -> Any:
        if case.id == ids[-1] and timer.kind == "breach" and not seen:
            seen.append(timer.id)
            raise RuntimeError("boom")
        return real(engine, case, timer, *rest)

    monkeypatch.setattr(sweep_module, "decide_timer", fails_once_for_the_last)
    report = sweep(c, LATE)
    # The batch failed on the last matter's breach and was fired one by one, where that
    # breach succeeded (it fails only once): every timer fired exactly once.
    assert seen and not report.failed
    with c.db.read() as conn:
        timer_ids = [r[0] for r in conn.execute(select(EVENTS.c.timer_id)) if r[0]]
    assert len(timer_ids) == len(set(timer_ids)) == len(report.fired)
    assert_replays(c, *ids)
    assert audit_projections(c.db, c.engine) == []
