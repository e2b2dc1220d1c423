"""Crash consistency: kill ``petitionflow serve`` with SIGKILL under load, restart, check.

Several client threads register matters and drive them through their lifecycle over
HTTP. At a random moment the server is killed (no shutdown of any kind), restarted on the
same database, and then:

- every action acknowledged to a client (a 2xx) is in the history, at the version the
  response named, with the event type of that action;
- every hash chain verifies (``GET /v1/audit/verify``);
- the projection equals the replay for every matter (``GET .../replay``), and every
  derived row (query columns, deadlines, timers, personal data) agrees with the events
  (``workflow.audit.projection``, in-process on the same database);
- a keyed registration in flight at the kill, retried with its Idempotency-Key after the
  restart, exists exactly once.

Run it: ``python -m tests.reliability.crash_harness --cycles 20 [--database postgres]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.postgres import backend_url
from tests.reliability.server import Server
from tests.support import UNITS, petition_body
from workflow.audit.projection import audit_projections
from workflow.domain.actor import Role
from workflow.runtime.bootstrap import bootstrap
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

# Each matter follows this path; (unit of the handler, action body, event it records).
LIFECYCLE: list[tuple[str, dict[str, Any], str]] = [
    ("C1-XF", {"action": "classify", "type": "claim", "route": "petition"}, "classified"),
    ("C1-XF", {"action": "transfer", "to_unit": "C1-ZJ", "mode": "transfer"}, "transferred"),
    ("C1-ZJ", {"action": "accept"}, "accepted"),
    ("C1-ZJ", {"action": "reply", "outcome": "explain", "opinion": "解释说明"}, "replied"),
    ("C1-XF", {"action": "evaluate", "satisfied": True}, "evaluated"),
]


@dataclass(frozen=True)
class Ack:
    case_id: str
    version: int
    event: str


@dataclass
class Ledger:
    """What clients were told, shared by the threads."""

    acks: list[Ack] = field(default_factory=list)
    in_flight_keys: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, case_id: str, version: int, event: str) -> None:
        with self.lock:
            self.acks.append(Ack(case_id, version, event))


@dataclass
class Report:
    database: str
    cycles: int = 0
    acknowledged: int = 0
    matters: int = 0
    events: int = 0
    retried_keys: int = 0

    def line(self) -> str:
        return (
            f"{self.database}: {self.cycles} kill/restart cycles, {self.acknowledged} "
            f"acknowledged actions found in the history, {self.matters} matters whose "
            f"projection equals the replay and passes the audit, {self.events} events in "
            "verified chains, "
            f"{self.retried_keys} in-flight keyed registrations retried exactly once"
        )


class Client(threading.Thread):
    """Registers matters and drives each along ``LIFECYCLE`` until told to stop."""

    def __init__(self, server: Server, settings: Settings, ledger: Ledger, seed: int) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.settings = settings
        self.ledger = ledger
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.http = httpx.Client(base_url=server.url, timeout=15)

    def headers(self, role: Role, unit: str) -> dict[str, str]:
        token = mint(self.settings, role, unit, f"{role.value}@{unit}")
        return {"Authorization": f"Bearer {token}"}

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.one_matter()
        except httpx.HTTPError:
            return  # the server was killed: whatever was in flight is unacknowledged
        finally:
            self.http.close()

    def one_matter(self) -> None:
        key = uuid.uuid4().hex
        headers = self.headers(Role.REGISTRAR, "C1-XF")
        keyed = self.random.random() < 0.5
        if keyed:
            headers["Idempotency-Key"] = key
            with self.ledger.lock:
                self.ledger.in_flight_keys.append(key)
        response = self.http.post("/v1/petitions", json=_body(key), headers=headers)
        if response.status_code != 201:
            self.refused(response)
            return
        if keyed:
            with self.ledger.lock:
                self.ledger.in_flight_keys.remove(key)
        case = response.json()
        self.ledger.ack(case["id"], case["version"], "registered")
        steps = self.random.randint(1, len(LIFECYCLE))
        for unit, body, event in LIFECYCLE[:steps]:
            if self.stop.is_set():
                return
            response = self.http.post(
                f"/v1/petitions/{case['id']}/actions",
                json=body,
                headers=self.headers(Role.HANDLER, unit),
            )
            if response.status_code != 200:
                self.refused(response)
                return
            self.ledger.ack(case["id"], response.json()["version"], event)

    def refused(self, response: httpx.Response) -> None:
        # Nothing in this load may be refused; the check reports it instead of a thread dying.
        with self.ledger.lock:
            self.ledger.unexpected.append(f"{response.status_code} {response.text[:300]}")
        self.stop.set()


def _body(key: str) -> dict[str, Any]:
    return petition_body(subject=f"crash {key}")


class Checker:
    def __init__(self, server: Server, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.http = httpx.Client(base_url=server.url, timeout=60)
        self.auditor = {"Authorization": f"Bearer {mint(settings, Role.AUDITOR, 'P', 'aud')}"}
        self.admin = {"Authorization": f"Bearer {mint(settings, Role.ADMIN, 'P', 'admin')}"}
        self.registrar = {
            "Authorization": f"Bearer {mint(settings, Role.REGISTRAR, 'C1-XF', 'registrar@C1-XF')}"
        }

    def close(self) -> None:
        self.http.close()

    def retry_in_flight(self, keys: list[str]) -> None:
        """A keyed registration whose answer was lost is retried: applied exactly once."""
        for key in keys:
            headers = {**self.registrar, "Idempotency-Key": key}
            response = self.http.post("/v1/petitions", json=_body(key), headers=headers)
            assert response.status_code == 201, response.text

    def matters(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
            page = self.http.get("/v1/petitions", params=params, headers=self.admin)
            assert page.status_code == 200, page.text
            found += page.json()["items"]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return found

    def check(self, ledger: Ledger, retried: list[str], report: Report) -> None:
        assert not ledger.unexpected, ledger.unexpected
        verified = self.http.get("/v1/audit/verify", headers=self.auditor).json()
        assert verified["ok"], verified
        matters = self.matters()
        histories: dict[str, list[dict[str, Any]]] = {}
        for matter in matters:
            history = self.http.get(f"/v1/petitions/{matter['id']}/history", headers=self.admin)
            histories[matter["id"]] = history.json()["items"]
            replay = self.http.get(f"/v1/petitions/{matter['id']}/replay", headers=self.admin)
            assert replay.json()["matches_projection"], (matter["id"], replay.json())
            assert replay.json()["version"] == matter["version"] == len(histories[matter["id"]])
        for ack in ledger.acks:
            events = histories.get(ack.case_id)
            assert events is not None, f"acknowledged matter {ack.case_id} is lost"
            assert len(events) >= ack.version, f"{ack} is lost"
            assert events[ack.version - 1]["type"] == ack.event, (ack, events[ack.version - 1])
        subjects = [m["subject"] for m in matters]
        for key in retried:
            assert subjects.count(f"crash {key}") == 1, f"key {key} is not exactly one matter"
        container = bootstrap(Settings(database_url=self.database_url))
        try:
            findings = audit_projections(container.db, container.engine)
        finally:
            container.db.dispose()
        assert not findings, findings[:10]
        report.acknowledged = len(ledger.acks)
        report.matters = len(matters)
        report.events = int(verified["events"])


MIN_ACKS_PER_CYCLE = 5


def _wait_for(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the load acknowledged nothing in time")
        time.sleep(0.02)


def run(
    database_url: str,
    *,
    cycles: int,
    clients: int = 4,
    seed: int | None = None,
    workdir: Path,
    label: str = "sqlite",
    min_load: float = 0.3,
    max_load: float = 2.0,
) -> Report:
    rng = random.Random(seed)
    settings = Settings(database_url=database_url)
    server = Server(database_url, workdir / "server.log")
    ledger = Ledger()
    report = Report(label)
    retried: list[str] = []
    server.start()
    try:
        admin = {"Authorization": f"Bearer {mint(settings, Role.ADMIN, 'P', 'admin')}"}
        for unit in UNITS:
            created = httpx.post(f"{server.url}/v1/units", json=unit, headers=admin, timeout=15)
            assert created.status_code == 201, created.text
        for cycle in range(cycles):
            threads = [
                Client(server, settings, ledger, rng.randrange(2**32)) for _ in range(clients)
            ]
            wanted = len(ledger.acks) + MIN_ACKS_PER_CYCLE
            for thread in threads:
                thread.start()
            # Some work acknowledged first (however slow the machine), then a random moment.
            _wait_for(lambda n=wanted: len(ledger.acks) >= n or bool(ledger.unexpected))
            time.sleep(rng.uniform(min_load, max_load))
            server.kill()
            for thread in threads:
                thread.stop.set()
                thread.join(timeout=30)
            server.start()
            with ledger.lock:
                pending, ledger.in_flight_keys = list(ledger.in_flight_keys), []
            checker = Checker(server, settings)
            try:
                checker.retry_in_flight(pending)
                retried += pending
                checker.check(ledger, retried, report)
            finally:
                checker.close()
            report.cycles = cycle + 1
            report.retried_keys = len(retried)
    finally:
        server.kill()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        backend_url(args.database, Path(tmp), "crash.db") as url,
    ):
        started = time.monotonic()
        report = run(
            url,
            cycles=args.cycles,
            clients=args.clients,
            seed=args.seed,
            workdir=Path(tmp),
            label=args.database,
        )
        print(f"{report.line()} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
