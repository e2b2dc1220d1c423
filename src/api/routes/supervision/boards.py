"""The overdue and due-soon boards of a unit's subtree (督办看板), now or as of a past day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api import cursors
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.routes.supervision.common import Cursor, Limit, Rules, Subtree, Unit, resolve_scope
from rules.time import local_date
from workflow.oversight import board as supervision_board
from workflow.oversight.board import BoardRow, Scope

router = APIRouter(tags=["supervision"])


class ItemRef(BaseModel):
    id: str
    state: str
    supervising_unit: str | None


class BoardItem(BaseModel):
    petition_id: str
    number: str
    state: str
    holder_unit: str
    leader: str | None
    deadline_id: str
    rule: str
    article: str
    due_on: date
    days_overdue: int = Field(description="Calendar days past the due day (negative: not yet).")
    responsible_unit: str
    status: str = Field(description="breached, or pending when the sweep has not reached it")
    supervision: ItemRef | None


class Board(BaseModel):
    unit: str
    subtree: bool
    today: date
    as_of: date | None = None
    total: int | None = Field(default=None, description="All matching rows (first page only).")
    items: list[BoardItem]
    next_cursor: str | None


def _after(cursor: str | None) -> tuple[date, str] | None:
    if cursor is None:
        return None
    return cursors.decode_day(cursor)


def _board(
    sc: Scope,
    today: date,
    rows: list[BoardRow],
    limit: int,
    *,
    total: int | None = None,
    as_of: date | None = None,
) -> Board:
    items = [
        BoardItem(
            petition_id=r.case_id,
            number=r.number,
            state=r.state,
            holder_unit=r.holder_unit,
            leader=r.leader,
            deadline_id=r.deadline_id,
            rule=r.rule,
            article=r.article,
            due_on=r.due_on,
            days_overdue=r.days_overdue,
            responsible_unit=r.responsible_unit,
            status=r.status,
            supervision=ItemRef(**r.item) if r.item else None,
        )
        for r in rows
    ]
    cursor = None
    if len(rows) == limit:
        due, ident = rows[-1].cursor()
        cursor = cursors.encode([due.isoformat(), ident])
    return Board(
        unit=sc.unit,
        subtree=sc.subtree,
        today=today,
        as_of=as_of,
        total=total,
        items=items,
        next_cursor=cursor,
    )


@router.get(
    "/v1/supervision/overdue",
    response_model=Board,
    responses=responses(401, 403, 404, 422),
    summary="Open breaches in a unit's subtree, most overdue first",
    description="`as_of=DATE` answers what was overdue at the end of that day, as the "
    "system had recorded it by then (from the recorded versions of every deadline).",
)
def overdue(
    actor: CurrentActor,
    c: ContainerDep,
    unit: Unit = None,
    subtree: Subtree = True,
    as_of: Annotated[date | None, Query(description="A past day (Asia/Shanghai)")] = None,
    rule: Rules = None,
    min_days: Annotated[int, Query(ge=1, le=3650, description="At least this late")] = 1,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Board:
    sc = resolve_scope(c, actor, unit, subtree)
    limit = min(limit, c.settings.max_page_size)
    now = c.clock.now()
    today = local_date(now)
    after = _after(cursor)
    with c.db.read() as conn:
        if as_of is not None:
            if as_of > today:
                raise ApiProblem(422, "validation-error", "as_of is in the future", field="as_of")
            rows = supervision_board.overdue_as_of(
                conn, sc, as_of, now=now, limit=limit, after=after
            )
            return _board(sc, today, rows, limit, as_of=as_of)
        rows = supervision_board.overdue(
            conn, sc, today, limit=limit, after=after, rules=rule, min_days=min_days
        )
        total = supervision_board.overdue_count(conn, sc, today, rule) if cursor is None else None
    return _board(sc, today, rows, limit, total=total)


@router.get(
    "/v1/supervision/due-soon",
    response_model=Board,
    responses=responses(401, 403, 404, 422),
    summary="Running obligations due within the next days",
)
def due_soon(
    actor: CurrentActor,
    c: ContainerDep,
    unit: Unit = None,
    subtree: Subtree = True,
    within_days: Annotated[int, Query(ge=0, le=90, description="Calendar days ahead")] = 3,
    rule: Rules = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Board:
    sc = resolve_scope(c, actor, unit, subtree)
    limit = min(limit, c.settings.max_page_size)
    today = local_date(c.clock.now())
    with c.db.read() as conn:
        rows = supervision_board.due_soon(
            conn, sc, today, within_days, limit=limit, after=_after(cursor), rules=rule
        )
    return _board(sc, today, rows, limit)
