"""Named conditions: they choose between alternatives and decide which clocks arm.

A condition never rejects a command (guards do that); it only answers a yes/no question
about the command and the matter, and its answer is recorded in the event as a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rules import PetitionType, Route, UnitKind, decide_route
from workflow.services.context import Ctx

Condition = Callable[[Ctx], bool]


def handling_rules_apply(ctx: Ctx, on: date) -> tuple[bool, bool]:
    """(handling clock, review rights) under the rule set in force on the acceptance day.

    信访工作条例 art 34 (60-day clock only for claims routed to petition handling, art 31(6));
    信访条例 (2005) art 33 (every accepted matter).
    """
    classification = ctx.case.classification
    if classification is None:
        return False, False
    decision = decide_route(
        ctx.engine.rule_set_for(on),
        PetitionType(classification["type"]),
        Route(classification["route"]),
    )
    return decision.handling_clock, decision.review_rights


def _accepted_on(ctx: Ctx) -> date | None:
    value = ctx.case.accepted_on
    return date.fromisoformat(value) if value else None


def route_is_petition(ctx: Ctx) -> bool:
    return bool(ctx.fields.get("route") == Route.PETITION.value)


def route_is_duty(ctx: Ctx) -> bool:
    """第三十一条第五项: the organ performs its duty or answers; the matter stays open."""
    return bool(ctx.fields.get("route") == Route.DUTY.value)


def has_review_rights(ctx: Ctx) -> bool:
    accepted = _accepted_on(ctx)
    return accepted is not None and handling_rules_apply(ctx, accepted)[1]


def outcome_is_redo(ctx: Ctx) -> bool:
    return bool(ctx.fields.get("outcome") == "redo")


def intake_at_petition_bureau(ctx: Ctx) -> bool:
    return ctx.engine.unit(ctx.case.intake_unit).kind == UnitKind.PETITION_BUREAU


def intake_at_other_organ(ctx: Ctx) -> bool:
    return not intake_at_petition_bureau(ctx)


def assigned_with_feedback(ctx: Ctx) -> bool:
    return (
        ctx.trigger == "transfer"
        and ctx.fields.get("mode") == "assign"
        and ctx.fields.get("feedback_days") is not None
    )


def entered_by_transfer(ctx: Ctx) -> bool:
    return ctx.trigger == "transfer"


def notice_owed_at_intake(ctx: Ctx) -> bool:
    """第二十三条第二款: an organ other than a petition bureau that receives a matter
    directly tells the petitioner in writing, “但信访人的姓名（名称）、住址不清的除外”."""
    return intake_at_other_organ(ctx) and not ctx.case.contact_unknown


def notice_owed_on_transfer(ctx: Ctx) -> bool:
    """第二十三条第三款: the organ receiving a transferred or assigned matter (again after
    an objection is overruled) tells the petitioner, unless the contact is unclear."""
    return ctx.trigger in ("transfer", "overrule") and not ctx.case.contact_unknown


def opinion_delivered(ctx: Ctx) -> bool:
    """第三十五条、第三十六条: the petitioner's window counts 自收到书面答复之日起, so it is
    armed only once delivery is recorded (with the opinion, or later by ``deliver``)."""
    return ctx.fields.get("delivered_on") is not None


def reopens_review_request(ctx: Ctx) -> bool:
    return bool(ctx.fields.get("rule") == "review_request")


def handling_clock_applies(ctx: Ctx) -> bool:
    return ctx.trigger == "accept" and handling_rules_apply(ctx, ctx.occurred_on)[0]


def entered_by_redo(ctx: Ctx) -> bool:
    return ctx.trigger == "review_decide" and outcome_is_redo(ctx)


CONDITIONS: dict[str, Condition] = {
    f.__name__: f
    for f in (
        route_is_petition,
        route_is_duty,
        has_review_rights,
        outcome_is_redo,
        intake_at_petition_bureau,
        intake_at_other_organ,
        assigned_with_feedback,
        entered_by_transfer,
        notice_owed_at_intake,
        notice_owed_on_transfer,
        opinion_delivered,
        reopens_review_request,
        handling_clock_applies,
        entered_by_redo,
    )
}
