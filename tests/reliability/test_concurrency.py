"""R2: races against the real server process, on SQLite and PostgreSQL.

Many clients at once on one matter: exactly one wins per version, the others get
412/409 and write nothing; the same Idempotency-Key raced from many clients makes one
matter; sweeps racing each other (requests moving the clock, each one a sweep) fire
each timer once. The engine-level races are in tests/integration/test_race_and_chain.py
and tests/scenarios/test_sweep_*.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.postgres import backend_url
from tests.reliability.server import Server
from tests.support import UNITS, petition_body
from workflow.adapters.repository import EVENTS
from workflow.domain.actor import Role
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

CLIENTS = 8


class Live:
    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.database_url = url
        self.settings = Settings(database_url=url)
        self.http = httpx.Client(base_url=server.url, timeout=30)

    def auth(self, role: str, unit: str, **extra: str) -> dict[str, str]:
        token = mint(self.settings, Role(role), unit, f"{role}@{unit}")
        return {"Authorization": f"Bearer {token}", **extra}

    def register(self, subject: str, number: str, **fields: Any) -> dict[str, Any]:
        person = {"name": "赵六", "id_number": number, "phone": "13600000000"}
        body = petition_body(subject=subject, petitioners=[person], **fields)
        response = self.http.post(
            "/v1/petitions", json=body, headers=self.auth("registrar", "C1-XF")
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def history(self, pid: str) -> list[str]:
        response = self.http.get(f"/v1/petitions/{pid}/history", headers=self.auth("admin", "P"))
        return [e["type"] for e in response.json()["items"]]

    def consistent(self, *ids: str) -> None:
        verified = self.http.get("/v1/audit/verify", headers=self.auth("auditor", "P")).json()
        assert verified["ok"], verified
        for pid in ids:
            replay = self.http.get(f"/v1/petitions/{pid}/replay", headers=self.auth("admin", "P"))
            assert replay.json()["matches_projection"], replay.text


def race(
    calls: list[Callable[[httpx.Client], httpx.Response]], base_url: str
) -> list[httpx.Response]:
    """Run the calls from separate clients, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException] = [RuntimeError("not run")] * len(calls)

    def worker(i: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            barrier.wait()
            try:
                results[i] = calls[i](client)
            except BaseException as exc:  # reported below, never lost in a thread
                results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return [r for r in results if isinstance(r, httpx.Response)]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    # One server per database for the module (starting one costs seconds); every test
    # uses its own subjects and keys, and the sweep test checks every timer in the store.
    tmp_path = tmp_path_factory.mktemp("race")
    with backend_url(request.param, tmp_path, "race.db") as url:
        server = Server(
            url,
            tmp_path / "server.log",
            clock="simulated",
            simulated_start="2026-09-01T09:00:00+08:00",
            # Sweeps race through concurrent clock moves. Not with the scheduler's ticks too:
            # its daily anchoring would seal days that a clock move still in flight (another
            # request moved the shared simulated clock months ahead) then records events in,
            # which verify rightly reports; a race of the simulated clock, not of real time,
            # where anchors wait a grace period after the day ends.
            scheduler="false",
        )
        server.start()
        live = Live(server, url)
        try:
            for unit in UNITS:
                created = live.http.post("/v1/units", json=unit, headers=live.auth("admin", "P"))
                assert created.status_code == 201, created.text
            yield live
        finally:
            live.http.close()
            server.kill()


CLASSIFY = {"action": "classify", "type": "claim", "route": "petition"}
WITHDRAW = {"action": "withdraw"}


def test_one_winner_per_version(live: Live) -> None:
    """Conflicting actions with If-Match on the same version: one 200, the rest 412."""
    ids = []
    for round_ in range(3):
        matter = live.register(f"并发{round_}", f"11010119900101{round_:04d}")
        ids.append(matter["id"])
        url = f"/v1/petitions/{matter['id']}/actions"
        headers = live.auth("handler", "C1-XF", **{"If-Match": '"1"'})
        bodies = [CLASSIFY if i % 2 else WITHDRAW for i in range(CLIENTS)]
        responses = race(
            [lambda c, b=b, u=url, h=headers: c.post(u, json=b, headers=h) for b in bodies],
            live.server.url,
        )
        statuses = Counter(r.status_code for r in responses)
        assert statuses[200] == 1, [r.text for r in responses]
        assert set(statuses) <= {200, 409, 412}, [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()
        assert winner["version"] == 2
        assert len(live.history(matter["id"])) == 2
    live.consistent(*ids)


def test_the_same_action_raced_without_if_match_applies_once(live: Live) -> None:
    matter = live.register("同一动作", "110101199001019999")
    url = f"/v1/petitions/{matter['id']}/actions"
    headers = live.auth("handler", "C1-XF")
    responses = race(
        [lambda c: c.post(url, json=CLASSIFY, headers=headers)] * CLIENTS, live.server.url
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses[200] == 1 and set(statuses) <= {200, 409, 412}, [r.text for r in responses]
    assert live.history(matter["id"]) == ["registered", "classified"]
    live.consistent(matter["id"])


def test_idempotent_retries_raced_make_one_matter(live: Live) -> None:
    body = petition_body(subject="幂等竞争")
    headers = live.auth("registrar", "C1-XF", **{"Idempotency-Key": "raced-key"})
    responses = race(
        [lambda c: c.post("/v1/petitions", json=body, headers=headers)] * CLIENTS,
        live.server.url,
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    listed = live.http.get("/v1/petitions?limit=200", headers=live.auth("admin", "P")).json()
    assert [p["subject"] for p in listed["items"]].count("幂等竞争") == 1
    # The same on an action: one classified event whatever the number of retries.
    pid = responses[0].json()["id"]
    act_headers = live.auth("handler", "C1-XF", **{"Idempotency-Key": "raced-action"})
    url = f"/v1/petitions/{pid}/actions"
    acted = race(
        [lambda c: c.post(url, json=CLASSIFY, headers=act_headers)] * CLIENTS, live.server.url
    )
    assert {r.status_code for r in acted} == {200}, [r.text for r in acted]
    assert {r.json()["version"] for r in acted} == {2}
    assert live.history(pid) == ["registered", "classified"]
    live.consistent(pid)


def test_racing_sweeps_fire_each_timer_once(live: Live) -> None:
    ids = [live.register(f"时限{i}", f"1101011990010{i:05d}")["id"] for i in range(6)]
    target = {"now": "2026-12-31T09:00:00+08:00"}
    admin = live.auth("admin", "P")
    # Four clock moves to the same moment: four sweeps racing over the same due timers.
    responses = race(
        [lambda c: c.post("/v1/admin/clock", json=target, headers=admin)] * 4, live.server.url
    )
    assert {r.status_code for r in responses} == {200}, [r.text for r in responses]
    assert sum(r.json()["failed"] for r in responses) == 0
    engine = create_engine(live.database_url)
    try:
        with engine.connect() as conn:
            fired = Counter(
                str(r[0])
                for r in conn.execute(
                    select(EVENTS.c.timer_id).where(EVENTS.c.timer_id.is_not(None))
                )
            )
    finally:
        engine.dispose()
    assert len(fired) >= len(ids), fired  # at least one timer per matter fell due
    assert set(fired.values()) == {1}, fired
    assert sum(r.json()["fired"] for r in responses) <= len(fired)
    live.consistent(*ids)
