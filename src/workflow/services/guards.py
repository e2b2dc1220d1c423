"""Named guards: legal and organisational preconditions that reject with a reason.

Each guard raises ``GuardRejected`` naming its rule and, where the law sets it, the
article; the statechart refers to guards by these names only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rules import UnitKind
from rules.admissibility import check_extension
from rules.classification import CONFIDENTIAL_TYPES, PetitionType
from rules.rulesets import regulation_of
from workflow.domain.case import Deadline
from workflow.domain.errors import GuardRejected
from workflow.domain.units import Unit
from workflow.services import clocks
from workflow.services.context import Ctx
from workflow.services.delivery_guards import DELIVERY_GUARDS
from workflow.services.evaluation import EVALUATION_GUARDS
from workflow.services.oversight_guards import OVERSIGHT_GUARDS
from workflow.services.refusals import invalid as _invalid
from workflow.services.routing_guards import ROUTING_GUARDS

Guard = Callable[[Ctx], None]


def actor_holds_matter(ctx: Ctx) -> None:
    if ctx.actor.unit != ctx.case.holder_unit:
        raise GuardRejected(
            "holder",
            f"only the unit holding the matter ({ctx.case.holder_unit}) may {ctx.trigger} it",
            holder_unit=ctx.case.holder_unit,
        )


def target_unit_exists(ctx: Ctx) -> None:
    code = ctx.fields.get("to_unit")
    if not isinstance(code, str) or ctx.engine.find_unit(code) is None:
        raise _invalid("to_unit", f"unknown unit {code}", field="to_unit")


def target_unit_not_self(ctx: Ctx) -> None:
    if ctx.fields.get("to_unit") == ctx.case.holder_unit:
        raise _invalid("to_unit", "a matter cannot be transferred to the unit that holds it")


def _accusation_binds(ctx: Ctx) -> bool:
    """Whether the matter's accused units bind this command: ``classify`` sets the type
    now (and may divert at once), every later command reads the matter's own flag."""
    if not ctx.case.accused_units:
        return False
    if ctx.trigger == "classify":
        return PetitionType(str(ctx.fields.get("type"))) in CONFIDENTIAL_TYPES
    return ctx.case.confidential


def target_not_accused(ctx: Ctx) -> None:
    """《信访工作条例》第三十条第三款: “不得将信访人的检举、揭发材料以及有关情况透露或者转给
    被检举、揭发的人员或者单位。” (2005: 《信访条例》第二十三条, “行政机关及其工作人员不得将
    信访人的检举、揭发材料及有关情况透露或者转给被检举、揭发的人员或者单位。”)

    An accusation is not transferred, assigned or diverted to a unit it accuses
    (``accused_units``) or to any unit below one: a unit below answers to the accused
    one, so the materials would reach it. The citation is the regulation in force on the
    day of the act, as for a classification.
    """
    code = ctx.fields.get("to_unit")
    if not isinstance(code, str) or not _accusation_binds(ctx):
        return
    accused = next((c for c in ctx.engine.lineage(code) if c in ctx.case.accused_units), None)
    if accused is None:
        return
    citation = regulation_of(ctx.engine.rule_set_for(ctx.occurred_on)).confidentiality_citation
    below = "" if accused == code else f", which lies below the accused unit {accused}"
    raise GuardRejected(
        "confidentiality",
        f"this accusation may not be sent to {code}{below}: an accusation is never "
        "transferred to the accused unit or any unit below it",
        article=str(citation),
        problem="confidentiality",
        status=409,
        field="to_unit",
        accused_unit=accused,
    )


def assignment_has_feedback_days(ctx: Ctx) -> None:
    if ctx.fields.get("mode") == "assign" and ctx.fields.get("feedback_days") is None:
        raise _invalid(
            "assign_feedback",
            "交办 needs feedback_days: the assigning bureau sets the reporting deadline "
            "(《信访工作条例》第二十二条第一款第三项)",
            field="feedback_days",
        )
    if ctx.fields.get("mode") != "assign" and ctx.fields.get("feedback_days") is not None:
        raise _invalid("assign_feedback", "feedback_days applies only to mode assign")


def decline_reason_cited(ctx: Ctx) -> None:
    reason = ctx.fields.get("reason")
    if reason == "other" and not ctx.fields.get("detail"):
        raise _invalid("decline", "reason other needs a detail", field="detail")
    if reason == "bypassed_level" and ctx.case.channel != "visit":
        # 第二十条第一款: “信访人采用走访形式提出信访事项的，应当到有权处理的本级或者上一级
        # 机关、单位设立或者指定的接待场所提出” — a rule for visits only.
        raise _invalid(
            "decline",
            "bypassed_level (逐级走访, 《信访工作条例》第二十条第一款) applies to visits only",
            field="reason",
        )


def _window_open(
    ctx: Ctx, rule: str, day: date, what: str, *, deadline: Deadline | None = None
) -> None:
    deadline = deadline or ctx.case.latest(rule)
    if deadline is None and ctx.case.awaiting_delivery is not None:
        raise GuardRejected(
            rule,
            f"the {what} has not started: the written opinion's delivery (送达) is not "
            "recorded yet; the issuing organ records it with `deliver`",
        )
    if deadline is None:
        raise GuardRejected(rule, f"this matter has no {what}")
    if day > deadline.lapses_after:
        raise GuardRejected(
            rule,
            f"the {what} ended on {deadline.lapses_after.isoformat()} ({deadline.article}); "
            f"{day.isoformat()} is too late",
            article=deadline.article,
            problem="window-lapsed",
            due_on=deadline.lapses_after.isoformat(),
        )


def object_window_open(ctx: Ctx) -> None:
    pending = ctx.case.open_deadlines("object")
    latest = ctx.case.latest("object")
    if not pending and latest is not None and latest.status == "lapsed":
        raise GuardRejected(
            "object",
            f"the 5-working-day objection window ended on {latest.due_on.isoformat()} "
            f"({latest.article}); the organ must now handle the matter",
            article=latest.article,
            problem="window-lapsed",
            due_on=latest.due_on.isoformat(),
        )
    if not pending:
        raise GuardRejected(
            "object",
            "no objection window is open: it opens only on a transfer under "
            "《信访工作条例》第二十三条第三款 (2022), once",
        )
    # The window counts from the organ's own receipt when this action records it.
    received = ctx.field_date("received_on")
    window = pending[-1]
    if received is not None and window.trigger_on != received:
        window = clocks.recompute(ctx.engine, window, trigger_on=received)
    _window_open(ctx, "object", ctx.occurred_on, "5-working-day objection window", deadline=window)


def holder_may_accept(ctx: Ctx) -> None:
    if ctx.engine.unit(ctx.case.holder_unit).kind == UnitKind.PETITION_BUREAU:
        raise GuardRejected(
            "route",
            "a petition bureau transfers or assigns a matter to the competent organ "
            "instead of accepting it (《信访工作条例》第二十二条)",
            article="《信访工作条例》第二十二条",
        )


def extension_allowed(ctx: Ctx) -> None:
    running = ctx.case.open_deadlines("handle")
    if not running:
        raise GuardRejected("extension-limit", "no handling clock runs for this matter")
    deadline = running[-1]
    rule = ctx.engine.rule_book.get(deadline.rule_set).rule("handle")
    verdict = check_extension(
        rule, deadline.extension_days, deadline.times_extended, int(ctx.fields["days"])
    )
    if not verdict.ok:
        # The extension's own provision: an overlay may change the cap under another
        # article than the handling period's.
        article = str(verdict.citation) if verdict.citation else deadline.article
        raise GuardRejected(
            "extension-limit",
            verdict.reason,
            article=article,
            problem="extension-limit",
            extended_days=deadline.extension_days,
            times_extended=deadline.times_extended,
            rule_set=deadline.rule_set,
        )
    if ctx.occurred_on > deadline.due_on:
        raise GuardRejected(
            "extension-limit",
            f"the handling period already ended on {deadline.due_on.isoformat()}; "
            "an extension must be approved before it ends",
            article=deadline.article,
            problem="extension-limit",
        )


def no_hearing_open(ctx: Ctx) -> None:
    if ctx.case.hearing_open is not None:
        raise GuardRejected("hearing", f"a hearing is open since {ctx.case.hearing_open}")


def hearing_open(ctx: Ctx) -> None:
    if ctx.case.hearing_open is None:
        raise GuardRejected("hearing", "no hearing is open")
    if ctx.occurred_on < date.fromisoformat(ctx.case.hearing_open):
        raise _invalid("hearing", "a hearing cannot end before it started")


def has_been_answered(ctx: Ctx) -> None:
    if ctx.case.reply is None:
        raise GuardRejected("evaluate", "only a matter that received a reply can be evaluated")


def _received_plausible(ctx: Ctx, answered_on: str | None) -> date:
    received = ctx.field_date("received_on")
    if received is None:
        raise _invalid("received_on", "received_on is required", field="received_on")
    if received > ctx.occurred_on:
        raise _invalid("received_on", "received_on is after the action itself", field="received_on")
    if answered_on is not None and received < date.fromisoformat(answered_on):
        raise _invalid(
            "received_on", "received_on is before the answer was delivered", field="received_on"
        )
    return received


def _reopenable(ctx: Ctx, rule: str, what: str) -> None:
    """A closed matter reopens only through a window that lapsed unused (the late record
    of a request received in time); a window already used or never opened cannot."""
    if ctx.case.state != "closed":
        return
    window = ctx.case.latest(rule)
    if window is None or window.status != "lapsed":
        raise GuardRejected(rule, f"this closed matter has no lapsed {what} to reopen it")


def window_lapsed_too_early(ctx: Ctx) -> None:
    """Only the calendar recompute reopens a closed matter this way, naming the lapsed
    window that closed it (Contract 1.1: a window that lapsed too early reopens)."""
    window = ctx.case.latest(str(ctx.fields.get("rule")))
    if window is None or window.id != ctx.fields.get("deadline_id") or window.status != "lapsed":
        raise GuardRejected(
            "reopen_window",
            "no lapsed window of this matter to reopen",
            article="API Contract 1.1 (policy: a window that lapsed too early reopens; "
            "《信访工作条例》第三十五条、第三十六条 count it from delivery)",
        )


def review_window_open(ctx: Ctx) -> None:
    reply = ctx.case.reply or {}
    received = _received_plausible(ctx, reply.get("delivered_on"))
    _reopenable(ctx, "review_request", "review request window (复查申请期限)")
    _window_open(ctx, "review_request", received, "review request window (复查申请期限)")


def re_review_window_open(ctx: Ctx) -> None:
    review = ctx.case.review or {}
    received = _received_plausible(ctx, review.get("delivered_on"))
    _reopenable(ctx, "re_review_request", "re-review request window (复核申请期限)")
    _window_open(ctx, "re_review_request", received, "re-review request window (复核申请期限)")


def _organ_above(ctx: Ctx, below: str | None, what: str) -> Unit:
    unit = ctx.engine.find_unit(below)
    parent = ctx.engine.find_unit(unit.parent) if unit is not None else None
    if parent is None:
        raise GuardRejected(what, f"no organ above {below} can take the {what}")
    if ctx.actor.unit != parent.code:
        raise GuardRejected(
            "holder",
            f"the {what} is received and recorded by {parent.code}, the organ one level "
            f"above {below}",
            holder_unit=parent.code,
        )
    return parent


def review_organ_exists(ctx: Ctx) -> None:
    _organ_above(ctx, ctx.case.replied_by, "review")


def re_review_organ_exists(ctx: Ctx) -> None:
    _organ_above(ctx, ctx.case.reviewed_by, "re_review")


def redo_has_days(ctx: Ctx) -> None:
    redo = ctx.fields.get("outcome") == "redo"
    if redo and ctx.fields.get("redo_days") is None:
        raise _invalid("redo", "outcome redo needs redo_days (the reviewer's limit)")
    if not redo and ctx.fields.get("redo_days") is not None:
        raise _invalid("redo", "redo_days applies only to outcome redo")


GUARDS: dict[str, Guard] = {
    g.__name__: g
    for g in (
        actor_holds_matter,
        target_unit_exists,
        target_unit_not_self,
        target_not_accused,
        assignment_has_feedback_days,
        decline_reason_cited,
        object_window_open,
        holder_may_accept,
        extension_allowed,
        no_hearing_open,
        hearing_open,
        has_been_answered,
        window_lapsed_too_early,
        review_window_open,
        re_review_window_open,
        review_organ_exists,
        re_review_organ_exists,
        redo_has_days,
    )
}
GUARDS.update(OVERSIGHT_GUARDS)
GUARDS.update(ROUTING_GUARDS)
GUARDS.update(DELIVERY_GUARDS)
GUARDS.update(EVALUATION_GUARDS)
