"""The API in-process on a temp SQLite file with a simulated clock; tokens per role."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from api.app import create_app
from tests.support import UNITS, at, petition_body
from workflow.domain.actor import Role
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

with warnings.catch_warnings():
    # Starlette 1.x deprecates httpx in its TestClient (prefers httpx2, not installed);
    # the warning is raised at import only, so it is silenced here and nowhere else.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

Headers = dict[str, str]


class Api:
    """A TestClient with helpers: tokens by role and unit, the container, event counts."""

    def __init__(self, client: TestClient, settings: Settings, clock: SimulatedClock) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock

    @property
    def container(self) -> Container:
        found: Container = self.client.app.state.container  # type: ignore[attr-defined]
        return found

    def token(self, role: str, unit: str, sub: str | None = None) -> str:
        return mint(self.settings, Role(role), unit, sub or f"{role}@{unit}")

    def auth(self, role: str, unit: str, **extra: str) -> Headers:
        return {"Authorization": f"Bearer {self.token(role, unit)}", **extra}

    def event_count(self) -> int:
        from workflow.adapters.repository import EVENTS

        with self.container.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar_one())

    def register(self, unit: str = "C1-XF", role: str = "registrar", **fields: Any) -> Any:
        body = petition_body(**fields)
        response = self.client.post("/v1/petitions", json=body, headers=self.auth(role, unit))
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, petition: dict[str, Any] | str, unit: str, action: str, **fields: Any) -> Any:
        pid = petition if isinstance(petition, str) else petition["id"]
        return self.client.post(
            f"/v1/petitions/{pid}/actions",
            json={"action": action, **fields},
            headers=self.auth("handler", unit),
        )

    def ok(self, petition: dict[str, Any] | str, unit: str, action: str, **fields: Any) -> Any:
        response = self.act(petition, unit, action, **fields)
        assert response.status_code == 200, response.text
        return response.json()


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://petitionflow.dev/problems/{slug}"
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Callable[..., Api]]:
    clients: list[TestClient] = []

    def build(*, units: bool = True, **overrides: Any) -> Api:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / f'api{len(clients)}.db'}",
            log_json=False,
            # Tests fire timers explicitly (simulated clock); a background sweep would race.
            **{"scheduler": False, **overrides},
        )
        clock = SimulatedClock(at("2026-09-22 09:00"))
        client = TestClient(create_app(settings, clock=clock))
        client.__enter__()
        clients.append(client)
        api = Api(client, settings, clock)
        if units:
            admin = api.auth("admin", "ROOT")
            for unit in UNITS:
                response = client.post("/v1/units", json=unit, headers=admin)
                assert response.status_code == 201, response.text
        return api

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
