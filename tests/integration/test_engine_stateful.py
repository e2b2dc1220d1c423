"""Random action sequences through PetitionService on a real SQLite file.

After every step: every matter is in a leaf of the chart; a refused command raised a typed
WorkflowError and wrote nothing; the hash chain verifies; replaying the history gives the
projection; the deadline rows agree with the projection; terminal states stay terminal
except for a reopen.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import SQLModel

from rules import PetitionType, Route
from rules.admissibility import DeclineReason
from rules.time import local_date
from tests.integration.engine_support import assert_chain, fire_lapse, snapshot
from tests.support import UNITS, actor, at, make_container
from workflow.domain.actions import ACTION_ADAPTER, ACTION_NAMES, Register
from workflow.domain.actor import Role
from workflow.domain.case import Case
from workflow.domain.clock import SimulatedClock
from workflow.domain.errors import (
    GuardRejected,
    IllegalTransition,
    InvalidCommand,
    VersionConflict,
    WorkflowError,
)
from workflow.services.decide import decide

EXPECTED = (IllegalTransition, GuardRejected, InvalidCommand, VersionConflict)
UNIT_CODES = [u["code"] for u in UNITS]
PARENT = {u["code"]: u["parent"] for u in UNITS}
REOPENING = {"request_review", "request_re_review"}
INTAKE = ["C1-XF", "C1-XF", "K1-XF", "C2-XF", "C1-ZJ"]
# How often a legal action is picked: ending a matter early is rarely interesting.
WEIGHT = {"decline": 1, "withdraw": 1, "evaluate": 1}

text = st.sampled_from(["情况属实", "不予支持", "解释说明", "x"])
day_offset = st.integers(min_value=-3, max_value=40)  # days before today (negative: future)


def fields_for(action: str) -> st.SearchStrategy[dict[str, Any]]:
    """Plausible fields for each action, with a few that the engine must refuse."""
    optional_day = st.one_of(st.none(), day_offset)
    method = st.sampled_from(["in_person", "post", "electronic", "announcement"])
    strategies: dict[str, st.SearchStrategy[dict[str, Any]]] = {
        "classify": st.fixed_dictionaries(
            {
                "type": st.sampled_from([t.value for t in PetitionType]),
                "route": st.sampled_from([Route.PETITION.value] * 4 + [r.value for r in Route]),
            },
            optional={"to_unit": st.sampled_from(UNIT_CODES)},
        ),
        "transfer": st.fixed_dictionaries(
            {"to_unit": st.sampled_from(["C1-ZJ", "K1-ZJ"] * 4 + [*UNIT_CODES, "NOWHERE"])},
            optional={
                "mode": st.sampled_from(["transfer", "assign"]),
                "feedback_days": st.integers(1, 30),
            },
        ),
        "decline": st.fixed_dictionaries(
            {"reason": st.sampled_from([r.value for r in DeclineReason])},
            optional={"detail": text, "received_on": day_offset},
        ),
        "object": st.fixed_dictionaries({"reason": text}, optional={"received_on": day_offset}),
        "overrule": st.fixed_dictionaries({"reason": text}),
        "accept": st.fixed_dictionaries({}, optional={"received_on": day_offset}),
        "extend": st.fixed_dictionaries(
            {"days": st.integers(1, 30), "approved_by": st.just("局长"), "reason": text}
        ),
        "hearing_start": st.just({}),
        "hearing_end": st.just({}),
        "reply": st.fixed_dictionaries(
            {
                "outcome": st.sampled_from(
                    ["support", "explain", "not_support", "mediated", "settled"]
                ),
                "opinion": text,
            },
            # Mostly with a basis: without one a not_support reply is refused (第三十二条).
            optional={"delivered_on": optional_day, "basis": text},
        ),
        "evaluate": st.fixed_dictionaries(
            {"satisfied": st.booleans()},
            optional={"level": st.sampled_from(["satisfied", "dissatisfied"])},
        ),
        "request_review": st.fixed_dictionaries({"received_on": day_offset}),
        "review_decide": st.fixed_dictionaries(
            {"outcome": st.sampled_from(["uphold", "revoke", "change", "redo"]), "opinion": text},
            optional={"redo_days": st.integers(1, 60), "delivered_on": optional_day},
        ),
        "request_re_review": st.fixed_dictionaries({"received_on": day_offset}),
        "re_review_decide": st.fixed_dictionaries(
            {"outcome": st.sampled_from(["uphold", "revoke", "change"]), "opinion": text},
            optional={"delivered_on": optional_day},
        ),
        "withdraw": st.fixed_dictionaries({}, optional={"detail": text}),
        "assign_leader": st.fixed_dictionaries({"leader": text}, optional={"title": text}),
        "deliver": st.fixed_dictionaries({"delivered_on": day_offset, "method": method}),
        "notify": st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["receipt", "acceptance", "extension", "other"]),
                "method": method,
            },
            optional={"notified_on": day_offset, "detail": text, "received_on": day_offset},
        ),
        "implemented": st.fixed_dictionaries(
            {"detail": text}, optional={"implemented_on": day_offset}
        ),
    }
    return strategies[action]


# At most one fault per command, so random runs still get deep into the lifecycle.
FAULTS = ["none"] * 12 + ["any_action", "parent_unit", "any_unit", "future", "before_last", "stale"]


@st.composite
def commands(draw: st.DrawFn) -> dict[str, Any]:
    action = draw(st.sampled_from(ACTION_NAMES))
    return {
        "action": action,
        "fields": draw(fields_for(action)),
        "legal_pick": draw(st.integers(0, 20)),
        "fault": draw(st.sampled_from(FAULTS)),
        "unit": draw(st.sampled_from(UNIT_CODES)),
        "between": draw(st.booleans()),
    }


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="pf-stateful-"))
        self.c = make_container(self.tmp, at("2026-01-05 09:00"))
        self.cases: list[str] = []
        self.leaves = set(self.c.chart.leaves)
        self.final = set(self.c.chart.final_states)

    def teardown(self) -> None:
        self.c.db.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------

    @property
    def clock(self) -> SimulatedClock:
        assert isinstance(self.c.clock, SimulatedClock)
        return self.c.clock

    def today(self) -> date:
        return local_date(self.clock.now())

    def refused(self, before: dict[str, object], error: Exception) -> None:
        assert isinstance(error, EXPECTED), f"untyped refusal {type(error).__name__}: {error}"
        assert snapshot(self.c.db) == before, f"{type(error).__name__} wrote something"

    def _fields(self, raw: dict[str, Any]) -> dict[str, Any]:
        fields = dict(raw)
        for key in ("received_on", "delivered_on", "notified_on", "implemented_on"):
            if isinstance(fields.get(key), int):
                fields[key] = (self.today() - timedelta(days=fields[key])).isoformat()
        return {k: v for k, v in fields.items() if v is not None}

    def _pick(self, pick: int, *, live: bool) -> Case:
        cases = [self.c.petitions.get(case_id) for case_id in self.cases]
        alive = [case for case in cases if case.state not in self.final or case.state == "closed"]
        pool = alive if live and alive else cases
        return pool[pick % len(pool)]

    def _occurred_at(self, case: Case, when: str) -> str | None:
        """None (now), or a business time: in the future, before the last event, between."""
        now = self.clock.now()
        if when == "future":
            return (now + timedelta(hours=1)).isoformat()
        if when == "before_last":
            return (case.last_occurred_at - timedelta(hours=1)).isoformat()
        if when == "between":
            moment: datetime = case.last_occurred_at + (now - case.last_occurred_at) / 2
            return moment.isoformat()
        return None

    def _actor_unit(self, case: Case, fault: str, unit: str) -> str:
        if fault == "any_unit":
            return unit
        if fault == "parent_unit" or case.state in ("replied", "review_replied", "closed"):
            # a review request is recorded by the organ above the one that answered
            return PARENT.get(case.holder_unit) or case.holder_unit
        return case.holder_unit

    # -- rules ---------------------------------------------------------------------

    @initialize(
        units=st.lists(st.sampled_from(INTAKE), min_size=1, max_size=3),
        days_ago=st.integers(0, 3),
    )
    def first_matters(self, units: list[str], days_ago: int) -> None:
        for unit in units:
            self.register(unit, 1, days_ago)

    @precondition(lambda self: len(self.cases) < 4)
    @rule(
        unit=st.sampled_from(INTAKE),
        representatives=st.one_of(st.just(1), st.integers(1, 7)),
        days_ago=st.integers(0, 3),
    )
    def register(self, unit: str, representatives: int, days_ago: int) -> None:
        received = self.clock.now() - timedelta(days=days_ago)
        before = snapshot(self.c.db)
        try:
            command = Register.model_validate(
                {
                    "channel": "visit",
                    "petitioners": [{"name": "张三"}],
                    "subject": "房屋漏水维修",
                    "content": "小区房屋漏水，物业不予维修。",
                    "received_at": received.isoformat(),
                    "headcount": representatives * 3,
                    "representatives": representatives,
                }
            )
            # An agency registers a matter brought to it directly (handler, not registrar).
            role = Role.HANDLER if unit == "C1-ZJ" else Role.REGISTRAR
            case = self.c.petitions.register(command, actor(unit, role))
        except WorkflowError as error:
            assert representatives > 5
            self.refused(before, error)
            return
        assert representatives <= 5
        assert case.version == 1 and case.state == "registered"
        self.cases.append(case.id)

    @rule(days=st.integers(0, 25), hours=st.integers(0, 12))
    def advance(self, days: int, hours: int) -> None:
        self.clock.advance(days=days, seconds=hours * 3600)

    @precondition(lambda self: bool(self.cases))
    @rule(pick=st.integers(0, 3), command=commands(), data=st.data())
    def act(self, pick: int, command: dict[str, Any], data: st.DataObject) -> None:
        fault = command["fault"]
        case = self._pick(pick, live=fault != "any_action")
        action = command["action"]
        legal = [a for a in self.c.chart.actions_from(case.state) for _ in range(WEIGHT.get(a, 4))]
        if fault != "any_action" and legal:
            action = legal[command["legal_pick"] % len(legal)]
            command = {**command, "fields": data.draw(fields_for(action))}
        fields = self._fields(command["fields"])
        when = fault if fault in ("future", "before_last") else "now"
        occurred_at = self._occurred_at(case, "between" if command["between"] else when)
        body = {"action": action, **fields}
        if occurred_at is not None:
            body["occurred_at"] = occurred_at
        unit = self._actor_unit(case, fault, command["unit"])
        if_match = case.version - 1 if fault == "stale" else None
        before = snapshot(self.c.db)
        try:
            model = ACTION_ADAPTER.validate_python(body)
        except ValidationError:
            # Refused at the boundary; decide() given the same raw fields refuses too.
            now = self.clock.now()
            try:
                decide(self.c.engine, case, action, fields, actor(unit), now, now)
            except WorkflowError as error:
                self.refused(before, error)
                return
            raise AssertionError(f"decide accepted fields the model refuses: {body}") from None
        try:
            after = self.c.petitions.act(case.id, model, actor(unit), if_match=if_match)
        except WorkflowError as error:
            self.refused(before, error)
            return
        assert after.version == case.version + 1
        event(f"{action}: {case.state} -> {after.state}")
        if case.state in self.final and after.state != case.state:
            assert case.state == "closed" and action in REOPENING, (case.state, action)

    @precondition(lambda self: bool(self.cases))
    @rule(pick=st.integers(0, 3))
    def sweep_lapse(self, pick: int) -> None:
        """What the scheduler does once a review window has run out unused."""
        case = self.c.petitions.get(self.cases[pick % len(self.cases)])
        rule_id = {"replied": "review_request", "review_replied": "re_review_request"}.get(
            case.state
        )
        window = case.latest(rule_id) if rule_id else None
        if window is None or window.status != "pending" or window.due_on >= self.today():
            return
        after = fire_lapse(self.c, case.id)
        assert after.state == "closed"
        assert after.latest(window.rule).status == "lapsed"  # type: ignore[union-attr]

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def every_case_is_consistent(self) -> None:
        deadlines = SQLModel.metadata.tables["deadlines"]
        cases = SQLModel.metadata.tables["cases"]
        for case_id in self.cases:
            case = self.c.petitions.get(case_id)
            assert case.state in self.leaves, case.state
            if case.state not in ("handling", "under_re_review"):
                assert case.hearing_open is None, f"{case.state} with a hearing open"
            events = self.c.petitions.history(case_id)
            assert_chain(events)
            assert case.version == len(events)
            assert case.last_hash == events[-1].hash
            assert self.c.petitions.replay(case_id).matches_projection
            with self.c.db.read() as conn:
                row = conn.execute(
                    select(cases.c.state, cases.c.version, cases.c.holder_unit).where(
                        cases.c.id == case_id
                    )
                ).one()
                stored = {
                    r.id: (r.status, r.due_on)
                    for r in conn.execute(
                        select(deadlines.c.id, deadlines.c.status, deadlines.c.due_on).where(
                            deadlines.c.case_id == case_id
                        )
                    )
                }
            assert tuple(row) == (case.state, case.version, case.holder_unit)
            assert stored == {d.id: (d.status, d.due_on) for d in case.deadlines}


EngineMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineStateful = EngineMachine.TestCase
