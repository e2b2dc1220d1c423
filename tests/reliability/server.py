"""``petitionflow serve`` as a real process on a free port, for crash and race tests."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.loopback import CLI, free_port, spawn, wait_ready


class Server:
    """``petitionflow serve`` in a subprocess; ``kill`` is SIGKILL, nothing graceful."""

    def __init__(self, database_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PETITIONFLOW_")},
            "PETITIONFLOW_DATABASE_URL": database_url,
            "PETITIONFLOW_PORT": str(self.port),
            "PETITIONFLOW_SWEEP_INTERVAL_SECONDS": "0.5",
            # Tokens are minted with the default (development) secret.
            "PETITIONFLOW_DEVELOPMENT": "true",
            # These tests are load, not abuse: expensive reads are not rate limited here.
            "PETITIONFLOW_RATE_LIMIT_HEAVY_PER_MINUTE": "0",
            "PETITIONFLOW_RATE_LIMIT_READS_PER_MINUTE": "0",
            **{f"PETITIONFLOW_{k.upper()}": v for k, v in env.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        self.proc = spawn([*CLI, "serve"], self.env, self.log)
        wait_ready(self.proc, self.url, self.log, timeout=timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None
