"""APScheduler 3.x as a ticker: one interval job that runs the sweep.

The timers table is the schedule; APScheduler only wakes the sweep up. Its job store is
in memory and private to this process (3.x must never share a job store between
processes). The defaults would silently drop a late run (``misfire_grace_time`` is one
second), so they are set explicitly: a run that is late still runs, missed runs
coalesce into one, and two sweeps of this process never overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

JOB_ID = "petitionflow-sweep"
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def _guarded(tick: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            tick()
        except Exception:  # a failed sweep must not stop the next one
            log.exception("sweep failed")

    return run


def start_ticker(tick: Callable[[], object], interval_seconds: float) -> BackgroundScheduler:
    """Start a background scheduler calling ``tick`` now and every ``interval_seconds``.

    The first run is immediate: a restart catches up on whatever fell due while down.
    """
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    scheduler.add_job(
        _guarded(tick),
        "interval",
        seconds=interval_seconds,
        id=JOB_ID,
        name="deadline sweep",
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler


def stop_ticker(scheduler: BackgroundScheduler, *, wait: bool = True) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=wait)
