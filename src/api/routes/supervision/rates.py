"""The assessed rates (考核指标) of a subtree over a period, with their definitions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.routes.supervision.common import Subtree, Unit, policy, resolve_scope
from rules.time import local_date
from workflow.oversight import rates

router = APIRouter(tags=["supervision"])


class RateOut(BaseModel):
    key: str
    title: str
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when 0/0")
    definition: str
    definition_zh: str = Field(description="The same definition in Chinese.")
    breakdown: dict[str, int]


class RatesOut(BaseModel):
    unit: str
    subtree: bool
    from_: date = Field(alias="from")
    to: date
    computed_on: date
    rates: list[RateOut]

    model_config = {"populate_by_name": True}


@router.get(
    "/v1/stats/rates",
    response_model=RatesOut,
    response_model_by_alias=True,
    responses=responses(401, 403, 404, 422),
    summary="The assessed rates of a subtree over a period, with their definitions",
)
def stats_rates(
    actor: CurrentActor,
    c: ContainerDep,
    unit: Unit = None,
    subtree: Subtree = True,
    from_: Annotated[date | None, Query(alias="from", description="First day")] = None,
    to: Annotated[date | None, Query(description="Last day (default today)")] = None,
) -> dict[str, Any]:
    sc = resolve_scope(c, actor, unit, subtree)
    today = local_date(c.clock.now())
    end = to or today
    start = from_ or date(end.year, 1, 1)
    if start > end:
        raise ApiProblem(422, "validation-error", "from is after to", field="from")
    period = rates.Period(start=start, end=end, today=today)
    with c.db.read() as conn:
        found = rates.all_rates(
            conn,
            sc,
            period,
            evaluation_window_days=c.settings.evaluation_window_days,
            policy=policy(c),
        )
    return {
        "unit": sc.unit,
        "subtree": sc.subtree,
        "from": start,
        "to": end,
        "computed_on": today,
        "rates": [
            {
                "key": r.key,
                "title": r.title,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "value": r.value,
                "definition": r.definition,
                "definition_zh": r.definition_zh,
                "breakdown": r.breakdown,
            }
            for r in found
        ],
    }
