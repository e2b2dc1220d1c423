"""A server as a real process on loopback, for the tests and benchmarks that need one: a
free port, the process with its output in a file, waiting until it is ready, stopping it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

CLI = ("-c", "from api.cli import main; main()")  # ``python *CLI ...`` is ``petitionflow ...``


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(
    args: Sequence[str], env: Mapping[str, str], log: Path, *, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """``python args...`` with its output appended to ``log``: a file, not a pipe, which a
    busy server would fill and then stall on."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_ready(
    proc: subprocess.Popen[bytes], url: str, log: Path, *, timeout: float = 60.0
) -> None:
    """Poll ``url/readyz`` until it answers 200 (the database reachable); fail with the
    log's tail if the process exits or ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}: {_tail(log)}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout} s: {_tail(log)}")


def stop(*procs: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM to every process first, so they wind down side by side, then wait for
    each; one still running after ``timeout`` seconds is killed."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]
