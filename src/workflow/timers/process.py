"""The deadline sweep as a running service: in the API process or on its own.

``start_scheduler``/``stop_scheduler`` are what the API lifespan calls when
``settings.scheduler`` is true; ``run_scheduler`` is ``petitionflow scheduler``.
On SQLite run one sweeping process per database file; on PostgreSQL any number
(rows are claimed with ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from workflow.adapters.scheduler import start_ticker, stop_ticker
from workflow.audit import anchors
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.runtime.config import Settings
from workflow.timers.sweep import SweepReport, sweep

log = logging.getLogger(__name__)


@dataclass
class SchedulerHandle:
    scheduler: BackgroundScheduler
    ticker: _Ticker  # its container is the one swept

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)


# Daily anchors are due once a day; looking for them every tick would be wasted work.
ANCHOR_CHECK_EVERY = timedelta(hours=1)


@dataclass
class _Ticker:
    """One tick: sweep, then (at most every ``ANCHOR_CHECK_EVERY``) anchor the due days."""

    container: Container
    anchors_checked: datetime | None = None
    # Set when the scheduler stops: a sweep in progress ends after its current batch.
    stop: threading.Event = field(default_factory=threading.Event)

    def __call__(self) -> SweepReport:
        report = sweep(self.container, stop=self.stop)
        if report.fired or report.cancelled or report.failed:
            log.info("sweep %s", report.to_dict())
        if report.stopped:
            log.info("sweep stopped for shutdown; what is still due waits for the next")
            return report
        now = self.container.clock.now()
        if self.anchors_checked is None or now - self.anchors_checked >= ANCHOR_CHECK_EVERY:
            self.anchors_checked = now
            made = anchors.create_due(self.container.db, now)
            if made:
                log.info("anchored %s", [a.day.isoformat() for a in made])
        return report


def start_scheduler(container: Container) -> SchedulerHandle:
    """Start sweeping now (catch-up) and every ``settings.sweep_interval_seconds``; anchor
    every whole day that has none (checked at most hourly)."""
    ticker = _Ticker(container)
    scheduler = start_ticker(ticker, container.settings.sweep_interval_seconds)
    return SchedulerHandle(scheduler, ticker)


def stop_scheduler(handle: SchedulerHandle, *, wait: bool = True) -> None:
    """Stop the ticker; a sweep in progress ends after the batch it is writing (with
    ``wait``, this returns once it has)."""
    handle.ticker.stop.set()
    stop_ticker(handle.scheduler, wait=wait)


def run_scheduler(settings: Settings) -> None:
    """Sweep until SIGINT or SIGTERM (``petitionflow scheduler``)."""
    container = bootstrap(settings)
    stopping = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        stopping.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    handle = start_scheduler(container)
    log.info("scheduler started: every %ss", settings.sweep_interval_seconds)
    try:
        stopping.wait()
    finally:
        stop_scheduler(handle)
        container.db.dispose()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
