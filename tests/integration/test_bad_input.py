"""Bad input to the engine raises a typed error and leaves the database exactly as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rules.time import local_date
from tests.integration.engine_support import fire_lapse, snapshot
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.case import Case
from workflow.domain.clock import SimulatedClock
from workflow.domain.errors import (
    GuardRejected,
    IllegalTransition,
    InvalidCommand,
    WorkflowError,
)
from workflow.runtime.bootstrap import Container
from workflow.services.decide import decide


@pytest.fixture
def c(tmp_path: Path) -> Iterator[Container]:
    container = make_container(tmp_path, at("2026-09-22 09:00"))
    yield container
    container.db.dispose()


def clock(c: Container) -> SimulatedClock:
    assert isinstance(c.clock, SimulatedClock)
    return c.clock


def refused(c: Container, error: type[WorkflowError], command: Callable[[], Any]) -> WorkflowError:
    """Run a command that must fail with ``error`` and write nothing at all."""
    before = snapshot(c.db)
    with pytest.raises(error) as caught:
        command()
    assert snapshot(c.db) == before
    return caught.value


def transferred(c: Container) -> Case:
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    clock(c).advance(days=1)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    return act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")


def handling(c: Container) -> Case:
    case = transferred(c)
    return act(c, case, "C1-ZJ", "accept")


def replied(c: Container) -> Case:
    """Answered, and the written reply delivered the same day: its window runs."""
    case = handling(c)
    clock(c).advance(days=5)
    today = local_date(c.clock.now()).isoformat()
    return act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明", delivered_on=today)


# -- unknown action and wrong fields ------------------------------------------------


def test_unknown_action_is_refused_at_the_boundary(c: Container) -> None:
    with pytest.raises(ValidationError):
        ACTION_ADAPTER.validate_python({"action": "fly", "to_unit": "C1-ZJ"})


def test_decide_with_an_unknown_trigger_is_an_illegal_transition(c: Container) -> None:
    case = register(c)
    now = c.clock.now()
    error = refused(
        c,
        IllegalTransition,
        lambda: decide(c.engine, case, "fly", {}, actor("C1-XF"), now, now),
    )
    assert error.status == 409
    assert "classify" in error.context["allowed_actions"]  # type: ignore[operator]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "classify", "type": "claim"},  # route missing
        {"action": "classify", "type": "complaint", "route": "petition"},
        {"action": "classify", "type": "claim", "route": "petition", "colour": "red"},
        {"action": "extend", "days": 0, "approved_by": "局长", "reason": "复杂"},
        # Beyond any cap a rule set could set; the rule's own cap is the guard's (below).
        {"action": "extend", "days": 366, "approved_by": "局长", "reason": "复杂"},
        {"action": "reply", "outcome": "maybe", "opinion": "x"},
        {"action": "classify", "type": "claim", "route": "petition", "occurred_at": "today"},
    ],
)
def test_wrong_fields_are_refused_at_the_boundary(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ACTION_ADAPTER.validate_python(body)


@pytest.mark.parametrize(
    "fields",
    [{"type": "claim"}, {"type": "claim", "route": "nowhere"}, {"type": 3, "route": "petition"}],
)
def test_decide_with_wrong_fields_is_invalid_command(c: Container, fields: dict[str, Any]) -> None:
    case = register(c)
    now = c.clock.now()
    error = refused(
        c,
        InvalidCommand,
        lambda: decide(c.engine, case, "classify", fields, actor("C1-XF"), now, now),
    )
    assert error.problem == "validation-error" and error.status == 422


def test_a_route_the_rules_refuse_is_a_validation_error_with_the_article(c: Container) -> None:
    # Routed by the organ with authority (a bureau does not route to arbitration at all):
    # arbitration is a claim's route (第三十一条第二项), not a suggestion's.
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "classify", type="suggestion", route="arbitration"),
    )
    assert isinstance(error, GuardRejected)
    assert (error.rule, error.problem, error.status) == ("route-invalid", "validation-error", 422)
    assert error.article is not None and "第三十一条" in error.article


# -- wrong state, wrong unit ---------------------------------------------------------


def test_wrong_state(c: Container) -> None:
    case = register(c)
    error = refused(c, IllegalTransition, lambda: act(c, case, "C1-XF", "accept"))
    assert error.context["state"] == "registered"
    assert error.context["action"] == "accept"


def test_terminal_state_accepts_nothing(c: Container) -> None:
    case = register(c)
    act(c, case, "C1-XF", "withdraw")
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("classify", {"type": "claim", "route": "petition"}),
        ("withdraw", {}),
        ("accept", {}),
    ]
    for action, fields in attempts:

        def attempt(action: str = action, fields: dict[str, Any] = fields) -> Case:
            return act(c, case, "C1-XF", action, **fields)

        refused(c, IllegalTransition, attempt)


def test_wrong_unit_is_not_the_holder(c: Container) -> None:
    case = register(c)
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "classify", type="claim", route="petition"),
    )
    assert isinstance(error, GuardRejected) and error.rule == "holder"
    assert error.context["holder_unit"] == "C1-XF"


def test_review_request_recorded_by_the_wrong_organ(c: Container) -> None:
    case = replied(c)
    delivered = case.reply["delivered_on"]  # type: ignore[index]
    error = refused(
        c, GuardRejected, lambda: act(c, case, "P", "request_review", received_on=delivered)
    )
    assert isinstance(error, GuardRejected) and error.rule == "holder"
    assert error.context["holder_unit"] == "C1"


# -- business time -------------------------------------------------------------------


def test_occurred_at_in_the_future(c: Container) -> None:
    case = register(c)
    future = (c.clock.now() + timedelta(minutes=1)).isoformat()
    error = refused(
        c,
        InvalidCommand,
        lambda: act(
            c, case, "C1-XF", "classify", type="claim", route="petition", occurred_at=future
        ),
    )
    assert error.context["field"] == "occurred_at"


def test_occurred_at_before_the_last_event(c: Container) -> None:
    case = register(c, received_at="2026-09-22T08:00:00+08:00")
    clock(c).advance(days=2)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    earlier = (c.clock.now() - timedelta(hours=1)).isoformat()
    error = refused(
        c,
        InvalidCommand,
        lambda: act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", occurred_at=earlier),
    )
    assert error.context["field"] == "occurred_at"


def test_received_at_in_the_future_at_registration(c: Container) -> None:
    future = (c.clock.now() + timedelta(days=1)).isoformat()
    refused(c, InvalidCommand, lambda: register(c, received_at=future))


# -- registration --------------------------------------------------------------------


def test_more_than_five_representatives_of_a_visit(c: Container) -> None:
    # 第二十条第三款 limits the representatives of a group visit (a letter's signatories are
    # not limited: tests/integration/test_who_may_route.py).
    error = refused(
        c,
        GuardRejected,
        lambda: register(c, channel="visit", headcount=30, representatives=6),
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status) == ("validation-error", 422)
    assert error.article is not None and "第二十条第三款" in error.article
    assert error.context["field"] == "representatives"


def test_five_representatives_are_allowed(c: Container) -> None:
    case = register(c, channel="visit", headcount=30, representatives=5)
    assert case.representatives == 5


def test_registration_at_an_unknown_unit(c: Container) -> None:
    refused(c, WorkflowError, lambda: register(c, "C9-XF"))


# -- transfer --------------------------------------------------------------------------


def test_unknown_transfer_target(c: Container) -> None:
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    error = refused(c, GuardRejected, lambda: act(c, case, "C1-XF", "transfer", to_unit="NOWHERE"))
    assert isinstance(error, GuardRejected)
    assert (error.rule, error.problem, error.status) == ("to_unit", "validation-error", 422)


def test_transfer_to_self(c: Container) -> None:
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    refused(c, GuardRejected, lambda: act(c, case, "C1-XF", "transfer", to_unit="C1-XF"))


def test_assign_without_feedback_days(c: Container) -> None:
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign"),
    )
    assert isinstance(error, GuardRejected)
    assert (error.rule, error.problem, error.status) == ("assign_feedback", "validation-error", 422)
    assert "第二十二条" in error.detail


def test_feedback_days_on_a_plain_transfer(c: Container) -> None:
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", feedback_days=10),
    )


# -- extension -------------------------------------------------------------------------


def test_extension_beyond_thirty_days(c: Container) -> None:
    # 第三十四条 “延长期限不得超过30日”: the rule's cap, not the action's schema, refuses 31.
    case = handling(c)
    now = c.clock.now()
    fields = {"days": 31, "approved_by": "局长", "reason": "情况复杂"}
    error = refused(
        c,
        GuardRejected,
        lambda: decide(c.engine, case, "extend", fields, actor("C1-ZJ"), now, now),
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status) == ("extension-limit", 409)


def test_extensions_beyond_thirty_days_in_total(c: Container) -> None:
    # 第三十四条 caps the days in total, not the approvals: 10 + 5 is allowed, 16 more is not.
    case = handling(c)
    act(c, case, "C1-ZJ", "extend", days=10, approved_by="局长", reason="情况复杂")
    act(c, case, "C1-ZJ", "extend", days=5, approved_by="局长", reason="仍复杂")
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "extend", days=16, approved_by="局长", reason="仍复杂"),
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status) == ("extension-limit", 409)
    assert error.article is not None and "第三十四条" in error.article
    assert "合计31日" in error.detail and error.context["extended_days"] == 15


def test_extension_after_the_handling_period(c: Container) -> None:
    case = handling(c)
    clock(c).advance(days=80)
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "extend", days=10, approved_by="局长", reason="复杂"),
    )
    assert error.problem == "extension-limit"


# -- windows ---------------------------------------------------------------------------


def test_review_request_received_after_the_window(c: Container) -> None:
    case = replied(c)
    window = case.latest("review_request")
    assert window is not None
    clock(c).advance(days=60)
    late = (window.due_on + timedelta(days=1)).isoformat()
    error = refused(
        c, GuardRejected, lambda: act(c, case, "C1", "request_review", received_on=late)
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status) == ("window-lapsed", 409)
    assert error.context["due_on"] == window.due_on.isoformat()


def test_review_request_received_before_the_reply(c: Container) -> None:
    case = replied(c)
    refused(
        c, GuardRejected, lambda: act(c, case, "C1", "request_review", received_on="2026-09-01")
    )


def test_review_request_received_after_it_was_recorded(c: Container) -> None:
    case = replied(c)
    tomorrow = (c.clock.now() + timedelta(days=2)).date().isoformat()
    refused(c, GuardRejected, lambda: act(c, case, "C1", "request_review", received_on=tomorrow))


def test_object_outside_the_five_working_day_window(c: Container) -> None:
    case = transferred(c)
    window = case.latest("object")
    assert window is not None and window.rule_set == "xinfang-2022"
    clock(c).advance(days=20)
    error = refused(
        c, GuardRejected, lambda: act(c, case, "C1-ZJ", "object", reason="非本单位职责")
    )
    assert isinstance(error, GuardRejected)
    assert (error.rule, error.problem) == ("object", "window-lapsed")


def test_object_only_once(c: Container) -> None:
    case = transferred(c)
    act(c, case, "C1-ZJ", "object", reason="非本单位职责")
    act(c, case, "C1-XF", "overrule", reason="属于该单位职责")
    refused(c, GuardRejected, lambda: act(c, case, "C1-ZJ", "object", reason="再次异议"))


def test_reply_delivered_after_the_action(c: Container) -> None:
    case = handling(c)
    later = (c.clock.now() + timedelta(days=3)).date().isoformat()
    refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="x", delivered_on=later),
    )


# -- reopening a closed matter -------------------------------------------------------


def test_a_used_review_window_does_not_reopen_a_closed_matter(c: Container) -> None:
    case = replied(c)
    delivered = case.reply["delivered_on"]  # type: ignore[index]
    act(c, case, "C1", "request_review", received_on=delivered)
    today = local_date(c.clock.now()).isoformat()
    case = act(c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=today)
    clock(c).advance(days=40)
    case = fire_lapse(c, case.id)  # the re-review window lapsed: closed
    assert case.state == "closed"
    # The review window was used once already; it cannot reopen the matter again.
    refused(c, GuardRejected, lambda: act(c, case, "C1", "request_review", received_on=delivered))


def test_a_lapsed_review_window_reopens_for_a_request_received_in_time(c: Container) -> None:
    case = replied(c)
    window = case.latest("review_request")
    assert window is not None
    clock(c).advance(days=40)
    case = fire_lapse(c, case.id)
    assert case.state == "closed" and case.latest("review_request").status == "lapsed"  # type: ignore[union-attr]
    case = act(c, case, "C1", "request_review", received_on=window.due_on.isoformat())
    assert case.state == "under_review"
    assert case.latest("review_request").status == "met"  # type: ignore[union-attr]
    assert c.petitions.replay(case.id).matches_projection


def test_no_re_review_window_after_the_review_window_lapsed(c: Container) -> None:
    case = replied(c)
    clock(c).advance(days=40)
    case = fire_lapse(c, case.id)
    today = c.clock.now().date().isoformat()
    refused(c, GuardRejected, lambda: act(c, case, "P", "request_re_review", received_on=today))


def test_reply_while_a_hearing_is_open(c: Container) -> None:
    case = handling(c)
    act(c, case, "C1-ZJ", "hearing_start")
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明"),
    )
    assert isinstance(error, GuardRejected) and error.rule == "hearing"
    act(c, case, "C1-ZJ", "hearing_end")
    case = act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明")
    assert case.state == "replied" and case.hearing_open is None


def test_withdrawal_ends_an_open_hearing(c: Container) -> None:
    case = handling(c)
    act(c, case, "C1-ZJ", "hearing_start")
    case = act(c, case, "C1-ZJ", "withdraw", detail="信访人撤回")
    assert case.state == "withdrawn" and case.hearing_open is None
    assert case.hearings[-1]["end"] == case.withdrawal["on"]  # type: ignore[index]
    assert c.petitions.replay(case.id).matches_projection


def test_received_before_any_regulation_was_in_force(c: Container) -> None:
    error = refused(c, InvalidCommand, lambda: register(c, received_at="2005-04-30T10:00:00+08:00"))
    assert (error.problem, error.status) == ("validation-error", 422)
