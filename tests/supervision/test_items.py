"""Supervision items: opened by a breach, then urge, escalate, report and close, each an
event in the matter's history, re-derived through the supervision chart on replay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.scenarios.helpers import advance_to, assert_replays, types
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import SuperviseItem
from workflow.domain.actor import Role
from workflow.domain.errors import GuardRejected, IllegalTransition, NotFound
from workflow.runtime.bootstrap import Container


def _step(c: Container, case_id: str, item: str, unit: str, action: str, **f: str) -> dict:  # type: ignore[type-arg]
    command = SuperviseItem.model_validate({"action": action, **f})
    case = c.petitions.supervise(case_id, item, command, actor(unit, Role.SUPERVISOR))
    return case.supervision_item(item)


@pytest.fixture
def breached(tmp_path: object) -> tuple[Container, str, str]:
    c = make_container(tmp_path, at("2026-03-02 09:00"))  # type: ignore[arg-type]
    case = register(c, unit="K1-XF")
    route = case.latest("route")
    assert route is not None
    advance_to(c, at(f"{(route.due_on + timedelta(days=1)).isoformat()} 09:00"))
    return c, case.id, f"{route.id}:sv"


def test_item_lifecycle(breached: tuple[Container, str, str]) -> None:
    c, case_id, item = breached
    opened = c.petitions.get(case_id).supervision_item(item)
    # A late county bureau is supervised by the city bureau above it.
    assert (opened["state"], opened["supervising_unit"]) == ("opened", "C1-XF")
    assert _step(c, case_id, item, "C1-XF", "urge", note="请于3日内办理")["state"] == "urged"
    assert _step(c, case_id, item, "C1", "urge")["state"] == "urged"  # the government too
    escalated = _step(c, case_id, item, "C1-XF", "escalate", to_unit="P-XF")
    assert (escalated["state"], escalated["supervising_unit"]) == ("escalated", "P-XF")
    # A reminder after escalation is recorded but keeps the graver standing.
    assert _step(c, case_id, item, "P-XF", "urge")["state"] == "escalated"
    assert _step(c, case_id, item, "P-XF", "report", note="通报")["state"] == "reported"
    # Not closed while the obligation is outstanding (the article says which).
    with pytest.raises(GuardRejected) as refused:
        _step(c, case_id, item, "P-XF", "close")
    assert refused.value.article and "outstanding" in refused.value.detail
    act(c, case_id, "K1-XF", "classify", type="claim", route="petition")
    act(c, case_id, "K1-XF", "transfer", to_unit="K1-ZJ")
    closed = _step(c, case_id, item, "P-XF", "close", note="已办理")
    assert closed["state"] == "closed" and closed["closed_on"]
    with pytest.raises(IllegalTransition):
        _step(c, case_id, item, "P-XF", "urge")
    steps = [h["trigger"] for h in c.petitions.get(case_id).supervision_item(item)["history"]]
    assert steps == ["open_item", "urge", "urge", "escalate", "urge", "report", "close"]
    assert types(c, case_id).count("supervision_urged") == 3
    assert_replays(c, case_id)


def test_who_may_act_and_where_it_may_go(breached: tuple[Container, str, str]) -> None:
    c, case_id, item = breached
    with pytest.raises(GuardRejected):
        _step(c, case_id, item, "C2-XF", "urge")  # another city's bureau
    with pytest.raises(GuardRejected):
        _step(c, case_id, item, "K1-ZJ", "urge")  # beside the late unit, not above it
    with pytest.raises(GuardRejected):
        _step(c, case_id, item, "C1-XF", "escalate", to_unit="K1-ZJ")  # downwards
    with pytest.raises(NotFound):
        _step(c, case_id, "no-such-item", "C1-XF", "urge")
    before = c.petitions.get(case_id).version
    assert c.petitions.get(case_id).version == before  # refusals wrote nothing


def test_report_then_close_after_the_matter_ended(breached: tuple[Container, str, str]) -> None:
    c, case_id, item = breached
    assert _step(c, case_id, item, "C1-XF", "report")["state"] == "reported"
    act(c, case_id, "K1-XF", "decline", reason="duplicate")
    assert _step(c, case_id, item, "C1-XF", "close")["state"] == "closed"
    assert_replays(c, case_id)


def test_a_tampered_step_breaks_the_replay(breached: tuple[Container, str, str]) -> None:
    """The fold re-derives each step through the chart: a forged 'to' is caught."""
    from workflow.domain.errors import IntegrityFailure
    from workflow.services.fold import apply

    c, case_id, item = breached
    _step(c, case_id, item, "C1-XF", "urge")
    history = c.petitions.history(case_id)
    forged = history[-1]
    forged.payload["supervision"]["to"] = "closed"
    case = None
    with pytest.raises(IntegrityFailure):
        for event in history:
            case = apply(c.engine.machine, case, event)
