"""A storm decided in worker processes writes what the serial sweep writes.

The mixed history (twelve matters, several due timers each) is swept once by the serial
sweep and once with workers in small batches: events, timers, deadline versions and
supervision items must come out the same. A plan is never written over a matter that
changed, or a timer that is no longer pending, since it was decided; and when workers
cannot start or cannot plan a batch, the serial sweep does the work.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.reliability.snapshot import database_snapshot
from tests.scenarios.helpers import LATE, assert_sound, mixed_history, sweep_outcome
from tests.support import act
from workflow.adapters import timer_store as store
from workflow.adapters.repository import EVENTS
from workflow.runtime.bootstrap import Container
from workflow.timers import workers as sweep_workers
from workflow.timers.sweep import sweep
from workflow.timers.workers import plan_batch, write_plan

# Twelve matters in batches of five: three plans, the last one short.
WORKERS = {"sweep_workers": 2, "sweep_parallel_from": 1, "sweep_batch": 5}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker path runs whatever this machine's cores (it uses them only for speed)."""
    monkeypatch.setattr(sweep_workers, "cores", lambda: 2)


def _written(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Spy on the plans this process writes: True for each one written."""
    seen: list[bool] = []
    real = sweep_workers.write_plan

    def spy(*args: Any) -> bool:
        seen.append(real(*args))
        return seen[-1]

    monkeypatch.setattr(sweep_workers, "write_plan", spy)
    return seen


def test_workers_write_what_the_serial_sweep_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parallel, ids = mixed_history(tmp_path / "workers", **WORKERS)
    written = _written(monkeypatch)
    report = sweep(parallel, LATE)  # real spawned worker processes
    assert written == [True, True, True]  # every plan written, none left over
    serial, serial_ids = mixed_history(tmp_path / "serial", sweep_workers=0)
    serial_report = sweep(serial, LATE)
    assert len(written) == 3  # the serial sweep started no workers

    assert len(report.fired) == len(serial_report.fired) > len(ids)  # several per matter
    assert len(report.cancelled) == len(serial_report.cancelled)
    assert not report.failed and not report.deferred
    assert sweep_outcome(parallel, ids) == sweep_outcome(serial, serial_ids)
    assert_sound(parallel, ids)


def _plan(c: Container, ids: list[str]) -> sweep_workers.Plan:
    with c.db.read() as conn:
        return plan_batch(conn, c.engine, ids, LATE, frozenset())


def test_a_plan_is_not_written_over_a_matter_that_changed(tmp_path: Path) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0)
    plan = _plan(c, ids)
    assert len(plan.fired) == len(ids) and plan.rows  # one timer per matter
    act(c, ids[0], "C1-XF", "classify", type="claim", route="petition")
    before = database_snapshot(c.db)
    assert not write_plan(c, plan, LATE)
    assert database_snapshot(c.db) == before  # nothing of the plan kept
    report = sweep(c, LATE)  # the serial sweep fires them all from the new state
    assert len(report.fired) > len(ids) and not report.failed
    assert_sound(c, ids)


def test_a_plan_is_not_written_for_a_timer_no_longer_pending(tmp_path: Path) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0)
    plan = _plan(c, ids)
    with c.db.write() as conn:  # another sweeper got there first (no matter changed)
        store.mark(conn, plan.fired[-1], "cancelled", LATE)
    before = database_snapshot(c.db)
    assert not write_plan(c, plan, LATE)
    assert database_snapshot(c.db) == before


def test_of_two_sweepers_that_planned_the_same_batch_one_writes_it(tmp_path: Path) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0)
    first, second = _plan(c, ids), _plan(c, ids)
    assert write_plan(c, first, LATE)
    assert not write_plan(c, second, LATE)
    with c.db.read() as conn:
        fired = [r[0] for r in conn.execute(select(EVENTS.c.timer_id)) if r[0]]
    assert sorted(fired) == sorted(set(fired)) and set(first.fired) <= set(fired)
    assert_sound(c, ids)


def test_a_plan_decides_a_matters_first_due_timer_only(tmp_path: Path) -> None:
    c, ids = mixed_history(tmp_path / "db", sweep_workers=0)
    with c.db.read() as conn:
        due = store.due_timers_of(conn, ids, LATE)
    firsts = {}
    for timer in due:
        firsts.setdefault(timer.case_id, timer.id)
    assert len(due) > len(firsts)  # the history has matters with several due timers
    plan = _plan(c, ids)
    assert sorted(plan.fired + plan.cancelled) == sorted(firsts.values())
    assert write_plan(c, plan, LATE)
    assert_sound(c, ids)


class _InlinePool:
    """A process pool stand-in that plans in this process (its initializer included),
    so the storm's own bookkeeping can be tested without spawning."""

    def __init__(self, _workers: int, *, mp_context: Any, initializer: Any, initargs: Any) -> None:
        initializer(*initargs)

    def __enter__(self) -> _InlinePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        if sweep_workers._worker is not None:
            sweep_workers._worker[0].dispose()
        sweep_workers._worker = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done


def test_a_batch_a_worker_cannot_plan_is_left_to_the_serial_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = mixed_history(tmp_path / "db", **WORKERS)
    monkeypatch.setattr(sweep_workers, "ProcessPoolExecutor", _InlinePool)
    real = sweep_workers.decide_timer

    def fails_for_the_last(engine: Any, case: Any, *rest: Any) -> Any:
        if case.id == ids[-1]:
            raise RuntimeError("boom")
        return real(engine, case, *rest)

    monkeypatch.setattr(sweep_workers, "decide_timer", fails_for_the_last)
    written = _written(monkeypatch)
    report = sweep(c, LATE)
    assert written == [True, True]  # the third plan (the last matter's batch) failed
    # ...and its two matters were fired by the serial sweep, which does not fail.
    assert not report.failed and not report.deferred
    serial, serial_ids = mixed_history(tmp_path / "serial", sweep_workers=0)
    assert len(report.fired) == len(sweep(serial, LATE).fired)
    assert sweep_outcome(c, ids) == sweep_outcome(serial, serial_ids)
    assert_sound(c, ids)


def test_a_storm_asked_to_stop_hands_out_no_more_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch per matter: two workers keep four batches in flight.
    c, ids = mixed_history(tmp_path / "db", **{**WORKERS, "sweep_batch": 1})
    monkeypatch.setattr(sweep_workers, "ProcessPoolExecutor", _InlinePool)
    stop = threading.Event()
    written = _written(monkeypatch)
    real = sweep_workers.write_plan  # the spy: stop once the first plan is written

    def write_then_stop(*args: Any) -> bool:
        done = real(*args)
        stop.set()
        return done

    monkeypatch.setattr(sweep_workers, "write_plan", write_then_stop)
    first = sweep(c, LATE, stop=stop)
    # The plans in flight were written, no batch was handed out after, nor swept here.
    assert first.stopped and written == [True] * 4
    assert len(first.fired) + len(first.cancelled) == 4
    monkeypatch.undo()
    monkeypatch.setattr(sweep_workers, "cores", lambda: 2)
    sweep(c, LATE)
    serial, serial_ids = mixed_history(tmp_path / "serial", sweep_workers=0)
    sweep(serial, LATE)
    assert sweep_outcome(c, ids) == sweep_outcome(serial, serial_ids)
    assert_sound(c, ids)


def test_a_sweep_already_asked_to_stop_starts_no_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, _ = mixed_history(tmp_path / "db", **WORKERS)
    started: list[int] = []

    def starting(workers: int, **_kwargs: Any) -> Any:
        started.append(workers)  # (a failure here would only be logged by the sweep)
        raise OSError("not to be started")

    monkeypatch.setattr(sweep_workers, "ProcessPoolExecutor", starting)
    stop = threading.Event()
    stop.set()
    report = sweep(c, LATE, stop=stop)
    assert started == []
    assert report.stopped and report.handled == 0 and not report.failed


def test_the_sweep_goes_on_alone_when_workers_cannot_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, ids = mixed_history(tmp_path / "db", **WORKERS)

    def cannot_start(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("no processes here")

    monkeypatch.setattr(sweep_workers, "ProcessPoolExecutor", cannot_start)
    report = sweep(c, LATE)
    assert len(report.fired) > len(ids) and not report.failed
    assert_sound(c, ids)


def test_workers_are_not_used_below_the_threshold_or_with_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_start(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("workers started")

    monkeypatch.setattr(sweep_workers, "ProcessPoolExecutor", must_not_start)
    small, ids = mixed_history(tmp_path / "small", sweep_workers=2, sweep_parallel_from=13)
    assert len(sweep(small, LATE).fired) > len(ids)  # 12 matters due: below 13
    assert sweep_workers.applies(small)
    monkeypatch.setattr(sweep_workers, "cores", lambda: 1)
    assert not sweep_workers.applies(small)  # no second core for a worker
    monkeypatch.setattr(sweep_workers, "cores", lambda: 2)  # as the fixture has it
    small.db.url = "sqlite:///:memory:"  # as a container on a memory database has it
    assert not sweep_workers.applies(small)
    heard, heard_ids = mixed_history(tmp_path / "heard", **WORKERS)
    calls: list[datetime] = []
    heard.petitions.listeners.append(lambda case, events: calls.append(events[0].recorded_at))
    assert not sweep_workers.applies(heard)
    assert len(sweep(heard, LATE).fired) == len(calls) > len(heard_ids)


# Run as its own process by the next test: opens the storm's worker pool on a real
# matter database, prints the workers' process ids, then waits to be killed.
_HOLD_POOL = """
import multiprocessing, os, sys, time
from pathlib import Path
from tests.support import at, make_container
from workflow.timers import workers as sweep_workers
c = make_container(Path(sys.argv[1]), at("2026-09-01 09:00"))
with sweep_workers.pool(sweep_workers.spec_of(c), 2) as workers:
    for done in [workers.submit(os.getpid) for _ in range(2)]:
        done.result()
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie, exited but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_end_with_the_process_that_started_them(tmp_path: Path) -> None:
    # A sweeping process killed mid-storm (SIGKILL, the OOM killer) runs no clean-up:
    # its workers must notice on their own, not linger with their memory and database.
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "src")])}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_POOL, str(tmp_path)],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        pids = [int(p) for p in holder.stdout.readline().split()]
        assert len(pids) == 2 and all(_running(p) for p in pids)
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 20
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _running(p)]
    for pid in left:  # do not leave them behind on the machine either
        os.kill(pid, signal.SIGKILL)
    assert left == []
