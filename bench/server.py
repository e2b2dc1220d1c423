"""A server process on loopback for the HTTP benchmarks: start, wait until ready, stop."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.loopback import spawn, stop, wait_ready

from workflow.domain.actor import Role
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

ROOT = Path(__file__).resolve().parents[1]
# A benchmark measures what the server can do, not the per-principal rate limits (a load
# generator is one principal asking far more often than any person would).
UNLIMITED = {
    "PETITIONFLOW_RATE_LIMIT_HEAVY_PER_MINUTE": "0",
    "PETITIONFLOW_RATE_LIMIT_READS_PER_MINUTE": "0",
}


@contextmanager
def running(args: Sequence[str], port: int, *, timeout: float = 120.0) -> Iterator[int]:
    """Run ``python args...`` until the context ends; yields the process id."""
    env = {
        **os.environ,
        **UNLIMITED,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        proc = spawn(args, env, log, cwd=ROOT)
        try:
            wait_ready(proc, f"http://127.0.0.1:{port}", log, timeout=timeout)
            yield proc.pid
        finally:
            stop(proc)


def bearer(role: Role, unit: str) -> dict[str, str]:
    token = mint(Settings(), role, unit, f"{role.value}@{unit}")
    return {"Authorization": f"Bearer {token}"}
