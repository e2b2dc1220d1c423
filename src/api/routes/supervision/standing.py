"""Leaders (领导包案) and the backlog (积案) of a subtree."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import responses
from api.routes.supervision.common import Limit, Subtree, Unit, policy, resolve_scope
from rules.time import local_date
from workflow.oversight import backlog
from workflow.oversight import board as supervision_board

router = APIRouter(tags=["supervision"])


class LeaderOut(BaseModel):
    leader: str
    matters: int
    open: int


class BacklogOut(BaseModel):
    petition_id: str
    number: str
    state: str
    holder_unit: str
    leader: str | None
    received_on: date
    flagged_on: date
    reasons: list[str] = Field(description="age (open too long) and/or repeats")
    repeats: int
    ended_on: date | None


class BacklogPage(BaseModel):
    unit: str
    subtree: bool
    as_of: date
    age_days: int
    repeats: int
    items: list[BacklogOut]


@router.get(
    "/v1/supervision/leaders",
    response_model=list[LeaderOut],
    responses=responses(401, 403, 404, 422),
    summary="领导包案: leaders and the matters they answer for",
)
def list_leaders(
    actor: CurrentActor, c: ContainerDep, unit: Unit = None, subtree: Subtree = True
) -> list[LeaderOut]:
    sc = resolve_scope(c, actor, unit, subtree)
    with c.db.read() as conn:
        return [LeaderOut(**row) for row in supervision_board.leaders(conn, sc)]


@router.get(
    "/v1/supervision/backlog",
    response_model=BacklogPage,
    responses=responses(401, 403, 404, 422),
    summary="积案: matters open too long or petitioned about too often",
)
def list_backlog(
    actor: CurrentActor,
    c: ContainerDep,
    unit: Unit = None,
    subtree: Subtree = True,
    include_resolved: Annotated[bool, Query(description="Also those that ended")] = False,
    limit: Limit = 200,
) -> BacklogPage:
    sc = resolve_scope(c, actor, unit, subtree)
    today = local_date(c.clock.now())
    policy_ = policy(c)
    with c.db.read() as conn:
        found = backlog.matters(
            conn,
            sc,
            policy_,
            until=today,
            open_only=not include_resolved,
            limit=min(limit, c.settings.max_page_size),
        )
    return BacklogPage(
        unit=sc.unit,
        subtree=sc.subtree,
        as_of=today,
        age_days=policy_.age_days,
        repeats=policy_.repeats,
        items=[
            BacklogOut(
                petition_id=m.case_id,
                number=m.number,
                state=m.state,
                holder_unit=m.holder_unit,
                leader=m.leader,
                received_on=m.received_on,
                flagged_on=m.flagged_on,
                reasons=list(m.reasons),
                repeats=m.repeats,
                ended_on=m.ended_on,
            )
            for m in found
        ],
    )
