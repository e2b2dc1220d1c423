"""P4: a timer storm. Every matter registered on one day breaches on the same instant.

Matters registered on 2026-09-22 at a petition bureau get the 15-day routing deadline,
which ends on 10-07 inside the National Day holiday and rolls to Thursday 10-08: all their
breach timers fall due at 10-09 00:00 (Asia/Shanghai). ``warning_days=0`` so each matter
has exactly one due timer.

Set-up (not timed): one matter is registered through the engine and its writes are
recorded; ``bench.recorded.clone`` inserts N copies with executemany (own id, number and
chained hash each; the documents, deadlines and timers are the engine's own rows). The
breach of the recorded matter is swept once through the engine to record its writes.

Timed, side by side on three databases holding the same N matters:
- ``sweep``: ``workflow.timers.sweep.sweep`` as the service runs it (Settings' defaults: batches
  of 500; a storm of 10,000 matters or more decided by 2 worker processes while the
  sweep writes, ``workflow.timers.workers``);
- ``serial sweep``: the same with ``sweep_workers=0`` (claim by matter, decide, fold,
  save, mark fired, all in the write transaction); run only where the sweep above used
  workers (elsewhere, at ``--quick`` size or on PostgreSQL, it is the same run);
- ``floor``: plain DB-API, the same batches: per matter load the document, hash the
  event, write the rows the sweep wrote for the recorded matter, one commit per batch.

Run: ``python -m bench.p4_timer_storm [--quick] [--timers N] [--database-url URL]``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from tests.support import actor, petition_body

from bench.common import SH, container, database, fmt, parser, raw_connect, report, versions
from bench.recorded import Recorder, Recording, Step, Writer, clone
from workflow.adapters.repository import TIMERS
from workflow.domain.actions import Register
from workflow.domain.actor import Role
from workflow.runtime.config import Settings
from workflow.timers.sweep import sweep
from workflow.timers.workers import applies

REGISTERED = datetime(2026, 9, 22, 9, 0, tzinfo=SH)
BREACH = datetime(2026, 10, 9, 0, 0, tzinfo=SH)
SETTINGS: dict[str, Any] = {"warning_days": 0}


def record(url: str) -> Recording:
    """Register one matter and sweep its breach through the engine, keeping the writes."""
    c = container(url, REGISTERED, **SETTINGS)
    registrar = actor("C1-XF", Role.REGISTRAR)
    c.petitions.register(Register.model_validate(petition_body(subject="预热")), registrar)
    recorder = Recorder(c.db.writer)
    with recorder.capture() as registered:
        case = c.petitions.register(Register.model_validate(petition_body()), registrar)
    with c.db.write() as conn:  # only this matter's breach is recorded
        conn.execute(update(TIMERS).where(TIMERS.c.case_id != case.id).values(status="held"))
    with recorder.capture() as swept:
        fired = sweep(c, BREACH + timedelta(seconds=1))
    recorder.close()
    if len(fired.fired) != 1:
        raise RuntimeError(f"expected one breach, the sweep reported {fired.to_dict()}")
    history = c.petitions.history(case.id)
    c.db.dispose()
    steps = [Step.of("register", registered, history[0]), Step.of("breach", swept, history[-1])]
    return Recording(case.id, case.number, steps)


def sweep_run(url: str, rec: Recording, timers: int, **settings: Any) -> tuple[float, float, bool]:
    """(seconds to set up, seconds until every timer fired, whether workers took part)
    for the real sweep."""
    c = container(url, REGISTERED, **SETTINGS, **settings)
    workers = applies(c) and timers >= c.settings.sweep_parallel_from
    raw = raw_connect(c.db.url)
    started = time.perf_counter()
    clone(raw, rec, timers, registered=REGISTERED)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    result = sweep(c, BREACH + timedelta(seconds=1))
    elapsed = time.perf_counter() - started
    if len(result.fired) != timers:
        raise RuntimeError(f"the sweep fired {len(result.fired)} of {timers}")
    raw.conn.close()
    c.db.dispose()
    return setup, elapsed, workers


def floor_run(url: str, rec: Recording, timers: int, batch: int) -> float:
    c = container(url, REGISTERED, **SETTINGS)
    raw = raw_connect(c.db.url)
    ids = clone(raw, rec, timers, registered=REGISTERED)
    c.db.dispose()
    writer = Writer(raw, rec, lambda _doc, _action: None)
    breach = rec.steps[1]
    started = time.perf_counter()
    for first in range(0, len(ids), batch):
        cur = writer.begin()
        for case_id in ids[first : first + batch]:
            writer.step(cur, breach, case_id, "", None)
        writer.commit(cur)
    elapsed = time.perf_counter() - started
    raw.conn.close()
    return elapsed


def main() -> None:
    args = parser(__doc__ or "")
    args.add_argument("--timers", type=int, default=None, help="default 100000 (quick 2000)")
    options = args.parse_args()
    timers = options.timers or (2_000 if options.quick else 100_000)
    with database(options.database_url) as url:
        rec = record(url)
    batch = Settings().sweep_batch
    setups: list[float] = []
    swept: list[float] = []
    serial: list[float] = []
    floors: list[float] = []
    for _ in range(options.runs):
        with database(options.database_url) as url:
            setup, elapsed, workers = sweep_run(url, rec, timers)
        setups.append(setup)
        swept.append(elapsed)
        if not workers:  # the sweep above was the serial sweep already
            serial.append(elapsed)
        else:
            with database(options.database_url) as url:
                serial.append(sweep_run(url, rec, timers, sweep_workers=0)[1])
        with database(options.database_url) as url:
            floors.append(floor_run(url, rec, timers, batch))
    report(
        options.json,
        "P4 timer storm",
        {
            "database": (options.database_url or "sqlite").split(":", 1)[0],
            "timers": timers,
            "runs": options.runs,
            "sweep_batch": batch,
            "sweep_workers": f"{Settings().sweep_workers} from "
            f"{Settings().sweep_parallel_from} matters due (SQLite only)",
            "min/median/max": {
                "setup_seconds (bulk clone)": fmt(setups, 1),
                "sweep_seconds_until_all_fired": fmt(swept, 1),
                "sweep_timers_per_second": fmt([timers / s for s in swept]),
                "serial_sweep_seconds": fmt(serial, 1),
                "serial_sweep_share_of_floor_throughput": fmt(
                    [f / s for s, f in zip(serial, floors, strict=True)], 2
                ),
                "floor_seconds": fmt(floors, 1),
                "floor_timers_per_second": fmt([timers / s for s in floors]),
                "sweep_share_of_floor_throughput": fmt(
                    [f / s for s, f in zip(swept, floors, strict=True)], 2
                ),
            },
            "versions": versions(),
        },
    )


if __name__ == "__main__":
    main()
