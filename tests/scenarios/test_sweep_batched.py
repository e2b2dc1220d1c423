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

from tests.postgres import backend_url
from tests.scenarios.helpers import LATE, assert_replays, assert_sound, mixed_history, sweep_outcome
from workflow.adapters.repository import EVENTS
from workflow.audit.projection import audit_projections
from workflow.timers import sweep as sweep_module
from workflow.timers.sweep import sweep


def test_firing_together_equals_firing_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    together, ids = mixed_history(tmp_path / "together")
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

    alone, alone_ids = mixed_history(tmp_path / "alone")
    monkeypatch.setattr(sweep_module, "_fire_together", lambda *a, **k: None)
    alone_report = sweep(alone, LATE)

    assert len(report.fired) == len(alone_report.fired) > len(ids)  # several per matter
    assert len(report.cancelled) == len(alone_report.cancelled)
    assert sweep_outcome(together, ids) == sweep_outcome(alone, alone_ids)
    assert_sound(together, ids)
    assert_sound(alone, alone_ids)


@pytest.mark.postgres
def test_firing_together_on_postgresql_keeps_one_current_version_per_deadline(
    tmp_path: Path,
) -> None:
    with backend_url("postgres", tmp_path) as url:
        c, ids = mixed_history(tmp_path / "pg", url)
        try:
            report = sweep(c, LATE)
            assert len(report.fired) > len(ids) and not report.failed and not report.deferred
            assert_sound(c, ids)
        finally:
            c.db.dispose()


def test_a_failing_timer_sends_the_batch_one_by_one_and_keeps_nothing_of_the_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = mixed_history(tmp_path / "db")
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
