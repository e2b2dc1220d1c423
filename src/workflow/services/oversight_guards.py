"""Guards of supervision (督办), implementation (落实), repeat petitions (重复信访) and
leader assignment (包案).

Named like every guard; the supervision chart and the petition chart refer to them by name.
"""

from __future__ import annotations

from typing import Any

from rules.admissibility import DeclineReason, decline_citation
from workflow.domain.case import Deadline
from workflow.domain.errors import GuardRejected, NotFound
from workflow.domain.units import supervision_root
from workflow.services.clocks import IMPLEMENTATION
from workflow.services.context import Ctx

_DECLINE_FOR = {"duplicate": DeclineReason.DUPLICATE, "finalized": DeclineReason.FINALIZED}
# 信访部门 supervise (督办) the organs that delay or shirk a matter.
_SUPERVISION = "《信访工作条例》第四十条"
# Leaders take on (包案) the matters that trouble the public most.
_LEADERS = "《信访工作条例》第十八条第二款"
# A supported claim is carried out: “作出支持信访请求意见的，应当督促有关机关、单位执行”.
_IMPLEMENT = "《信访工作条例》第三十二条第二款"


def _item(ctx: Ctx) -> dict[str, Any]:
    try:
        return ctx.case.supervision_item(str(ctx.fields.get("item")))
    except KeyError:
        raise NotFound(f"no supervision item {ctx.fields.get('item')}") from None


def _oversees(ctx: Ctx, code: str) -> bool:
    home = ctx.engine.find_unit(ctx.actor.unit)
    target = ctx.engine.find_unit(code)
    if home is None or target is None:
        return False
    return supervision_root(home, ctx.engine.units).contains(target)


def actor_supervises_item(ctx: Ctx) -> None:
    item = _item(ctx)
    if ctx.actor.unit == item.get("supervising_unit") or _oversees(ctx, item["responsible_unit"]):
        return
    raise GuardRejected(
        "supervision",
        f"only the petition bureau supervising {item['responsible_unit']} or a unit above it "
        f"may act on this supervision item ({_SUPERVISION})",
        article=_SUPERVISION,
    )


def escalation_target_above(ctx: Ctx) -> None:
    """督办 may hand the item to a bureau higher up; never sideways or down."""
    target = ctx.fields.get("to_unit")
    if target is None:
        return
    item = _item(ctx)
    current = ctx.engine.find_unit(item.get("supervising_unit") or item["responsible_unit"])
    wanted = ctx.engine.find_unit(str(target))
    if wanted is None:
        raise GuardRejected(
            "supervision", f"unknown unit {target}", problem="validation-error", status=422
        )
    above = (
        current is not None
        and wanted.code != current.code
        and supervision_root(wanted, ctx.engine.units).contains(current)
    )
    if not above:
        raise GuardRejected(
            "supervision",
            f"an item escalates to a unit above {item.get('supervising_unit')}, "
            f"and {target} is not (督办 comes from above, {_SUPERVISION})",
            article=_SUPERVISION,
            problem="validation-error",
            status=422,
        )


def item_obligation_settled(ctx: Ctx) -> None:
    """An item is closed (销号) once the late obligation is met or the matter ended; an
    item opened by hand on no obligation, when the supervising bureau judges it done."""
    item = _item(ctx)
    try:
        deadline = ctx.case.deadline(str(item.get("deadline_id")))
    except KeyError:
        return
    # The end of the matter settles its obligations, but not the implementation of a
    # supported claim, which is owed after the matter is closed (第三十二条第二款).
    if ctx.case.ended and deadline.rule != IMPLEMENTATION:
        return
    if deadline.met_on is None and deadline.status in ("pending", "breached", "paused"):
        raise GuardRejected(
            "supervision",
            f"the {deadline.rule} obligation of {deadline.responsible_unit} is still "
            f"outstanding (due {deadline.due_on.isoformat()}, {deadline.article}); "
            "the item is closed once it is met",
            article=deadline.article,
        )


def open_implementation(ctx: Ctx) -> Deadline | None:
    """The implementation check still owed on the matter, if any (at most one is open)."""
    found = ctx.case.open_deadlines(IMPLEMENTATION)
    return found[-1] if found else None


def implementation_pending(ctx: Ctx) -> None:
    """落实 is recorded against a supported claim whose check is still open."""
    if open_implementation(ctx) is None:
        raise GuardRejected(
            "implementation",
            "no supported claim awaits implementation on this matter: a reply that supports "
            f"the claim arms the check, and it is met once ({_IMPLEMENT})",
            article=_IMPLEMENT,
        )


def actor_owes_implementation(ctx: Ctx) -> None:
    """The unit that issued the supported opinion answers for carrying it out."""
    check = open_implementation(ctx)
    if check is None or ctx.actor.unit == check.responsible_unit:
        return
    raise GuardRejected(
        "implementation",
        f"the implementation is recorded by {check.responsible_unit}, which issued the "
        f"supported opinion ({_IMPLEMENT})",
        article=_IMPLEMENT,
        responsible_unit=check.responsible_unit,
    )


def implementation_day_plausible(ctx: Ctx) -> None:
    """Carried out on or after the supported opinion's issue, and not after it is recorded."""
    done = ctx.field_date("implemented_on")
    check = open_implementation(ctx)
    if done is None or check is None:
        return
    if done < check.trigger_on or done > ctx.recorded_on:
        raise GuardRejected(
            "implemented_on",
            f"implemented_on {done.isoformat()} lies outside {check.trigger_on.isoformat()} .. "
            f"{ctx.recorded_on.isoformat()} (the supported opinion's issue .. the recording day)",
            problem="validation-error",
            status=422,
            field="implemented_on",
        )


def repeat_allows_handling(ctx: Ctx) -> None:
    """A repeat of a pending matter, or of one concluded on the same facts, is not handled
    again: it is declined with the matching ground."""
    repeat = ctx.case.repeat
    if not repeat or repeat.get("disposition") not in _DECLINE_FOR:
        return
    reason = _DECLINE_FOR[repeat["disposition"]]
    rule_set = ctx.engine.rule_book.get(ctx.case.rule_set)
    citation = decline_citation(rule_set, reason)
    raise GuardRejected(
        "repeat",
        f"this matter repeats {repeat['previous_number']} ({repeat['of_state']}): decline it with "
        f"reason {reason.value}",
        article=str(citation) if citation else None,
        problem="repeat-petition",
        repeat_of=repeat["of"],
        decline_reason=reason.value,
    )


def actor_may_assign_leader(ctx: Ctx) -> None:
    """包案 (《信访工作条例》第十八条第二款): the holding unit, or any unit above it, names
    the answerable leader (which unit may name one is policy, docs/supervision.md)."""
    holder = ctx.engine.find_unit(ctx.case.holder_unit)
    home = ctx.engine.find_unit(ctx.actor.unit)
    if holder is not None and home is not None and home.contains(holder):
        return
    raise GuardRejected(
        "leader",
        f"a leader is assigned (包案, {_LEADERS}) by the unit holding the matter "
        f"({ctx.case.holder_unit}) or a unit above it",
        article=_LEADERS,
        holder_unit=ctx.case.holder_unit,
    )


OVERSIGHT_GUARDS = {
    g.__name__: g
    for g in (
        actor_supervises_item,
        escalation_target_above,
        item_obligation_settled,
        implementation_pending,
        actor_owes_implementation,
        implementation_day_plausible,
        repeat_allows_handling,
        actor_may_assign_leader,
    )
}
