"""The sweep: fire every timer that has fallen due, once, in due order.

One write transaction per batch of timers. The batch is first fired together: one
savepoint, every timer decided and folded, their rows sent statement by statement with
executemany. If anything in it fails, the savepoint is rolled back and the batch is
fired timer by timer, each in its own savepoint, so a timer that fails rolls back alone
and its failure is recorded in the same transaction (attempts, last_error; ``failed``
after ``MAX_ATTEMPTS``). The timer's
event is appended with the timer id, which the events table keeps unique, and the timer
is marked fired in the same transaction: running the sweep again, or two sweeps at once,
can never record a timer twice.

On SQLite a storm (many matters due at once) is first handed to worker processes that
decide its batches while this process writes them (``workflow.timers.workers``); what
they leave is swept here as above, so the outcome is the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from workflow.adapters import repository as repo
from workflow.adapters import timer_store as store
from workflow.adapters.writes import Writes
from workflow.commands.record import record
from workflow.domain.case import Case
from workflow.domain.clock import SimulatedClock
from workflow.domain.errors import InvalidCommand, VersionConflict
from workflow.domain.events import Event
from workflow.runtime.bootstrap import Container
from workflow.services.timer_events import decide_timer
from workflow.services.timers import TimerPlan
from workflow.timers.workers import sweep_storm

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What one sweep (or one clock advance) did; ids in the order they were handled."""

    now: datetime
    fired: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    # Asked to stop (the process is shutting down) with timers still due: the next
    # sweep, here or in another process, takes them up.
    stopped: bool = False

    @property
    def handled(self) -> int:
        return len(self.fired) + len(self.cancelled)

    def count(self, timer_id: str, outcome: str) -> None:
        """A timer handled: ``fired``, ``cancelled``, or ``gone`` (nothing to report)."""
        if outcome == "fired":
            self.fired.append(timer_id)
        elif outcome == "cancelled":
            self.cancelled.append(timer_id)

    def add(self, other: SweepReport) -> None:
        self.now = other.now
        self.fired += other.fired
        self.cancelled += other.cancelled
        self.failed += other.failed
        self.deferred += other.deferred

    def to_dict(self) -> dict[str, object]:
        return {
            "now": self.now.isoformat(),
            "fired": len(self.fired),
            "cancelled": len(self.cancelled),
            "failed": len(self.failed),
            "deferred": len(self.deferred),
            "timers": {"fired": self.fired, "failed": self.failed},
        }


Notice = tuple[Case, list[Event]]


def sweep(
    container: Container,
    now: datetime | None = None,
    *,
    batch: int | None = None,
    skip: Collection[str] = (),
    stop: threading.Event | None = None,
) -> SweepReport:
    """Fire everything due by ``now`` (default: the container's clock), batch by batch.

    ``skip`` names timers not to touch in this call (advance_clock passes those that
    already failed during the same advance, so each is tried once per advance). Once
    ``stop`` is set the sweep ends after the batch it is writing (``report.stopped``):
    a storm takes many batches, and a process asked to shut down should not make its
    supervisor wait for all of them (or kill it). Every batch is one transaction, so
    what is left is simply still due.
    """
    moment = now or container.clock.now()
    size = batch or container.settings.sweep_batch
    report = SweepReport(moment)
    # A storm's first due timers through worker processes, where that applies; what they
    # leave (and every later timer) is handled below, as always.
    report.fired, report.cancelled = sweep_storm(container, moment, size, frozenset(skip), stop)
    passed = set(skip)
    bureaus: dict[str, str | None] = {}  # units do not move during one sweep
    while True:
        if stop is not None and stop.is_set():
            report.stopped = True
            return report
        notices: list[Notice] = []
        with container.db.write() as conn:
            due, exhausted = store.claim_due(conn, moment, size, passed)
            recorded = store.recorded(conn, [t.id for t in due])
            shared = _fire_together(
                container, conn, due, moment, report, notices, recorded, bureaus
            )
            if shared is None:  # one timer failed the batch: each on its own instead
                shared = _Batch(recorded, bureaus)
                for timer in due:
                    _fire_isolated(container, conn, timer, moment, report, notices, shared)
            store.mark_fired(conn, shared.fired, moment)
        passed.update(report.failed + report.deferred)  # still pending: not again now
        _notify(container, notices)
        if exhausted or not due:
            return report  # nothing left, or the rest is claimed by another sweeper


@dataclass
class _Batch:
    """What the timers of one claimed batch share, read once instead of once per timer.

    Every claimed timer was pending when claimed; only an earlier timer of the same matter
    in this batch can have changed that, so only those are looked up again. The main path's
    "fired" marks are written together at the end of the batch, in its transaction.
    """

    recorded: set[str]  # claimed timers whose event is already in the history
    bureaus: dict[str, str | None]
    touched: set[str] = field(default_factory=set)
    fired: list[str] = field(default_factory=list)
    # Firing together: the rows of every save, sent statement by statement at the end
    # (or before a second timer of a matter, which must see the first's writes), and
    # the batch's matters read in one query (each used once: a second timer of a matter
    # reads it again, after the first's writes).
    writes: Writes | None = None
    loaded: dict[str, Case] = field(default_factory=dict)


def _fire_together(
    container: Container,
    conn: Connection,
    due: list[TimerPlan],
    now: datetime,
    report: SweepReport,
    notices: list[Notice],
    recorded: set[str],
    bureaus: dict[str, str | None],
) -> _Batch | None:
    """Fire the whole batch under one savepoint, its writes sent together; ``None`` if
    anything went wrong, with nothing of it kept.

    The common case of a storm (thousands of matters breaching at one instant) costs one
    savepoint and one executemany per statement instead of a savepoint and a dozen
    statements per timer. Any failure (a timer that cannot be decided, a conflict, a
    database error) rolls the whole batch back and the caller fires it timer by timer,
    where each failure stays with its own timer: the outcome is the same either way.
    """
    writes = Writes()
    loaded = repo.load_cases(conn, list(dict.fromkeys(t.case_id for t in due)))
    batch = _Batch(recorded, bureaus, writes=writes, loaded=loaded)
    outcomes: list[tuple[str, str]] = []
    mine: list[Notice] = []
    try:
        with conn.begin_nested():
            for timer in due:
                outcomes.append((timer.id, _fire(container, conn, timer, now, mine, batch)))
            writes.run(conn)
    except Exception as exc:  # the timer-by-timer path sorts out which timer and why
        log.info("batch of %d timers fired one by one instead: %s", len(due), exc)
        return None
    for timer_id, outcome in outcomes:
        report.count(timer_id, outcome)
    notices.extend(mine)
    return batch


def _fire_isolated(
    container: Container,
    conn: Connection,
    timer: TimerPlan,
    now: datetime,
    report: SweepReport,
    notices: list[Notice],
    batch: _Batch,
) -> None:
    try:
        with conn.begin_nested():
            outcome = _fire(container, conn, timer, now, notices, batch)
    except (VersionConflict, IntegrityError, OperationalError) as exc:
        # Another writer changed the matter meanwhile, or the database chose this
        # transaction as a deadlock victim: not the timer's fault, so no attempt is
        # counted; the next sweep retries it.
        log.info("timer %s deferred: %s", timer.id, exc)
        report.deferred.append(timer.id)
        return
    except Exception as exc:  # any failure stays with its own timer
        status = store.record_failure(conn, timer.id, f"{type(exc).__name__}: {exc}")
        log.warning("timer %s failed (%s): %s", timer.id, status, exc, exc_info=True)
        report.failed.append(timer.id)
        return
    report.count(timer.id, outcome)


def _fire(
    container: Container,
    conn: Connection,
    timer: TimerPlan,
    now: datetime,
    notices: list[Notice],
    batch: _Batch,
) -> str:
    # Popped by the matter's first timer whatever it does: a later one reads afresh.
    prefetched = batch.loaded.pop(timer.case_id, None)
    if timer.case_id in batch.touched:
        if batch.writes is not None:
            batch.writes.run(conn)  # the earlier timer's writes, before this one reads
        if not store.is_pending(conn, timer.id):
            return "gone"  # an earlier timer in this batch closed its deadline
    batch.touched.add(timer.case_id)
    if timer.id in batch.recorded:
        store.mark(conn, timer.id, "fired", now)  # recorded before; only the mark was lost
        return "fired"
    case = prefetched or repo.load_case(conn, timer.case_id)
    if case is None:
        store.mark(conn, timer.id, "cancelled", now)
        return "cancelled"
    engine = container.engine
    event = decide_timer(
        engine, case, timer, now, partial(store.cached_bureau, conn, batch.bureaus)
    )
    if event is None:
        store.mark(conn, timer.id, "cancelled", now)
        return "cancelled"
    record(conn, engine, case, event, now, timer_id=timer.id, writes=batch.writes)
    # save() left this timer pending (it is the one firing); it is marked fired with
    # the rest of the batch, in the same transaction.
    batch.fired.append(timer.id)
    notices.append((case, [event]))
    return "fired"


def _notify(container: Container, notices: list[Notice]) -> None:
    for case, events in notices:
        for listener in container.petitions.listeners:
            listener(case, events)


def advance_clock(
    container: Container, *, now: datetime | None = None, advance_days: int | None = None
) -> SweepReport:
    """Move the simulated clock forward and fire what fell due on the way, in due order.

    The clock stops at each due instant on the way, so every timer is recorded at the
    moment a running scheduler would have recorded it.
    """
    clock = container.clock
    if not isinstance(clock, SimulatedClock):
        raise InvalidCommand("the clock is not simulated (settings.clock)", field="clock")
    target = _target(clock, now, advance_days)
    report = SweepReport(clock.now())
    while True:
        with container.db.read() as conn:
            due = store.next_due_at(conn, target, report.failed + report.deferred)
        if due is None:
            break
        clock.set(max(due, clock.now()))
        step = sweep(container, clock.now(), skip=report.failed + report.deferred)
        report.add(step)
        if step.handled == 0 and not step.failed:
            break  # only deferred timers remain: leave them to the scheduler
    clock.set(target)
    report.now = target
    return report


def _target(clock: SimulatedClock, now: datetime | None, advance_days: int | None) -> datetime:
    current = clock.now()
    if now is not None and advance_days is not None:
        raise InvalidCommand("give either now or advance_days, not both", field="now")
    if advance_days is not None:
        if advance_days < 0:
            raise InvalidCommand("advance_days must not be negative", field="advance_days")
        return current + timedelta(days=advance_days)
    if now is None:
        return current
    if now.tzinfo is None:
        raise InvalidCommand("now needs a UTC offset", field="now")
    if now < current:
        raise InvalidCommand(
            f"a simulated clock never runs backwards (it is {current.isoformat()})", field="now"
        )
    return now
