"""P6: the service's memory with few and with many matters stored.

The engine keeps no per-matter state in memory, so a ``petitionflow serve`` process should
weigh about the same over 10,000 matters as over 1,000,000. Set-up: one matter is
registered through the engine and its writes recorded; ``bench.recorded.clone`` inserts
copies with executemany (own id, number and chained hash each; documents, deadlines,
timers and personal data are the engine's own rows), first up to the small size, then up
to the large one on the same database.

At each size a real ``petitionflow serve`` (scheduler off: every deadline is long past on
the system clock) is started ``--runs`` times; each time it serves list pages (the whole
tree, a subtree, overdue, due-before: what a supervisor asks), single matters with their
history, and the event feed, then its resident set size (RSS) is read.

Run: ``python -m bench.p6_memory [--quick] [--small N] [--large N] [--database-url URL]``.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

import httpx
import psutil
from tests.loopback import CLI, free_port
from tests.support import actor, petition_body

from bench.common import SH, container, database, fmt, parser, raw_connect, report, versions
from bench.recorded import Recorder, Recording, Step, clone
from bench.server import bearer, running
from workflow.domain.actions import Register
from workflow.domain.actor import Role

START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
MB = 1024 * 1024


def record_into(url: str) -> Recording:
    """Register one matter on ``url`` (which keeps it) and record its writes."""
    c = container(url, START)
    registrar = actor("C1-XF", Role.REGISTRAR)
    c.petitions.register(Register.model_validate(petition_body(subject="预热")), registrar)
    recorder = Recorder(c.db.writer)
    with recorder.capture() as written:
        case = c.petitions.register(Register.model_validate(petition_body()), registrar)
    recorder.close()
    event = c.petitions.history(case.id)[0]
    c.db.dispose()
    return Recording(case.id, case.number, [Step.of("register", written, event)])


def exercise(port: int, ids: list[str], requests: int) -> int:
    """List, get and feed requests a supervisor and handlers make; returns how many."""
    base = f"http://127.0.0.1:{port}"
    supervisor = bearer(Role.SUPERVISOR, "P")
    handler = bearer(Role.HANDLER, "C1-XF")
    done = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for params in (
            {"unit": "P", "subtree": "true"},
            {"unit": "C1", "subtree": "true", "overdue": "false"},
            {"unit": "P", "subtree": "true", "due_before": "2026-12-31"},
            {"unit": "C1-XF", "state": "registered"},
        ):
            cursor: Any = None
            for _ in range(10):
                query = {**params, "limit": "200", **({"cursor": cursor} if cursor else {})}
                page = client.get("/v1/petitions", params=query, headers=supervisor)
                page.raise_for_status()
                done += 1
                cursor = page.json().get("next_cursor")
                if not cursor:
                    break
        cursor = None
        for _ in range(10):
            feed = client.get(
                "/v1/events",
                params={"limit": "200", **({"cursor": cursor} if cursor else {})},
                headers=supervisor,
            )
            feed.raise_for_status()
            done += 1
            cursor = feed.json().get("next_cursor")
            if not cursor:
                break
        for case_id in random.sample(ids, min(requests, len(ids))):
            client.get(f"/v1/petitions/{case_id}", headers=handler).raise_for_status()
            client.get(f"/v1/petitions/{case_id}/history", headers=handler).raise_for_status()
            done += 2
    return done


def measure(url: str, ids: list[str], runs: int, requests: int) -> tuple[list[float], int]:
    rss: list[float] = []
    served = 0
    for _ in range(runs):
        port = free_port()
        serve = [*CLI, "serve", "--development"]  # tokens signed with the default secret
        args = [*serve, "--port", str(port), "--database-url", url, "--no-scheduler"]
        with running(args, port) as pid:
            served = exercise(port, ids, requests)
            time.sleep(0.5)
            rss.append(psutil.Process(pid).memory_info().rss / MB)
    return rss, served


def main() -> None:
    args = parser(__doc__ or "")
    args.add_argument("--small", type=int, default=None, help="default 10000")
    args.add_argument("--large", type=int, default=None, help="default 1000000 (quick 50000)")
    options = args.parse_args()
    small = options.small or 10_000
    large = options.large or (50_000 if options.quick else 1_000_000)
    requests = 100 if options.quick else 500
    with database(options.database_url) as url:
        rec = record_into(url)
        raw = raw_connect(url)
        started = time.perf_counter()
        ids = clone(raw, rec, small)
        small_setup = time.perf_counter() - started
        small_rss, served = measure(url, ids, options.runs, requests)
        started = time.perf_counter()
        ids += clone(raw, rec, large - small, first=small)
        large_setup = time.perf_counter() - started
        large_rss, _ = measure(url, ids, options.runs, requests)
        raw.conn.close()
    growth = [b - a for a, b in zip(small_rss, large_rss, strict=True)]
    report(
        options.json,
        "P6 memory",
        {
            "database": (options.database_url or "sqlite").split(":", 1)[0],
            "matters": {"small": small, "large": large},
            "requests_served_per_run": served,
            "runs": options.runs,
            "setup_seconds": {"small": round(small_setup, 1), "large": round(large_setup, 1)},
            "min/median/max": {
                "rss_mb_small": fmt(small_rss, 1),
                "rss_mb_large": fmt(large_rss, 1),
                "growth_mb (run by run)": fmt(growth, 1),
            },
            "versions": versions("psutil"),
        },
    )


if __name__ == "__main__":
    main()
