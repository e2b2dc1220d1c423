"""The console in a real browser: Debian's headless Chromium driven by Playwright.

Playwright's own browser download is never used: the system's ``/usr/bin/chromium`` is
launched with a fresh profile and no background networking (the machine's network is
closed). Without Chromium the tests skip, except under CI=true, where ``.ci/run``
installs it and a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.loopback import CLI, free_port, spawn, stop, wait_ready
from tests.support import petition_body
from workflow.domain.actor import Role
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

CHROMIUM = Path("/usr/bin/chromium")
START = "2026-09-22T09:00:00+08:00"
SECRET = "console-browser-tests-secret-0123456789abcdef"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--lang=zh-CN",
]


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI (.ci/run installs chromium)")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver); "
        "required under CI=true"
    )


@dataclass
class Served:
    url: str
    settings: Settings
    matter: dict[str, Any] | None = None

    def token(self, role: str, unit: str) -> str:
        return mint(self.settings, Role(role), unit, f"{role}@{unit}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``petitionflow serve --demo`` on a free port with a simulated clock, 30 days on:
    the demo's matters have breached their deadlines and supervision items are open."""
    _require_browser()
    folder = tmp_path_factory.mktemp("console")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PETITIONFLOW_")},
        "PETITIONFLOW_DATABASE_URL": f"sqlite:///{folder / 'console.db'}",
        "PETITIONFLOW_PORT": str(port),
        "PETITIONFLOW_CLOCK": "simulated",
        "PETITIONFLOW_SIMULATED_START": START,
        "PETITIONFLOW_SCHEDULER": "false",
        "PETITIONFLOW_LOG_JSON": "false",
        "PETITIONFLOW_JWT_SECRET": SECRET,
    }
    log = folder / "server.log"
    proc = spawn([*CLI, "serve", "--demo"], env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url, log)
        served = Served(url, Settings(jwt_secret=SECRET))
        served.matter = _history(served)
        yield served
    finally:
        stop(proc, timeout=15)


def _call(served: Served, path: str, body: dict[str, Any], role: str, unit: str) -> Any:
    headers = {"Authorization": f"Bearer {served.token(role, unit)}"}
    response = httpx.post(f"{served.url}{path}", json=body, headers=headers, timeout=60)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _history(served: Served) -> dict[str, Any]:
    """A matter with a history spread over time: registered today, classified two days
    later, then left to breach its deadline (the clock moves 30 days on)."""
    body = petition_body(subject="小区电梯停运", location_unit="HZ")
    matter = _call(served, "/v1/petitions", body, "registrar", "HZ-XFJ")
    _call(served, "/v1/admin/clock", {"advance_days": 2}, "admin", "GD")
    action = {"action": "classify", "type": "claim", "route": "petition"}
    _call(served, f"/v1/petitions/{matter['id']}/actions", action, "handler", "HZ-XFJ")
    _call(served, "/v1/admin/clock", {"advance_days": 30}, "admin", "GD")
    found: dict[str, Any] = matter
    return found


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        try:
            context.set_default_timeout(15_000)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: CONSOLE_SCREENSHOTS (docs/screenshots for the README)."""
    target = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target
