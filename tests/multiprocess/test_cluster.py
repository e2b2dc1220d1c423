"""Two API processes and three schedulers on one PostgreSQL schema, as deployed.

* 10,000 timers fall due together (5,000 matters received months ago, each with its
  route warning and breach): the three ``petitionflow scheduler`` processes fire each
  exactly once and leave none pending.
* The same action on one matter sent to both API processes at once, with the same
  ``If-Match``: exactly one wins, the other gets 412 or 409.
* A reader polls ``GET /v1/events`` the whole time the schedulers and handlers write:
  it receives every event exactly once, in the database's commit order, and nothing is
  lost.

The processes use the system clock, so the matters are made due by being received in
the past, bulk-created in-process with the engine (registering 5,000 through HTTP would
dominate the run).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.loopback import CLI, free_port, spawn, stop, wait_ready
from tests.postgres import postgres_schema_url
from tests.support import actor, at, make_container, petition_body, register
from workflow.adapters.repository import EVENTS, TIMERS
from workflow.domain.actions import Register
from workflow.domain.actor import Role
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container
from workflow.runtime.tokens import mint

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MATTERS = 5_000  # x 2 timers (route warning and breach) = 10,000 due at once
YEARS = (2023, 2024, 2025, 2026)  # one case-number counter each, so writers run in parallel
CONFLICTS = 12


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


def bulk_register(c: Container, year: int, count: int, batch: int = 250) -> None:
    """PetitionService.register, many matters per transaction."""
    now = c.clock.now()
    registrar = actor("C1-XF", Role.REGISTRAR)
    received = f"{year}-03-02T09:00:00+08:00"
    for start in range(0, count, batch):
        with c.db.write() as conn:
            for _ in range(min(batch, count - start)):
                # A subject of its own each (petition_body): copies of one petition
                # would be linked as repeats.
                command = Register.model_validate(petition_body(received_at=received))
                c.petitions.register_in(conn, command, registrar, now)


class FeedReader(threading.Thread):
    """Polls the change feed until told to stop and then finds it drained."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.items: list[dict[str, Any]] = []
        self.polls_during_writes = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        cursor = ""
        try:
            while True:
                stopping = self.stop.is_set()
                response = self.client.get("/v1/events", params={"after": cursor, "limit": 200})
                response.raise_for_status()
                page = response.json()
                self.items.extend(page["items"])
                cursor = page["next_cursor"]
                if not stopping:
                    self.polls_during_writes += 1
                if not page["items"]:
                    if stopping:
                        return
                    time.sleep(0.05)
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            self.client.close()


def conflict(bases: list[str], token: str, case_id: str) -> list[int]:
    """The same action with the same If-Match sent to both API processes at once."""
    barrier = threading.Barrier(len(bases))
    codes: list[int] = []

    def send(base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            barrier.wait()
            response = client.post(
                f"/v1/petitions/{case_id}/actions",
                json={"action": "classify", "type": "claim", "route": "petition"},
                headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
            )
            codes.append(response.status_code)

    threads = [threading.Thread(target=send, args=(b,)) for b in bases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(codes)


def test_two_api_processes_and_three_schedulers_on_one_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    c = make_container(tmp_path, at("2026-09-01 09:00"), database_url=pg_url)
    writers = [
        threading.Thread(target=bulk_register, args=(c, year, MATTERS // len(YEARS)))
        for year in YEARS
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    now = datetime.now(UTC)
    with c.db.read() as conn:
        due = set(
            conn.execute(
                select(TIMERS.c.id).where(TIMERS.c.status == "pending", TIMERS.c.due_at <= now)
            ).scalars()
        )
    assert len(due) == 2 * MATTERS
    # Matters for the conflicting actions, received today: nothing of theirs falls due.
    assert isinstance(c.clock, SimulatedClock)
    c.clock.set(now)
    contested = [register(c, received_at=now.isoformat()).id for _ in range(CONFLICTS)]

    env = {
        **os.environ,
        "PETITIONFLOW_DATABASE_URL": pg_url,
        "PETITIONFLOW_SWEEP_INTERVAL_SECONDS": "0.5",
        "PETITIONFLOW_LOG_JSON": "false",
        # Tokens are minted with the default (development) secret.
        "PETITIONFLOW_DEVELOPMENT": "true",
        # The feed reader polls as fast as it can; the per-caller read budget is a
        # protection for shared deployments, not what this test is about.
        "PETITIONFLOW_RATE_LIMIT_READS_PER_MINUTE": "0",
    }
    procs: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for i in range(2):
            port = free_port()
            log = tmp_path / f"api{i}.log"
            procs.append(spawn([*CLI, "serve", "--port", str(port), "--no-scheduler"], env, log))
            bases.append(f"http://127.0.0.1:{port}")
            wait_ready(procs[-1], bases[-1], log)
        admin = mint(c.settings, Role.ADMIN, "P", "feed-reader@P")
        handler = mint(c.settings, Role.HANDLER, "C1-XF", "handler@C1-XF")
        reader = FeedReader(bases[1], admin)
        reader.start()
        for i in range(3):
            procs.append(spawn([*CLI, "scheduler"], env, tmp_path / f"scheduler{i}.log"))

        outcomes = [conflict(bases, handler, case_id) for case_id in contested]

        left, deadline = len(due), time.monotonic() + 600
        while time.monotonic() < deadline:
            with c.db.read() as conn:
                left = conn.execute(
                    select(func.count())
                    .select_from(TIMERS)
                    .where(TIMERS.c.id.in_(due), TIMERS.c.status == "pending")
                ).scalar_one()
            if left == 0:
                break
            assert all(p.poll() is None for p in procs), "a process died"
            time.sleep(1)
        # Checked here, before the processes stop: a scheduler stopped by SIGTERM still
        # commits the batch it holds, which the reader would then never be asked for.
        assert left == 0, f"{left} timers still pending after 600 s"
        reader.stop.set()
        reader.join(300)
        assert not reader.is_alive(), "the feed reader did not catch up"
    finally:
        stop(*procs, timeout=60)

    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log")}
    assert all(p.returncode == 0 for p in procs[2:]), logs  # schedulers stop cleanly

    # Each conflicting pair: exactly one winner; the loser saw a stale version or state.
    for codes in outcomes:
        assert len(codes) == 2 and codes[0] == 200 and codes[1] in (409, 412), outcomes

    with c.db.read() as conn:
        fired = Counter(
            conn.execute(select(EVENTS.c.timer_id).where(EVENTS.c.timer_id.in_(due))).scalars()
        )
        still_pending = conn.execute(
            select(func.count())
            .select_from(TIMERS)
            .where(TIMERS.c.status == "pending", TIMERS.c.due_at <= now)
        ).scalar_one()
        stored = [
            (r.case_id, r.seq, f"{r.commit_seq}-{r.id}")
            for r in conn.execute(
                select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.commit_seq, EVENTS.c.id).order_by(
                    EVENTS.c.commit_seq, EVENTS.c.id
                )
            )
        ]
    assert set(fired) == due and set(fired.values()) == {1}  # each timer once
    assert still_pending == 0
    # Nothing lost: registrations, the winning actions and every fired timer.
    assert len(stored) == MATTERS + 2 * CONFLICTS + len(due)

    # The feed, read while all this was written: every event once, in commit order.
    assert reader.error is None, reader.error
    assert reader.polls_during_writes > 1
    delivered = [(e["case_id"], e["seq"], e["id"]) for e in reader.items]
    assert len(delivered) == len(set(delivered))
    assert delivered == stored
    last_seq: dict[str, int] = {}
    for case_id, seq, _ in delivered:  # and each matter's events in seq order
        assert seq == last_seq.get(case_id, 0) + 1
        last_seq[case_id] = seq
    c.db.dispose()
