"""R1 in CI: a few SIGKILL/restart cycles of the real server on SQLite and PostgreSQL.

The full run is a command: ``python -m tests.reliability.crash_harness --cycles 20``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import postgres_schema_url
from tests.reliability.crash_harness import MIN_ACKS_PER_CYCLE, run

CI_CYCLES = 3


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


def test_acknowledged_actions_survive_sigkill_on_sqlite(tmp_path: Path) -> None:
    report = run(f"sqlite:///{tmp_path / 'crash.db'}", cycles=CI_CYCLES, seed=10, workdir=tmp_path)
    assert report.cycles == CI_CYCLES
    # The load did real work in every cycle, so the checks had something to check.
    assert report.acknowledged >= MIN_ACKS_PER_CYCLE * CI_CYCLES and report.matters >= CI_CYCLES


@pytest.mark.postgres
def test_acknowledged_actions_survive_sigkill_on_postgres(tmp_path: Path, pg_url: str) -> None:
    report = run(pg_url, cycles=CI_CYCLES, seed=11, workdir=tmp_path, label="postgres")
    assert report.cycles == CI_CYCLES
    assert report.acknowledged >= MIN_ACKS_PER_CYCLE * CI_CYCLES and report.matters >= CI_CYCLES
