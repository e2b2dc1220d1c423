"""A server process on loopback for the HTTP benchmarks: start, wait until healthy, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from workflow.auth_tokens import mint
from workflow.config import Settings
from workflow.domain.actor import Role

ROOT = Path(__file__).resolve().parents[1]
# A benchmark measures what the server can do, not the per-principal rate limits (a load
# generator is one principal asking far more often than any person would).
UNLIMITED = {
    "PETITIONFLOW_RATE_LIMIT_HEAVY_PER_MINUTE": "0",
    "PETITIONFLOW_RATE_LIMIT_READS_PER_MINUTE": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(args: Sequence[str], port: int, *, timeout: float = 120.0) -> Iterator[int]:
    """Run ``python args...`` until the context ends; yields the process id."""
    env = {
        **os.environ,
        **UNLIMITED,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    # Logs go to a file, not a pipe: a full pipe would stall the server mid-benchmark.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            _wait_healthy(proc, port, timeout, log)
            yield proc.pid
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout: float, log: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not healthy after {timeout} s")


def bearer(role: Role, unit: str) -> dict[str, str]:
    token = mint(Settings(), role, unit, f"{role.value}@{unit}")
    return {"Authorization": f"Bearer {token}"}
