"""考核指标: the assessed rates of a subtree over a period, a bar chart per child unit.

The figures come from ``api.routes.supervision.rates.stats_rates`` (the API's own numbers);
the per-unit charts ask the same function for each child unit's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.console import session
from api.console.board import units_below
from api.console.render import ConsoleRoute, page
from api.deps import ContainerDep
from api.problems import ApiProblem
from api.routes.supervision import rates as rate_routes
from workflow.domain.units import Unit

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
BAR_HEIGHT = 22
LABEL_WIDTH = 110
BAR_WIDTH = 260


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    numerator: int
    denominator: int
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    height: int
    bars: list[Bar]


def _day(value: str | None, field: str) -> date | None:
    if value is None or value.strip() == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ApiProblem(
            422, "validation-error", f"{field} 须为日期（YYYY-MM-DD）", field=field
        ) from None


def charts(children: list[Unit], per_child: dict[str, dict[str, Any]]) -> list[Chart]:
    """One small horizontal bar chart per child unit, one bar per rate (0..100%)."""
    out: list[Chart] = []
    for child in children:
        found = per_child[child.code]["rates"]
        bars = [
            Bar(
                label=rate["title"],
                value=rate["value"],
                numerator=rate["numerator"],
                denominator=rate["denominator"],
                y=row * BAR_HEIGHT,
                width=round(BAR_WIDTH * (rate["value"] or 0.0), 1),
            )
            for row, rate in enumerate(found)
        ]
        out.append(Chart(child.code, child.name, len(bars) * BAR_HEIGHT, bars))
    return out


@router.get("/rates")
def rates(
    request: Request,
    c: ContainerDep,
    unit: Text = None,
    from_: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    to: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    actor = session.actor_of(request)
    start, end = _day(from_, "from"), _day(to, "to")
    totals = rate_routes.stats_rates(actor, c, unit=unit or None, subtree=True, from_=start, to=end)
    target = c.units.get(str(totals["unit"]))
    every = c.units.all()
    children = [u for u in every if target is not None and u.parent == target.code]
    per_child = {
        child.code: rate_routes.stats_rates(
            actor, c, unit=child.code, subtree=True, from_=totals["from"], to=totals["to"]
        )
        for child in children
    }
    return page(
        request,
        "rates.html",
        actor=actor,
        title="考核指标",
        totals=totals,
        target=target,
        charts=charts(children, per_child),
        units=units_below(c, actor, every),
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
    )
