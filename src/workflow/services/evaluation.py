"""Who records a satisfaction evaluation (满意度评价), and as whose.

《信访工作条例》第二十一条第二款 has the 信访信息系统 make it easy for the petitioner
“查询、评价信访事项办理情况”: the evaluation is the petitioner's (群众主导的评价). The
regulation names no one who records it for them; the rule below is policy following
Contract 1.1:

- the petitioner alone, through the public route with the matter's query code
  (``PETITIONER_ACTOR``): source ``petitioner``;
- on their behalf, a registrar (source ``registrar``) or an officer of a petition bureau
  (信访部门, source ``bureau``), and only one whose unit already has the matter (its
  intake, or a unit it passed through): recording an evaluation must not make a unit a
  party to the matter, which would let it read what it could not read before;
- never a unit that answered the matter (reply, review or re-review): the answer rated
  is its own, or the one it gave was upheld or replaced by it. That is 403, whatever
  the caller's role.
"""

from __future__ import annotations

from rules import UnitKind
from workflow.domain.actor import PETITIONER_ACTOR, Actor, Role
from workflow.domain.case import OPINIONS, Case
from workflow.domain.errors import GuardRejected
from workflow.services.context import Ctx

ARTICLE = "《信访工作条例》第二十一条第二款"
POLICY = "Contract 1.1: evaluation is the petitioner's (群众主导的评价)"


def is_petitioner(actor: Actor) -> bool:
    return actor.role is Role.SYSTEM and actor.sub == PETITIONER_ACTOR.sub


def source_of(actor: Actor) -> str:
    """``petitioner``, ``registrar`` or ``bureau``: who gave the evaluation recorded.
    (The guard below has let only these through.)"""
    if is_petitioner(actor):
        return "petitioner"
    return "registrar" if actor.role is Role.REGISTRAR else "bureau"


def answering_units(case: Case) -> set[str]:
    """Every unit whose written answer the evaluation rates or rested on: the issuers of
    the reply, review and re-review opinions, and the holder (the latest's issuer)."""
    units = {case.holder_unit, case.replied_by, case.reviewed_by}
    for stage in OPINIONS:
        opinion = getattr(case, stage) or {}
        units.add(opinion.get("by"))
    return {unit for unit in units if unit}


def _forbidden(reason: str, **context: object) -> GuardRejected:
    return GuardRejected(
        "evaluation",
        reason,
        article=ARTICLE,
        problem="forbidden",
        status=403,
        policy=POLICY,
        **context,
    )


def evaluation_is_the_petitioners(ctx: Ctx) -> None:
    actor = ctx.actor
    if is_petitioner(actor):
        return
    if actor.role is Role.SYSTEM:
        raise _forbidden("the system never evaluates a matter: the petitioner does")
    if actor.unit in answering_units(ctx.case):
        raise _forbidden(
            f"{actor.unit} answered this matter: the unit whose answer is rated never "
            "records the evaluation; the petitioner gives it (public route), or a registrar "
            "or the petition bureau records it on their behalf"
        )
    unit = ctx.engine.find_unit(actor.unit)
    bureau = unit is not None and unit.kind is UnitKind.PETITION_BUREAU
    if actor.role is not Role.REGISTRAR and not bureau:
        raise _forbidden(
            "an evaluation is recorded on the petitioner's behalf only by a registrar or a "
            "petition bureau (信访部门)"
        )
    involved = {ctx.case.intake_unit, ctx.case.holder_unit, *ctx.case.units_involved}
    if actor.unit not in involved:
        raise _forbidden(
            f"{actor.unit} has not had this matter: only a registrar or bureau that has it "
            "records an evaluation for the petitioner"
        )


EVALUATION_GUARDS = {g.__name__: g for g in (evaluation_is_the_petitioners,)}
