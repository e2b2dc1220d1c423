"""What each action changes on the matter besides its state and clocks.

An effect returns plain JSON-able changes; the fold writes them. Keeping them in the
event (rather than recomputing on replay) means the history says who held the matter
and why, even if the unit tree changes later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rules import PetitionType, Route, decide_route
from rules.admissibility import DeclineReason, decline_citation, process_citation
from workflow.services.context import Ctx
from workflow.services.evaluation import source_of


@dataclass
class Effect:
    set: dict[str, Any] = field(default_factory=dict)
    append: dict[str, dict[str, Any]] = field(default_factory=dict)


def _parent(ctx: Ctx, code: str | None) -> str | None:
    unit = ctx.engine.find_unit(code)
    return unit.parent if unit is not None else None


def _closing(ctx: Ctx, dest: str, effect: Effect) -> Effect:
    if ctx.engine.chart.states[dest].final:
        effect.set["closed_on"] = ctx.occurred_on.isoformat()
    return effect


def _receipt(ctx: Ctx, effect: Effect) -> Effect:
    """The receiving organ's own receipt of a transferred matter, when it records one."""
    received = ctx.fields.get("received_on")
    if received is not None:
        effect.set["transfer_received_on"] = received
    return effect


def classify(ctx: Ctx, dest: str) -> Effect:
    rule_set = ctx.engine.rule_set_for(ctx.occurred_on)
    decision = decide_route(rule_set, PetitionType(ctx.fields["type"]), Route(ctx.fields["route"]))
    classification = {
        "type": decision.type.value,
        "route": decision.route.value,
        "diverted": decision.diverted,
        "target_kind": decision.target_kind.value if decision.target_kind else None,
        "confidential": decision.confidential,
        "article": str(decision.citation),
        "explanation": decision.explanation,
        "rule_set": rule_set.id,
    }
    effect = Effect(set={"classification": classification})
    to_unit = ctx.fields.get("to_unit")
    if decision.diverted and to_unit:
        effect.set["diverted_to"] = to_unit
    return _closing(ctx, dest, effect)


def transfer(ctx: Ctx, dest: str) -> Effect:
    return Effect(
        set={
            "holder_unit": ctx.fields["to_unit"],
            "transferred_by": ctx.case.holder_unit,
            "transfer_mode": ctx.fields.get("mode", "transfer"),
            "objection": None,
            "transferred_on": ctx.occurred_on.isoformat(),
            "transfer_received_on": None,
        }
    )


def decline(ctx: Ctx, dest: str) -> Effect:
    rule_set = ctx.engine.rule_set_for(ctx.occurred_on)
    citation = decline_citation(rule_set, DeclineReason(ctx.fields["reason"]))
    process = ctx.fields.get("process")
    if process is not None and ctx.fields["reason"] == DeclineReason.IN_STATUTORY_PROCESS:
        # 第三十一条第一项至第四项: cite the item of the process the matter is in.
        citation = process_citation(rule_set, Route(process)) or citation
    return _closing(
        ctx,
        dest,
        _receipt(
            ctx,
            Effect(
                set={
                    "decline": {
                        "reason": ctx.fields["reason"],
                        "detail": ctx.fields.get("detail"),
                        "article": str(citation) if citation else None,
                        "by": ctx.case.holder_unit,
                    }
                }
            ),
        ),
    )


def object_(ctx: Ctx, dest: str) -> Effect:
    back_to = ctx.case.transferred_by or ctx.case.intake_unit
    effect = Effect(
        set={
            "holder_unit": back_to,
            "objection": {
                "by": ctx.case.holder_unit,
                "reason": ctx.fields["reason"],
                "on": ctx.occurred_on.isoformat(),
            },
        }
    )
    return _receipt(ctx, effect)


def overrule(ctx: Ctx, dest: str) -> Effect:
    objection = ctx.case.objection or {}
    return Effect(
        set={
            "holder_unit": objection.get("by", ctx.case.holder_unit),
            "objection": {**objection, "overruled": ctx.fields["reason"]},
        }
    )


def accept(ctx: Ctx, dest: str) -> Effect:
    return _receipt(ctx, Effect(set={"accepted_on": ctx.occurred_on.isoformat()}))


def extend(ctx: Ctx, dest: str) -> Effect:
    return Effect(append={"extensions": {**ctx.fields, "on": ctx.occurred_on.isoformat()}})


def hearing_start(ctx: Ctx, dest: str) -> Effect:
    return Effect(set={"hearing_open": ctx.occurred_on.isoformat()})


def hearing_end(ctx: Ctx, dest: str) -> Effect:
    hearing = {
        "start": ctx.case.hearing_open,
        "end": ctx.occurred_on.isoformat(),
        "state": ctx.case.state,
        "detail": ctx.fields.get("detail"),
    }
    return Effect(set={"hearing_open": None}, append={"hearings": hearing})


def _issued(ctx: Ctx) -> dict[str, Any]:
    """A written opinion's two dates: issued (出具) on the action's day, delivered (送达)
    when the petitioner received it, or None until ``deliver`` records it."""
    return {
        "issued_on": ctx.occurred_on.isoformat(),
        "delivered_on": ctx.fields.get("delivered_on"),
    }


def reply(ctx: Ctx, dest: str) -> Effect:
    answer = {
        "outcome": ctx.fields["outcome"],
        "opinion": ctx.fields["opinion"],
        "basis": ctx.fields.get("basis"),
        **_issued(ctx),
        "by": ctx.case.holder_unit,
    }
    changes = {"reply": answer, "replied_by": ctx.case.holder_unit, "last_opinion": "reply"}
    return _closing(ctx, dest, Effect(set=changes))


def evaluate(ctx: Ctx, dest: str) -> Effect:
    level = ctx.fields.get("level") or ("satisfied" if ctx.fields["satisfied"] else "dissatisfied")
    evaluation = {
        "satisfied": ctx.fields["satisfied"],
        "level": level,
        "on": ctx.occurred_on.isoformat(),
        "stage": ctx.case.state,
        "evaluated_unit": ctx.case.holder_unit,
        # Which written answer was before the petitioner, and who gave the evaluation
        # (the petitioner alone, or a registrar or bureau for them): the rates count the
        # petitioner's own first (adapters.rows.counted_evaluation).
        "opinion": ctx.case.last_opinion,
        "source": source_of(ctx.actor),
    }
    return Effect(append={"evaluations": evaluation})


def _request(ctx: Ctx, stage: str, answered_by: str | None) -> Effect:
    """A review (art 35) or re-review (art 36) request goes to the organ one level up."""
    organ = _parent(ctx, answered_by)
    return Effect(
        set={
            "holder_unit": organ,
            stage: {"received_on": ctx.fields["received_on"], "by": organ},
            "closed_on": None,
        }
    )


def _decision(ctx: Ctx, earlier: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return {
        **(earlier or {}),
        "outcome": ctx.fields["outcome"],
        "opinion": ctx.fields["opinion"],
        **_issued(ctx),
        **extra,
    }


def request_review(ctx: Ctx, dest: str) -> Effect:
    return _request(ctx, "review", ctx.case.replied_by)


def review_decide(ctx: Ctx, dest: str) -> Effect:
    review = _decision(ctx, ctx.case.review, redo_days=ctx.fields.get("redo_days"))
    changes: dict[str, Any] = {
        "review": review,
        "reviewed_by": ctx.case.holder_unit,
        "last_opinion": "review",
    }
    if dest == "handling":
        changes["holder_unit"] = ctx.case.replied_by
    return Effect(set=changes)


def request_re_review(ctx: Ctx, dest: str) -> Effect:
    return _request(ctx, "re_review", ctx.case.reviewed_by)


def re_review_decide(ctx: Ctx, dest: str) -> Effect:
    decision = _decision(ctx, ctx.case.re_review)
    return _closing(ctx, dest, Effect(set={"re_review": decision, "last_opinion": "re_review"}))


def withdraw(ctx: Ctx, dest: str) -> Effect:
    withdrawal = {"detail": ctx.fields.get("detail"), "on": ctx.occurred_on.isoformat()}
    effect = Effect(set={"withdrawal": withdrawal})
    if ctx.case.hearing_open is not None:
        # A withdrawal ends an open hearing too; otherwise the ended matter shows one open.
        effect = hearing_end(ctx, dest)
        effect.set["withdrawal"] = withdrawal
    return _closing(ctx, dest, effect)


def assign_leader(ctx: Ctx, dest: str) -> Effect:
    assignment = {
        "name": ctx.fields["leader"],
        "title": ctx.fields.get("title"),
        "on": ctx.occurred_on.isoformat(),
        "by": ctx.actor.unit,
    }
    return Effect(append={"leaders": assignment})


def deliver(ctx: Ctx, dest: str) -> Effect:
    stage = ctx.case.awaiting_delivery
    assert stage is not None  # the awaiting_delivery guard ran
    opinion = {
        **getattr(ctx.case, stage),
        "delivered_on": ctx.fields["delivered_on"],
        "delivery_method": ctx.fields["method"],
    }
    return Effect(set={stage: opinion})


def notify(ctx: Ctx, dest: str) -> Effect:
    notice = {
        "kind": ctx.fields["kind"],
        "method": ctx.fields["method"],
        "on": ctx.fields.get("notified_on") or ctx.occurred_on.isoformat(),
        "detail": ctx.fields.get("detail"),
        "by": ctx.actor.unit,
    }
    return _receipt(ctx, Effect(append={"notices": notice}))


def implemented(ctx: Ctx, dest: str) -> Effect:
    # 落实 changes nothing on the matter itself: the check's clock records the day (its
    # met_on), the event's fields what was done.
    return Effect()


def lapse(ctx: Ctx, dest: str) -> Effect:
    return _closing(ctx, dest, Effect())


def reopen_window(ctx: Ctx, dest: str) -> Effect:
    return Effect(set={"closed_on": None})


EFFECTS: dict[str, Callable[[Ctx, str], Effect]] = {
    "classify": classify,
    "transfer": transfer,
    "decline": decline,
    "object": object_,
    "overrule": overrule,
    "accept": accept,
    "extend": extend,
    "hearing_start": hearing_start,
    "hearing_end": hearing_end,
    "reply": reply,
    "evaluate": evaluate,
    "request_review": request_review,
    "review_decide": review_decide,
    "request_re_review": request_re_review,
    "re_review_decide": re_review_decide,
    "withdraw": withdraw,
    "assign_leader": assign_leader,
    "deliver": deliver,
    "notify": notify,
    "implemented": implemented,
    "lapse": lapse,
    "reopen_window": reopen_window,
}
