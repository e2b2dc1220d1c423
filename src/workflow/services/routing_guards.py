"""Guards of routing (依法分类处理): who may send a matter where, and who passes it on.

A petition bureau transfers or assigns (《信访工作条例》第二十二条第一款) and diverts only
what 第二十二条第二款 gives it; routing under 第三十一条 is the organ with authority's,
which objects (第二十三条第三款) rather than declines a matter outside its remit.
"""

from __future__ import annotations

from collections.abc import Callable

from rules import UnitKind
from workflow.domain.errors import GuardRejected
from workflow.domain.units import Unit
from workflow.services.context import Ctx
from workflow.services.refusals import invalid as _invalid


def not_declined_as_outside_remit(ctx: Ctx) -> None:
    """第二十三条第三款: an organ receiving a transferred matter that is not its remit
    “应当自收到之日起5个工作日内提出异议，并详细说明理由，经转送、交办的信访部门或者上级
    机关、单位核实同意后，交还相关材料” — it objects; it never declines the matter itself."""
    if ctx.case.state == "transferred" and ctx.fields.get("reason") == "not_in_jurisdiction":
        raise GuardRejected(
            "object",
            "a receiving organ that holds a transferred matter not to be its remit objects "
            "(`object`, within 5 working days of receipt, with reasons); it cannot decline "
            "it as not_in_jurisdiction",
            article="《信访工作条例》第二十三条第三款",
        )


# 第二十二条第二款: what a petition bureau itself sends on, and to which kind of unit:
# “对收到的涉法涉诉信件，应当转送同级政法部门依法处理……对属于纪检监察机关受理的检举控告类
# 信访事项，应当按照管理权限转送有关纪检监察机关依规依纪依法处理”.
_BUREAU_DIVERSIONS = {"litigation": UnitKind.POLITICAL_LEGAL, "discipline": UnitKind.DISCIPLINE}
_ART_22_2 = "《信访工作条例》第二十二条第二款"


def _route_invalid(reason: str, article: str, **context: object) -> GuardRejected:
    return GuardRejected(
        "route", reason, article=article, problem="validation-error", status=422, **context
    )


def route_allowed_here(ctx: Ctx) -> None:
    """Who may route a matter where (依法分类处理).

    A petition bureau transfers or assigns (第二十二条第一款); its own diversion is only
    what 第二十二条第二款 gives it, to a unit of the named kind. Routing under 第三十一条
    belongs to the organ with authority (有权处理的机关、单位), which may name the unit that
    receives a diverted matter.
    """
    route = str(ctx.fields.get("route"))
    holder = ctx.engine.unit(ctx.case.holder_unit)
    code = ctx.fields.get("to_unit")
    target = ctx.engine.find_unit(code) if isinstance(code, str) else None
    if code is not None and target is None:
        raise _invalid("to_unit", f"unknown unit {code}", field="to_unit")
    if route == "duty":
        due = ctx.field_date("due_on")
        if due is not None and due <= ctx.occurred_on:
            raise _invalid("duty", "due_on must lie after the classification day", field="due_on")
    elif ctx.fields.get("due_on") is not None:
        raise _invalid("duty", "due_on applies only to route duty (第三十一条第五项)")
    if holder.kind is UnitKind.PETITION_BUREAU:
        _bureau_route(ctx, route, holder, target)
        return
    wanted = _BUREAU_DIVERSIONS.get(route)
    if target is not None and wanted is not None and target.kind is not wanted:
        raise _route_invalid(
            f"a {route} diversion goes to a {wanted.value} unit, not {target.code}",
            _ART_22_2,
            field="to_unit",
        )


def _bureau_route(ctx: Ctx, route: str, bureau: Unit, target: Unit | None) -> None:
    if route == "petition":
        return
    wanted = _BUREAU_DIVERSIONS.get(route)
    if wanted is None:
        raise _route_invalid(
            f"a petition bureau does not route a matter to {route} itself: it transfers it "
            "to the organ with authority, which routes it under 第三十一条",
            "《信访工作条例》第二十二条第一款、第三十一条",
            field="route",
        )
    if target is None:
        raise _route_invalid(
            f"a petition bureau's {route} diversion names the receiving unit (to_unit)",
            _ART_22_2,
            field="to_unit",
        )
    same_level = target.parent == bureau.parent
    if target.kind is not wanted or (route == "litigation" and not same_level):
        level = "of the same level " if route == "litigation" else ""
        raise _route_invalid(
            f"a petition bureau sends a {route} matter to a {wanted.value} unit {level}"
            f"(第二十二条第二款), not to {target.code}",
            _ART_22_2,
            field="to_unit",
        )


def bureau_passes_on(ctx: Ctx) -> None:
    """A transferred matter moves on only from a petition bureau that received it (a
    higher bureau's 交办 to a lower one, 第二十二条第一款第二项); the organ with authority
    handles it, or objects (第二十三条第三款)."""
    if ctx.case.state != "transferred":
        return
    if ctx.engine.unit(ctx.case.holder_unit).kind != UnitKind.PETITION_BUREAU:
        raise GuardRejected(
            "transfer",
            "an organ that received a transferred matter handles it or objects within 5 "
            "working days; only a petition bureau passes it on",
            article="《信访工作条例》第二十三条第三款",
        )


ROUTING_GUARDS: dict[str, Callable[[Ctx], None]] = {
    g.__name__: g
    for g in (
        not_declined_as_outside_remit,
        route_allowed_here,
        bureau_passes_on,
    )
}
