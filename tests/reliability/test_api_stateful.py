"""R3: a Hypothesis state machine driving the HTTP API with several roles and units.

Rules register matters, act on them (legal or not, in scope or not), read them and move
the simulated clock. After every step: no 5xx, every refusal is a problem response that
left the matter's version unchanged, every success moved it by exactly one, an
out-of-scope reader gets 404, and the chain and replay of the matter touched hold.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from tests.e2e.conftest import Api
from tests.reliability.conftest import open_api
from tests.support import petition_body

BUREAUS = ["C1-XF", "K1-XF", "C2-XF"]
UNITS = ["C1-XF", "C1-ZJ", "K1-XF", "K1-ZJ", "C2-XF", "C1", "P", "C1-ZF"]
ACTIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "classify": st.fixed_dictionaries(
        {
            "type": st.sampled_from(["claim", "claim", "suggestion", "accusation"]),
            "route": st.sampled_from(["petition", "petition", "petition", "litigation"]),
        }
    ),
    "transfer": st.fixed_dictionaries(
        {
            "to_unit": st.sampled_from(["C1-ZJ", "C1-ZJ", "K1-ZJ", *UNITS]),
            "mode": st.sampled_from(["transfer", "assign"]),
        }
    ),
    "accept": st.just({}),
    "decline": st.fixed_dictionaries(
        {"reason": st.sampled_from(["duplicate", "other", "finalized"])}
    ),
    "extend": st.fixed_dictionaries(
        {"days": st.integers(1, 30), "approved_by": st.just("局长"), "reason": st.just("复杂")}
    ),
    "hearing_start": st.just({}),
    "hearing_end": st.just({}),
    "reply": st.fixed_dictionaries(
        {"outcome": st.sampled_from(["support", "explain", "reject"]), "opinion": st.just("意见")}
    ),
    "evaluate": st.fixed_dictionaries({"satisfied": st.booleans()}),
    "request_review": st.fixed_dictionaries({"received_on": st.just("2026-09-22")}),
    "withdraw": st.just({}),
}
REFUSALS = {403, 404, 409, 412, 422}
TERMINAL = {"withdraw", "decline"}
AGENCY = {"C1-XF": "C1-ZJ", "K1-XF": "K1-ZJ"}


class HttpMachine(RuleBasedStateMachine):
    matters = Bundle("matters")
    # (action, accepted?) over all runs: how deep the random walks got (RELIABILITY.md).
    outcomes: ClassVar[Counter[tuple[str, bool]]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.api: Api
        self.api, self.close = open_api(
            f"sqlite:///{Path(self.tmp.name) / 'machine.db'}", clock="simulated"
        )
        self.versions: dict[str, int] = {}
        self.touched: str | None = None
        self.serial = 0

    def teardown(self) -> None:
        self.close()
        self.tmp.cleanup()

    def _problem(self, response: Any) -> None:
        assert response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")

    def _version(self, pid: str) -> int:
        got = self.api.client.get(f"/v1/petitions/{pid}", headers=self.api.auth("admin", "P"))
        return int(got.json()["version"])

    @rule(
        target=matters,
        bureau=st.sampled_from(BUREAUS),
        role=st.sampled_from(["registrar", "handler"]),
    )
    def register(self, bureau: str, role: str) -> str:
        self.serial += 1
        person = {"name": "孙七", "id_number": f"1101011990010{self.serial:05d}"}
        body = petition_body(subject=f"状态机{self.serial}", petitioners=[person])
        response = self.api.client.post(
            "/v1/petitions", json=body, headers=self.api.auth(role, bureau)
        )
        assert response.status_code == 201, response.text
        pid = str(response.json()["id"])
        self.versions[pid] = 1
        self.touched = pid
        return pid

    @rule(
        pid=matters,
        unit=st.sampled_from(UNITS),
        role=st.sampled_from(["handler", "handler", "registrar", "supervisor"]),
        action=st.sampled_from(sorted(ACTIONS)),
        data=st.data(),
    )
    def act(
        self,
        pid: str,
        unit: str,
        role: str,
        action: str,
        data: st.DataObject,
        to_unit: str | None = None,
    ) -> None:
        body = {"action": action, **data.draw(ACTIONS[action])}
        if to_unit is not None and action == "transfer":
            body["to_unit"] = to_unit
        response = self.api.client.post(
            f"/v1/petitions/{pid}/actions", json=body, headers=self.api.auth(role, unit)
        )
        before = self.versions[pid]
        self.outcomes[(action, response.status_code == 200)] += 1
        if response.status_code == 200:
            assert response.json()["version"] == before + 1, (body, response.json()["version"])
            self.versions[pid] = before + 1
        else:
            assert response.status_code in REFUSALS, response.text
            self._problem(response)
            assert self._version(pid) == before, f"refused {body} changed the matter"
        self.touched = pid

    @rule(pid=matters, steps=st.integers(1, 5), data=st.data())
    def act_as_holder(self, pid: str, steps: int, data: st.DataObject) -> None:
        """Steer the walk deeper: actions the matter allows now, by its holder's handler."""
        admin = self.api.auth("admin", "P")
        for _ in range(steps):
            holder = self.api.client.get(f"/v1/petitions/{pid}", headers=admin).json()[
                "holder_unit"
            ]
            shown = self.api.client.get(
                f"/v1/petitions/{pid}", headers=self.api.auth("handler", holder)
            )
            allowed = sorted(set(shown.json()["allowed_actions"]) & ACTIONS.keys())
            if not allowed:
                return
            # Ending a matter (withdraw, decline) is allowed early; make it rarer, or the
            # walks would seldom reach the reply, evaluation and review.
            weighted = [a for a in allowed for _ in range(1 if a in TERMINAL else 4)]
            action = data.draw(st.sampled_from(weighted))
            unit = data.draw(st.sampled_from([holder, holder, holder, "C1"]))
            agency = AGENCY.get(holder)
            self.act(pid, unit, "handler", action, data, to_unit=agency)

    @rule(
        pid=matters,
        unit=st.sampled_from(UNITS),
        role=st.sampled_from(["handler", "supervisor", "auditor"]),
    )
    def read(self, pid: str, unit: str, role: str) -> None:
        response = self.api.client.get(f"/v1/petitions/{pid}", headers=self.api.auth(role, unit))
        if response.status_code == 200:
            assert response.json()["version"] == self.versions[pid]
        else:
            assert response.status_code == 404, response.text
            self._problem(response)
            assert "孙七" not in response.text

    @rule(days=st.integers(1, 40))
    def advance_clock(self, days: int) -> None:
        response = self.api.client.post(
            "/v1/admin/clock", json={"advance_days": days}, headers=self.api.auth("admin", "P")
        )
        assert response.status_code == 200, response.text
        # Timers fire system events (warnings, breaches, lapses): versions move on.
        self.versions = {pid: self._version(pid) for pid in self.versions}

    @invariant()
    def touched_matter_is_consistent(self) -> None:
        if self.touched is None:
            return
        admin = self.api.auth("admin", "P")
        replay = self.api.client.get(f"/v1/petitions/{self.touched}/replay", headers=admin)
        assert replay.json()["matches_projection"], replay.text
        history = self.api.client.get(f"/v1/petitions/{self.touched}/history", headers=admin)
        assert len(history.json()["items"]) == self.versions[self.touched]


HttpMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestHttpMachine = HttpMachine.TestCase
