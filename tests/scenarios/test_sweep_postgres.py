"""On PostgreSQL, sweepers claim with FOR UPDATE SKIP LOCKED: each timer fires once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import postgres_schema_url
from tests.scenarios.helpers import assert_replays, events_by_timer, timer_status
from tests.support import at, make_container, register
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import bootstrap
from workflow.timers.sweep import sweep

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


def test_three_sweepers_on_postgres_fire_each_timer_once(tmp_path: Path, pg_url: str) -> None:
    first = make_container(tmp_path, at("2026-03-02 09:00"), database_url=pg_url)
    ids = []
    for _ in range(12):
        # Twelve matters a day apart, each with a route warning and breach.
        ids.append(register(first, received_at=first.clock.now().isoformat()).id)
        first.clock.advance(days=1)  # type: ignore[attr-defined]
    later = at("2026-05-01 12:00")
    sweepers = [bootstrap(first.settings, clock=SimulatedClock(later)) for _ in range(3)]
    barrier = threading.Barrier(len(sweepers))
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run(c: Any) -> None:
        try:
            barrier.wait()
            reports.append(sweep(c, later, batch=2))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in sweepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert not errors
        fired = [t for r in reports for t in r.fired]
        assert len(fired) == len(set(fired)) == 24
        assert set(events_by_timer(first).values()) == {1}
        assert all(s != "pending" for s in timer_status(first).values())
        assert_replays(first, *ids)
    finally:
        for c in [first, *sweepers]:
            c.db.dispose()
