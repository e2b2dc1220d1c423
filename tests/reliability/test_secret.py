"""F7: no silent default signing secret, and demo tokens never in the log.

``petitionflow serve`` without ``PETITIONFLOW_JWT_SECRET`` refuses to start (one line,
no traceback, exit non-zero) unless ``--demo`` or development mode is asked for; the
demo signs with a random secret kept in ``./.petitionflow-demo-secret`` (which
``petitionflow token`` reads), never with the constant from the source, and writes no
token into its output when that output is not a terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest

from tests.loopback import CLI, free_port, spawn, stop, wait_ready
from workflow.runtime.config import DEV_SECRET

JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PETITIONFLOW_")},
        "PETITIONFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'secret.db'}",
        "PETITIONFLOW_SCHEDULER": "false",
        **extra,
    }


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_serve_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    port = free_port()
    try:
        done = _cli(["serve", "--port", str(port)], _env(tmp_path), tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("serve started without a configured secret")
    assert done.returncode != 0
    message = (done.stdout + done.stderr).strip()
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1, message
    assert "PETITIONFLOW_JWT_SECRET" in message


def test_token_without_a_secret_refuses(tmp_path: Path) -> None:
    done = _cli(["token", "--role", "admin", "--unit", "GD"], _env(tmp_path), tmp_path)
    assert done.returncode != 0
    assert "PETITIONFLOW_JWT_SECRET" in done.stderr and "Traceback" not in done.stderr
    assert not JWT.search(done.stdout)


def test_short_secret_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = _env(tmp_path, PETITIONFLOW_JWT_SECRET="short")
    done = _cli(["serve", "--port", str(free_port())], env, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "32" in done.stderr


def _served(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """Start ``serve args``, mint a token with ``petitionflow token`` in the same directory,
    call the API with it; returns (status of the call, the server's whole output)."""
    port = free_port()
    log = tmp_path / "serve.log"
    proc = spawn([*CLI, "serve", "--port", str(port), *args], env, log, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url, log)
        minted = _cli(["token", "--role", "admin", "--unit", "GD"], env, tmp_path)
        assert minted.returncode == 0, minted.stderr
        token = minted.stdout.strip()
        response = httpx.get(
            f"{url}/v1/units", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        status = str(response.status_code)
        # Not signed with the constant from the source.
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, DEV_SECRET, algorithms=["HS256"], audience="petitionflow")
    finally:
        stop(proc)
    return status, log.read_text(errors="replace")


def test_demo_uses_a_random_secret_and_logs_no_token(tmp_path: Path) -> None:
    status, output = _served(["--demo"], _env(tmp_path), tmp_path)
    assert status == "200"
    assert not JWT.search(output), "a token was written to the server's output"
    assert ".petitionflow-demo-secret" in output  # says where the secret is
    kept = tmp_path / ".petitionflow-demo-secret"
    assert kept.stat().st_mode & 0o077 == 0
    assert kept.read_text().strip() != DEV_SECRET
    # The next run of the demo in the same directory keeps the same secret (the
    # petitioner match keys are keyed with it).
    first = kept.read_text()
    status, _ = _served(["--demo"], _env(tmp_path), tmp_path)
    assert status == "200" and kept.read_text() == first


def test_development_mode_starts_and_says_so(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "dev.log"
    env = _env(tmp_path, PETITIONFLOW_DEVELOPMENT="true")
    proc = spawn([*CLI, "serve", "--port", str(port)], env, log, cwd=tmp_path)
    try:
        wait_ready(proc, f"http://127.0.0.1:{port}", log)
    finally:
        stop(proc)
    assert "development" in log.read_text().lower()
