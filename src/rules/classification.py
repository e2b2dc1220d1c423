"""依法分类处理 and 诉访分离: where a matter goes, and which clocks then run.

《信访工作条例》 sorts matters into 建议意见类 (第二十九条), 检举控告类 (第三十条) and
申诉求决类 (第三十一条). Claims are routed six ways by 第三十一条; only branch (六)
stays in the petition track with the 60-day clock of 第三十四条 and the review
rights of 第三十五、三十六条. Litigation matters go to the 政法部门 (第二十二条第二款、
第二十八条第二款) and accusations for 纪检监察 to those organs (第二十二条第二款).
The 2005 《信访条例》 runs the 60-day clock for every accepted matter (第三十三条).
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.citations import Citation
from rules.errors import RuleViolation
from rules.regulation import Regulation, RouteLaw
from rules.rulesets import RuleSet, regulation_of
from rules.taxonomy import (
    ROUTE_LABELS,
    TYPE_LABELS,
    HandlingScope,
    PetitionType,
    Route,
    UnitKind,
)

__all__ = [
    "CONFIDENTIAL_TYPES",
    "PetitionType",
    "Route",
    "RouteDecision",
    "UnitKind",
    "decide_route",
]

CLAIM_BRANCHES = frozenset(
    {Route.ARBITRATION, Route.PARTY_APPEAL, Route.ADMINISTRATIVE, Route.DUTY}
)

_TARGETS = {Route.LITIGATION: UnitKind.POLITICAL_LEGAL, Route.DISCIPLINE: UnitKind.DISCIPLINE}

# 第三十条第三款 (2005: 第二十三条): the petitioner's 检举、揭发材料 are not disclosed or sent to
# the accused; the engine also reads this when a matter is classified and diverted at once.
CONFIDENTIAL_TYPES = frozenset({PetitionType.ACCUSATION})


@dataclass(frozen=True)
class RouteDecision:
    """The outcome of classification, with the article that governs it."""

    type: PetitionType
    route: Route
    diverted: bool
    target_kind: UnitKind | None
    handling_clock: bool
    review_rights: bool
    confidential: bool
    citation: Citation
    explanation: str


def decide_route(rule_set: RuleSet, type: PetitionType, route: Route) -> RouteDecision:
    """Decide what routing ``type`` to ``route`` means under ``rule_set``.

    Raises:
        RuleViolation: ``route-invalid`` when the route does not exist in this
            regulation (e.g. 纪检监察 diversion under 2005) or does not fit the type
            (e.g. arbitration for a suggestion: 第三十一条 branches are for claims).
    """
    regulation = regulation_of(rule_set)
    law = _law(regulation, type, route)
    clock = _handling_clock(rule_set.handling_scope, type, route)
    return RouteDecision(
        type=type,
        route=route,
        # 第三十一条第五项 “依法履行或者答复”: the organ keeps the matter and acts or answers.
        diverted=route not in (Route.PETITION, Route.DUTY),
        target_kind=_TARGETS.get(route),
        handling_clock=clock,
        review_rights=clock,
        confidential=type in CONFIDENTIAL_TYPES,
        citation=law.citation,
        explanation=f"{TYPE_LABELS[type]} → {ROUTE_LABELS[route]}：{law.explanation}",
    )


def _handling_clock(scope: HandlingScope, type: PetitionType, route: Route) -> bool:
    if route is not Route.PETITION:
        return False
    return scope is HandlingScope.ALL_ACCEPTED or type is PetitionType.CLAIM


def _law(regulation: Regulation, type: PetitionType, route: Route) -> RouteLaw:
    missing = regulation.unavailable_routes.get(route)
    if missing is not None:
        raise _invalid(
            type, route, f"{regulation.title}无此分流途径：{missing.explanation}", missing
        )
    law = regulation.routes.get((type, route))
    if law is not None:
        return law
    raise _invalid(type, route, *_mismatch(regulation, type, route))


def _mismatch(regulation: Regulation, type: PetitionType, route: Route) -> tuple[str, RouteLaw]:
    routes = regulation.routes
    if route is Route.DISCIPLINE:
        return "纪检监察分流只适用于检举控告类事项", routes[(PetitionType.ACCUSATION, route)]
    if route in CLAIM_BRANCHES:
        return f"“{ROUTE_LABELS[route]}”是申诉求决类事项的分流途径", routes[
            (PetitionType.CLAIM, route)
        ]
    own = routes[(type, Route.PETITION)]
    return f"{TYPE_LABELS[type]}事项按本条处理，不分流到“{ROUTE_LABELS[route]}”", own


def _invalid(type: PetitionType, route: Route, reason: str, law: RouteLaw) -> RuleViolation:
    return RuleViolation("route-invalid", reason, law.citation, type=type.value, route=route.value)
