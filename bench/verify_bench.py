"""Verify over a large log beside raw SHA-256 of the same bytes (target: >= 50% of it).

    .venv/bin/python -m bench.verify_bench [--quick] [--events N]

Generates the log fast: sealed events (``workflow.domain.events.seal``) bulk-inserted
straight into a fresh SQLite file, 50 per case, each case on one of 100 days, with a
case row per chain and the daily anchors, so verify runs all three of its checks. The
floor hashes each event's canonical bytes with ``hashlib.sha256`` in memory: the least
any verifier must do.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Integer, insert

from workflow.adapters.commit_order import COUNTER
from workflow.adapters.database import Database
from workflow.adapters.repository import CASES, COUNTERS, EVENTS
from workflow.adapters.types import UTCDateTime
from workflow.audit import anchors
from workflow.audit.verify import verify_log
from workflow.domain.events import GENESIS, Event, canonical_json, seal

PER_CASE = 50
DAYS = 100
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def _payload(case: int, seq: int) -> dict[str, Any]:
    return {
        "trigger": "extend" if seq > 1 else "register",
        "from": "handling",
        "to": "handling",
        "fields": {"days": 30, "reason": f"案情复杂，需要调查核实（第{seq}次）"},
        "facts": {"route_is_petition": True},
        "set": {"holder_unit": f"U{case % 97:03d}"},
        "append": {},
        "clocks": {
            "opened": [],
            "closed": [],
            "changed": [
                {
                    "id": f"c{case}-handle",
                    "rule": "handle",
                    "due_on": "2026-03-01",
                    "explanation": ["自受理之日起60日内办结（第三十四条）", "顺延节假日"],
                }
            ],
        },
    }


def _case_events(case: int) -> list[Event]:
    case_id = f"{case:032x}"
    base = START + timedelta(days=case % DAYS, seconds=case)
    prev = GENESIS
    out = []
    for seq in range(1, PER_CASE + 1):
        moment = base + timedelta(seconds=seq)
        event = seal(
            case_id=case_id,
            seq=seq,
            type="extended",
            occurred_at=moment,
            recorded_at=moment,
            actor="handler@U001",
            unit="U001",
            payload=_payload(case, seq),
            prev_hash=prev,
        )
        out.append(event)
        prev = event.hash
    return out


def _filler(column: Any) -> Any:
    """A value for a required case column the verify pass never reads."""
    if isinstance(column.type, UTCDateTime):
        return START
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, Integer):
        return 0
    return ""


def generate(db: Database, cases: int) -> int:
    """Insert the log; returns the total canonical bytes."""
    required = [
        c for c in CASES.c if not c.nullable and c.default is None and c.server_default is None
    ]
    total = 0
    batch_events: list[dict[str, Any]] = []
    batch_cases: list[dict[str, Any]] = []
    # Commit numbers as the change feed gives them: verify checks each matter's are set,
    # never go down and do not pass the feed counter.
    commits = itertools.count(1)
    for case in range(cases):
        events = _case_events(case)
        total += sum(len(canonical_json(e.body())) for e in events)
        batch_events.extend(
            {
                "case_id": e.case_id,
                "seq": e.seq,
                "type": e.type,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "actor": e.actor,
                "unit": e.unit,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "commit_seq": next(commits),
            }
            for e in events
        )
        row = {c.name: _filler(c) for c in required}
        row.update(
            id=events[0].case_id,
            number=f"XF{case:010d}",
            version=PER_CASE,
            last_hash=events[-1].hash,
            doc={},
        )
        batch_cases.append(row)
        if len(batch_events) >= 50_000:
            _flush(db, batch_events, batch_cases)
    _flush(db, batch_events, batch_cases)
    with db.write() as conn:
        conn.execute(insert(COUNTERS).values(name=COUNTER, value=next(commits) - 1))
    return total


def _flush(db: Database, events: list[dict[str, Any]], cases: list[dict[str, Any]]) -> None:
    if events:
        with db.write() as conn:
            conn.execute(insert(EVENTS), events)
            conn.execute(insert(CASES), cases)
    events.clear()
    cases.clear()


def floor_rate(sample_cases: int) -> tuple[float, float]:
    """Events/s and bytes/s of hashlib.sha256 over each event's canonical bytes."""
    bodies = [canonical_json(e.body()) for c in range(sample_cases) for e in _case_events(c)]
    size = sum(len(b) for b in bodies)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for body in bodies:
            hashlib.sha256(body).hexdigest()
        best = min(best, time.perf_counter() - started)
    return len(bodies) / best, size / best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="100,000 events instead of 1,000,000")
    args.add_argument("--events", type=int, default=None)
    args.add_argument("--runs", type=int, default=3)
    options = args.parse_args()
    events = options.events or (100_000 if options.quick else 1_000_000)
    cases = max(1, events // PER_CASE)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'verify.db'}")
        db.create_all()
        started = time.perf_counter()
        size = generate(db, cases)
        made = anchors.create_due(db, START + timedelta(days=DAYS + 2))
        print(
            f"log: {cases * PER_CASE:,} events in {cases:,} cases, {size / 1e6:.0f} MB canonical, "
            f"{len(made)} anchors; generated in {time.perf_counter() - started:.0f} s"
        )
        times = []
        for _ in range(options.runs):
            started = time.perf_counter()
            result = verify_log(db)
            times.append(time.perf_counter() - started)
            assert result.ok and result.events == cases * PER_CASE, result
        db.dispose()
    floor_events, floor_bytes = floor_rate(min(cases, 2_000))
    best = min(times)
    rate = cases * PER_CASE / best
    print(f"floor  sha256 per event: {floor_events:,.0f} events/s, {floor_bytes / 1e6:,.0f} MB/s")
    print(
        f"verify (best of {len(times)}, median {statistics.median(times):.2f} s): "
        f"{best:.2f} s, {rate:,.0f} events/s, {size / best / 1e6:,.0f} MB/s"
    )
    ratio = (size / best) / floor_bytes
    print(f"ratio verify / floor: {ratio:.0%} (target >= 50%)")


if __name__ == "__main__":
    main()
