"""Replay of a 50-event case (target: p50 <= 2 ms) beside reading its events alone.

    .venv/bin/python -m bench.replay_bench [--quick]

The case is driven through the engine (registration, classification, transfer,
acceptance, then hearings opened and closed) to 50 events; replay folds them through
the statechart and compares with the projection. The floor is loading the same events
from the database, which every replay must do.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import act, at, make_container, register

from workflow.adapters import repository as repo


def _percentiles(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="200 rounds instead of 2,000")
    rounds = 200 if args.parse_args().quick else 2_000
    with tempfile.TemporaryDirectory() as tmp:
        c = make_container(Path(tmp), at("2026-09-22 09:00"))
        case = register(c)
        act(c, case, "C1-XF", "classify", type="claim", route="petition")
        act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign", feedback_days=10)
        act(c, case, "C1-ZJ", "accept")
        while c.petitions.get(case.id).version < 50:
            c.clock.advance(days=1)  # type: ignore[attr-defined]
            act(c, case, "C1-ZJ", "hearing_start")
            if c.petitions.get(case.id).version < 50:
                act(c, case, "C1-ZJ", "hearing_end")
        assert c.petitions.get(case.id).version == 50
        as_of = c.clock.now()

        def load() -> object:
            with c.db.read() as conn:
                return repo.load_events(conn, case.id)

        def replay() -> object:
            result = c.petitions.replay(case.id, as_of)
            assert result.events == 50 and result.matches_projection
            return result

        for _ in range(20):
            replay()
        floor = _percentiles(load, rounds)
        measured = _percentiles(replay, rounds)
        c.db.dispose()
    print(f"floor  load 50 events: p50 {floor[0]:.3f} ms, p95 {floor[1]:.3f} ms")
    p50, p95 = measured
    print(f"replay 50 events:      p50 {p50:.3f} ms, p95 {p95:.3f} ms (target <= 2 ms)")
    print(f"ratio replay / floor: p50 {p50 / floor[0]:.1f}x, p95 {p95 / floor[1]:.1f}x")


if __name__ == "__main__":
    main()
