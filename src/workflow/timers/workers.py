"""A storm on SQLite: worker processes decide the batches while this process writes.

Why: SQLite admits one writer at a time. The serial sweep (``workflow.timers.sweep``) decides,
folds and binds every timer inside its write transaction, and about two thirds of a
timer's cost is that Python work, on one core, while the only write lock is held. Here
worker processes each read a snapshot (a WAL reader never waits for the writer), decide
a batch of matters' first due timers, fold the events and bind the rows; this process
only sends the rows, one transaction per batch.

A plan is written under the guards the serial sweep's own writes carry: every matter
must still be at the version its timer was decided on (the case update's version
check), every timer must still be pending, and an event's timer id is unique. A batch
that fails any of them is rolled back whole, and so is one a worker could not plan
whole (a timer that cannot be decided): nobody writes it here. The serial sweep that
follows claims whatever is still due and handles it its usual way (timer by timer,
failures counted), and it also fires a matter's second due timer, which a plan leaves
alone because it must see the first one's writes. The outcome is the serial sweep's;
only the time it takes differs.

Only on SQLite: on PostgreSQL more scheduler processes share a storm (``claim_due``
locks matters ``SKIP LOCKED``). Only for a storm of ``settings.sweep_parallel_from``
matters or more, since starting the workers costs about a second. Only with a second
core (at most one worker per core). Only without listeners, which are given the
matters themselves, in this process. Workers are
spawned, not forked: the service process has threads (uvicorn, the scheduler) whose
locks a fork would copy mid-use. Each builds its engine from this process's settings
and this engine's calendar and settings, so it decides by the same rules and days.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from multiprocessing.connection import wait

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from rules import WorkingCalendar
from rules.calendar import CalendarData
from workflow.adapters import repository as repo
from workflow.adapters import timer_store as store
from workflow.adapters.database import Database, sqlite_file
from workflow.adapters.units import SqlUnitDirectory
from workflow.adapters.writes import Bound, Writes
from workflow.adapters.writes import send as send_bound
from workflow.commands.record import record
from workflow.domain.errors import VersionConflict
from workflow.runtime.bootstrap import Container, build_engine
from workflow.runtime.config import Settings
from workflow.services.engine import Engine, EngineSettings
from workflow.services.timer_events import decide_timer
from workflow.services.timers import TimerPlan

log = logging.getLogger(__name__)

# Matters read ahead per storm, in batches: the rest (a storm beyond this many) is
# left to the serial sweep, or to the next sweep, which plans again.
_BATCHES_PER_STORM = 256


@dataclass
class Plan:
    """One batch as a worker decided it: the rows to send and the timers to mark."""

    rows: list[Bound] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def plan_batch(
    conn: Connection, engine: Engine, matters: list[str], now: datetime, skip: frozenset[str]
) -> Plan:
    """Decide the first due timer of each of ``matters`` on a read-only ``conn``, as the
    serial sweep's ``_fire`` does, and bind the rows its ``record`` would write."""
    firsts: dict[str, TimerPlan] = {}
    for timer in store.due_timers_of(conn, matters, now, skip):
        firsts.setdefault(timer.case_id, timer)  # in due order: the first is kept
    timers = list(firsts.values())
    recorded = store.recorded(conn, [t.id for t in timers])
    loaded = repo.load_cases(conn, list(firsts))
    writes = Writes()
    bureaus: dict[str, str | None] = {}
    plan = Plan()
    for timer in timers:
        if timer.id in recorded:  # recorded before; only the mark was lost
            plan.fired.append(timer.id)
            continue
        case = loaded.get(timer.case_id)
        if case is None:
            plan.cancelled.append(timer.id)
            continue
        event = decide_timer(engine, case, timer, now, partial(store.cached_bureau, conn, bureaus))
        if event is None:
            plan.cancelled.append(timer.id)
            continue
        record(conn, engine, case, event, now, timer_id=timer.id, writes=writes)
        plan.fired.append(timer.id)
    plan.rows = writes.bound(conn.dialect)
    return plan


def write_plan(container: Container, plan: Plan, now: datetime) -> bool:
    """Send a plan in one write transaction; False (and nothing kept) if the matters or
    timers it was decided on have changed since."""
    try:
        with container.db.write() as conn:
            send_bound(conn, plan.rows)
            marked = store.settle(conn, plan.fired, "fired", now) and store.settle(
                conn, plan.cancelled, "cancelled", now
            )
            if not marked:
                raise VersionConflict("a planned timer is no longer pending")
    except (VersionConflict, IntegrityError, OperationalError) as exc:
        log.info("planned batch left to the sweep: %s", exc)
        return False
    return True


@dataclass(frozen=True)
class _Spec:
    """What a worker needs to build the same engine as this process's."""

    settings: Settings
    calendar: CalendarData
    engine: EngineSettings


# The worker process's database and engine, built once by ``_start``.
_worker: tuple[Database, Engine] | None = None


def _start(spec: _Spec) -> None:
    global _worker
    _end_with_parent()
    db = Database(spec.settings.database_url)
    units = SqlUnitDirectory(db)
    _worker = (db, build_engine(spec.settings, units, WorkingCalendar(spec.calendar), spec.engine))


def spec_of(container: Container) -> _Spec:
    """What a worker needs to decide as ``container`` decides."""
    engine = container.engine
    return _Spec(container.settings, engine.calendar.data, engine.settings)


def pool(spec: _Spec, workers: int) -> ProcessPoolExecutor:
    """Spawned worker processes, each with its engine built from ``spec``."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(spec,),
    )


def _end_with_parent() -> None:
    """End this worker as soon as the process that started it has ended, however it did.

    A pool's worker waits for work on a queue whose write end it holds itself, so a
    sweeping process that dies without shutting its pool down (SIGKILL, the OOM killer)
    never wakes it: it would stay, with its ~90 MB and its database connection, until the
    machine restarts. The parent's sentinel (the pipe the parent spawned it through) is
    ready once the parent has exited.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(1)  # no clean-up to run: a worker only reads, and holds no transaction

    threading.Thread(target=watch, name="sweep-worker-parent", daemon=True).start()


def _plan_in_worker(matters: list[str], now: datetime, skip: frozenset[str]) -> Plan | str:
    """A plan, or why there is none (the serial sweep then handles these matters)."""
    assert _worker is not None, "worker not started"
    db, engine = _worker
    try:
        with db.read() as conn:
            return plan_batch(conn, engine, matters, now, skip)
    except Exception as exc:  # any failure: the serial sweep sorts out which timer
        return f"{type(exc).__name__}: {exc}"


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def applies(container: Container) -> bool:
    """Workers on: SQLite in a file (a worker cannot open another process's in-memory
    database), at least one worker, a second core for them to run on (on one core they
    only add the cost of handing plans over), and no listeners."""
    return (
        sqlite_file(container.db.url) is not None
        and container.settings.sweep_workers > 0
        and cores() > 1
        and not container.petitions.listeners
    )


def sweep_storm(
    container: Container,
    now: datetime,
    size: int,
    skip: frozenset[str],
    stop: threading.Event | None = None,
) -> tuple[list[str], list[str]]:
    """Fire a storm's first due timers through worker processes; (fired, cancelled)
    timer ids, in the order written. Nothing if the storm is too small for workers.
    Once ``stop`` is set no more batches are handed out; those being planned are still
    written (a fraction of a second), and the rest stay due."""
    fired: list[str] = []
    cancelled: list[str] = []
    if not applies(container) or (stop is not None and stop.is_set()):
        return fired, cancelled  # (stopping: no workers started only to be sent home)
    with container.db.read() as conn:
        matters = store.due_matters(conn, now, size * _BATCHES_PER_STORM, skip)
    if len(matters) < container.settings.sweep_parallel_from:
        return fired, cancelled
    workers = min(container.settings.sweep_workers, cores())
    batches = deque(matters[i : i + size] for i in range(0, len(matters), size))
    try:
        with pool(spec_of(container), workers) as executor:
            # Two batches per worker in flight: one being decided, one waiting to be
            # written, so neither the workers nor this writer wait for the other.
            flight: deque[Future[Plan | str]] = deque()
            while batches or flight:
                if stop is not None and stop.is_set():
                    batches.clear()
                while batches and len(flight) < 2 * workers:
                    flight.append(executor.submit(_plan_in_worker, batches.popleft(), now, skip))
                plan = flight.popleft().result()
                if isinstance(plan, str):
                    log.info("batch left to the sweep: %s", plan)
                elif write_plan(container, plan, now):
                    fired += plan.fired
                    cancelled += plan.cancelled
    except Exception:  # workers could not start or died: the serial sweep does the rest
        log.warning("sweep workers stopped; the sweep goes on alone", exc_info=True)
    return fired, cancelled
