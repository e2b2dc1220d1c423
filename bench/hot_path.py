"""Where the time goes: the P1 request loop or the P4 sweep under a sampling profiler.

``python -m bench.hot_path engine [--matters N]`` profiles PetitionService (register and
five actions per matter, as P1 does); ``python -m bench.hot_path sweep [--timers N]``
profiles one sweep over N bulk-cloned breach timers (as P4 does). The profile is
pyinstrument's call tree, library frames folded, plus the share of wall time spent in
the few places BENCHMARKS.md names.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta

from pyinstrument import Profiler
from pyinstrument.frame import Frame

from bench.common import container, database, raw_connect

# Function name -> label, for the summary of shares.
WATCH = {
    "save": "repository.save (projection, deadlines, versions, timers, supervision)",
    "to_doc": "Case.to_doc",
    "decide": "decide (guards, statechart, clocks, seal)",
    "_load": "load the case (SELECT + Case.from_doc)",
    "load_case": "load the case (SELECT + Case.from_doc)",
    "write": "transaction begin/commit",
    "claim_due": "sweep: claim",
    "decide_timer": "decide_timer",
}


def _scratch_url() -> str:
    workdir = tempfile.mkdtemp(prefix="pf-hot-")
    atexit.register(shutil.rmtree, workdir, True)
    return f"sqlite:///{workdir}/hot.db"


def engine_workload(matters: int) -> Callable[[], None]:
    from bench.p1_engine import START, Commands

    commands = Commands()
    c = container(_scratch_url(), START)
    commands.engine(c.petitions, 5)()  # warm caches, the counter row
    return commands.engine(c.petitions, matters)


def sweep_workload(timers: int) -> Callable[[], None]:
    from bench.p4_timer_storm import BREACH, REGISTERED, SETTINGS, record
    from bench.recorded import clone
    from workflow.timers.sweep import sweep

    with database(None) as url:
        rec = record(url)
    c = container(_scratch_url(), REGISTERED, **SETTINGS)
    clone(raw_connect(c.db.url), rec, timers, registered=REGISTERED)

    def run() -> None:
        sweep(c, BREACH + timedelta(seconds=1))

    return run


def shares(root: Frame) -> dict[str, float]:
    """Wall-time share of each watched function (outermost call only)."""
    found: dict[str, float] = {}

    def walk(frame: Frame, inside: frozenset[str]) -> None:
        label = WATCH.get(frame.function)
        if label is not None and label not in inside and "site-packages" not in frame.file_path:
            found[label] = found.get(label, 0.0) + frame.time
            inside = inside | {label}
        for child in frame.children:
            walk(child, inside)

    walk(root, frozenset())
    return {label: round(100 * t / root.time, 1) for label, t in found.items()}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("what", choices=["engine", "sweep"])
    args.add_argument("--matters", type=int, default=200)
    args.add_argument("--timers", type=int, default=2000)
    options = args.parse_args()
    run = (
        engine_workload(options.matters)
        if options.what == "engine"
        else sweep_workload(options.timers)
    )
    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is not None:
        for label, share in sorted(shares(root).items(), key=lambda kv: -kv[1]):
            print(f"{share:5.1f}%  {label}")


if __name__ == "__main__":
    main()
