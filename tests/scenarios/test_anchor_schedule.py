"""The running scheduler anchors every whole day that has no anchor yet, once."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support import at, make_container, register
from workflow.audit import anchors
from workflow.domain.clock import SimulatedClock
from workflow.timers.process import start_scheduler, stop_scheduler


def test_scheduler_anchors_finished_days(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    register(c)
    assert isinstance(c.clock, SimulatedClock)
    c.clock.set(at("2026-03-04 09:00"))
    handle = start_scheduler(c)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with c.db.read() as conn:
                if anchors.stored(conn):
                    break
            time.sleep(0.05)
    finally:
        stop_scheduler(handle)
    with c.db.read() as conn:
        made = anchors.stored(conn)
    # 03-02 had an event; 03-03 (nothing recorded) may or may not get an empty anchor,
    # but no day is anchored twice and today (03-04) is not over yet.
    days = [a.day.isoformat() for a in made]
    assert "2026-03-02" in days and "2026-03-04" not in days
    assert len(days) == len(set(days))
