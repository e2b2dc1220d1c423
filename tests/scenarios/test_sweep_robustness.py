"""The sweep after downtime, two sweeps at once, and a timer that keeps failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.scenarios.helpers import (
    LATE,
    assert_replays,
    assert_sound,
    events_by_timer,
    mixed_history,
    sweep_outcome,
    timer_status,
)
from tests.support import act, at, make_container, register
from workflow.adapters import timer_store
from workflow.adapters.repository import TIMERS
from workflow.adapters.timer_store import MAX_ATTEMPTS
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.timers import sweep as sweep_module
from workflow.timers.process import start_scheduler, stop_scheduler
from workflow.timers.sweep import advance_clock, sweep


def _matters(c: Container, count: int) -> list[str]:
    """``count`` matters a day apart, half of them transferred and accepted."""
    ids = []
    for n in range(count):
        case = register(c, received_at=c.clock.now().isoformat())
        if n % 2:
            case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
            case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
            case = act(c, case, "C1-ZJ", "accept")
        ids.append(case.id)
        c.clock.advance(days=1)  # type: ignore[attr-defined]
    return ids


def _due_pending(c: Container, now: datetime) -> int:
    with c.db.read() as conn:
        rows = conn.execute(
            select(TIMERS.c.id).where(TIMERS.c.status == "pending", TIMERS.c.due_at <= now)
        )
        return len(rows.all())


def _reopen(tmp_path: Path, c: Container, now: datetime) -> Container:
    settings = c.settings.model_copy(update={"sweep_interval_seconds": 0.05})
    return bootstrap(settings, clock=SimulatedClock(now))


def test_restart_catches_up_every_due_timer_exactly_once(tmp_path: Path) -> None:
    # Before the outage: eight matters registered over eight days; no sweep runs.
    first = make_container(tmp_path, at("2026-03-02 09:00"))
    ids = _matters(first, 8)
    first.db.dispose()

    # Three months later a new process starts on the same file and starts its scheduler:
    # its first run is the catch-up.
    later = at("2026-06-15 12:00")
    second = _reopen(tmp_path, first, later)
    assert _due_pending(second, later) > 10
    handle = start_scheduler(second)
    try:
        deadline = time.monotonic() + 20
        while _due_pending(second, later) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # let a few more ticks run: they must find nothing
    finally:
        stop_scheduler(handle)
    assert _due_pending(second, later) == 0

    counts = events_by_timer(second)
    assert counts and set(counts.values()) == {1}
    fired = {t for t, s in timer_status(second).items() if s == "fired"}
    assert fired == set(counts)
    # Every matter that was still open breached its route or handling clock.
    assert all(second.petitions.get(i).overdue for i in ids)
    # A sweep afterwards has nothing to do.
    assert sweep(second, later).fired == []
    assert_replays(second, *ids)
    second.db.dispose()


def test_two_sweeps_at_once_fire_each_timer_once(tmp_path: Path) -> None:
    first = make_container(tmp_path, at("2026-03-02 09:00"))
    ids = _matters(first, 10)
    later = at("2026-06-15 12:00")
    # Two processes' worth: two containers, two Database objects, one SQLite file.
    a = _reopen(tmp_path, first, later)
    b = _reopen(tmp_path, first, later)
    due = _due_pending(a, later)
    assert due > 10
    barrier = threading.Barrier(2)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run(c: Container) -> None:
        try:
            barrier.wait()
            reports.append(sweep(c, later, batch=3))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    fired_a, fired_b = (set(r.fired) for r in reports)
    assert not fired_a & fired_b
    counts = events_by_timer(a)
    assert set(counts.values()) == {1}
    assert set(counts) == fired_a | fired_b
    assert _due_pending(a, later) == 0
    assert_replays(a, *ids)
    for c in (first, a, b):
        c.db.dispose()


def test_failing_timer_is_isolated_recorded_and_retried_up_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    # Two matters registered at the city bureau on 03-02: route deadlines due 03-17.
    broken = register(c, received_at="2026-03-02T09:00:00+08:00").id
    healthy = register(c, received_at="2026-03-02T09:00:00+08:00").id
    real = sweep_module.decide_timer

    def flaky(engine: Any, case: Any, timer: Any, now: Any, supervisor: Any) -> Any:
        if case.id == broken:
            raise RuntimeError("supervision directory unavailable")
        return real(engine, case, timer, now, supervisor)

    monkeypatch.setattr(sweep_module, "decide_timer", flaky)
    report = advance_clock(c, now=at("2026-03-20 12:00"))
    # The healthy matter's warning and breach fired; the broken matter's failed, each
    # on its own.
    assert len(report.fired) == 2 and all(t.startswith(healthy) for t in report.fired)
    assert len(report.failed) == 2 and all(t.startswith(broken) for t in report.failed)
    with c.db.read() as conn:
        row = conn.execute(select(TIMERS).where(TIMERS.c.id == report.failed[0])).one()._mapping
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "supervision directory unavailable" in row["last_error"]
    assert c.petitions.get(broken).version == 1  # nothing of the failed timer was written

    # Later sweeps retry it until the cap, then set it aside as failed.
    for _ in range(MAX_ATTEMPTS - 1):
        sweep(c)
    assert timer_status(c)[report.failed[0]] == "failed"

    # Once the cause is fixed an operator can requeue it; it fires once.
    monkeypatch.setattr(sweep_module, "decide_timer", real)
    with c.db.write() as conn:
        conn.execute(TIMERS.update().where(TIMERS.c.status == "failed").values(status="pending"))
    sweep(c)
    assert set(events_by_timer(c).values()) == {1}
    assert c.petitions.get(broken).overdue
    assert_replays(c, broken, healthy)


def _stop_on_first_claim(
    monkeypatch: pytest.MonkeyPatch, on_claim: Callable[[], None]
) -> list[tuple[int, int]]:
    """Run ``on_claim`` as the sweep claims its first batch; each claim's (matters,
    timers): a batch is claimed by matter, with every due timer of each."""
    real = timer_store.claim_due
    claims: list[tuple[int, int]] = []

    def claim(*args: Any, **kwargs: Any) -> Any:
        if not claims:
            on_claim()
        due, exhausted = real(*args, **kwargs)
        claims.append((len({t.case_id for t in due}), len(due)))
        return due, exhausted

    monkeypatch.setattr(timer_store, "claim_due", claim)
    return claims


def test_a_sweep_asked_to_stop_ends_after_its_batch_and_the_next_does_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0, sweep_batch=5)
    stop = threading.Event()
    claims = _stop_on_first_claim(monkeypatch, stop.set)
    first = sweep(c, LATE, stop=stop)
    assert first.stopped and len(claims) == 1  # no batch after the one being written...
    (matters, timers) = claims[0]
    assert matters == 5 and first.handled == timers  # ...which was written whole
    assert not first.failed and _due_pending(c, LATE) > 0
    monkeypatch.undo()
    rest = sweep(c, LATE)
    assert not rest.stopped and _due_pending(c, LATE) == 0
    serial, serial_ids = mixed_history(tmp_path / "serial", sweep_workers=0, sweep_batch=5)
    whole = sweep(serial, LATE)
    assert first.handled + rest.handled == whole.handled
    assert sweep_outcome(c, ids) == sweep_outcome(serial, serial_ids)
    assert_sound(c, ids)


def test_stopping_the_scheduler_does_not_wait_for_the_whole_storm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0, sweep_batch=2)
    c.clock.set(LATE)  # type: ignore[attr-defined]
    claimed = threading.Event()
    handle: list[Any] = []
    # The first sweep may claim before start_scheduler has returned its handle.
    started = threading.Event()

    def wait_for_shutdown() -> None:
        claimed.set()
        assert started.wait(20), "start_scheduler did not return"
        assert handle[0].ticker.stop.wait(20), "the scheduler was not stopped"

    claims = _stop_on_first_claim(monkeypatch, wait_for_shutdown)
    handle.append(start_scheduler(c))
    started.set()
    assert claimed.wait(20)
    started = time.monotonic()
    stop_scheduler(handle[0])  # returns once the sweep in progress has ended
    assert time.monotonic() - started < 20
    assert len(claims) == 1 and claims[0][0] == 2  # one batch, not every batch of the storm
    assert _due_pending(c, LATE) > 0
    monkeypatch.undo()
    sweep(c, LATE)
    assert _due_pending(c, LATE) == 0
    assert_sound(c, ids)
