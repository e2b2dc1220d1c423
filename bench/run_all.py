"""Run every benchmark in turn: ``python -m bench [--quick] [--runs N] [--database-url URL]``.

Each benchmark runs in its own process (P6 measures a server's memory, and nothing of one
benchmark should warm or weigh on the next) and writes its figures as JSON into
``--out`` (default ``bench-results/``) besides printing them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

# Benchmarks built on bench.common.parser take every option; the others only --quick.
BENCHMARKS = {
    "p1_engine": True,
    "p2_http": True,
    "p4_timer_storm": True,
    "p6_memory": True,
    "supervision_bench": True,
    "verify_bench": False,
    "replay_bench": False,
}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--quick", action="store_true", help="small sizes: a few minutes in all")
    args.add_argument("--runs", type=int, default=5)
    args.add_argument("--database-url", default=None)
    args.add_argument("--out", type=Path, default=Path("bench-results"))
    args.add_argument("--only", nargs="*", choices=BENCHMARKS, default=list(BENCHMARKS))
    options = args.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in options.only:
        command = [sys.executable, "-m", f"bench.{name}"]
        if options.quick:
            command.append("--quick")
        if BENCHMARKS[name]:
            command += ["--runs", str(options.runs), "--json", str(options.out / f"{name}.json")]
            if options.database_url:
                command += ["--database-url", options.database_url]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
        print(f"== {name}: {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
