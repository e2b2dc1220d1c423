"""Fixtures: the in-process API of the end-to-end tests, on SQLite or on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api, TestClient, api, make_api
from tests.postgres import backend_url
from tests.support import UNITS, at
from workflow.domain.clock import SimulatedClock
from workflow.runtime.config import Settings

__all__ = ["api", "backend_api", "make_api", "open_api"]


def open_api(database_url: str, **overrides: Any) -> tuple[Api, Callable[[], None]]:
    """An Api on any database URL, with the unit tree; the callable closes it."""
    settings = Settings(
        database_url=database_url, log_json=False, **{"scheduler": False, **overrides}
    )
    clock = SimulatedClock(at("2026-09-22 09:00"))
    from api.app import create_app

    client = TestClient(create_app(settings, clock=clock))
    client.__enter__()
    api = Api(client, settings, clock)
    admin = api.auth("admin", "ROOT")
    for unit in UNITS:
        response = client.post("/v1/units", json=unit, headers=admin)
        assert response.status_code == 201, response.text
    return api, lambda: client.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The same test on SQLite and on a fresh PostgreSQL schema."""
    with backend_url(request.param, tmp_path, "backend.db") as url:
        api, close = open_api(url, max_body_bytes=4096)
        try:
            yield api
        finally:
            close()
