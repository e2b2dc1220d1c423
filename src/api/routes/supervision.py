"""Supervision (督办): boards, items and their actions, leaders, backlog, and the rates.

Readers are supervisors (over their supervision root: a petition bureau oversees its
own government's subtree), auditors (their subtree) and admins (everything). ``unit``
defaults to the caller's root; a unit outside it does not exist for the caller (404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import cursors, parties, scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.routes.petitions import IdempotencyKey, parse_if_match, run_idempotent
from api.schemas import PetitionOut
from api.scope import Parties
from rules.time import local_date
from workflow import backlog, rates, supervision_board
from workflow.adapters.repository import SUPERVISION_ITEMS
from workflow.bootstrap import Container
from workflow.domain.actions import SuperviseItem
from workflow.domain.actor import Actor, Role
from workflow.supervision_board import BoardRow, Scope

router = APIRouter(tags=["supervision"])
READERS = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
Unit = Annotated[
    str | None, Query(max_length=64, description="Defaults to the caller's own scope root.")
]
Subtree = Annotated[bool, Query(description="Include every unit below `unit`.")]
Rules = Annotated[list[str] | None, Query(max_length=20, description="Only these rule ids.")]
Limit = Annotated[int, Query(ge=1)]
Cursor = Annotated[str | None, Query(max_length=500)]


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


class SupervisionItemOut(BaseModel):
    id: str
    petition_id: str
    number: str
    deadline_id: str
    rule: str
    article: str
    responsible_unit: str
    supervising_unit: str | None
    state: str
    opened_on: date


class ItemPage(BaseModel):
    items: list[SupervisionItemOut]
    next_cursor: str | None


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


def resolve_scope(c: Container, actor: Actor, unit: str | None, subtree: bool) -> Scope:
    scope.require_role(actor, READERS, "read supervision boards")
    root = scope.oversight_root(actor, c.units)
    if root is None:
        raise scope.not_found(f"unit {actor.unit}")
    target = root if unit is None else c.units.get(unit)
    if target is None or (actor.role is not Role.ADMIN and not root.contains(target)):
        raise scope.not_found(f"unit {unit}")
    return Scope.of(target, subtree)


def item_matter(c: Container, actor: Actor, item_id: str) -> str:
    """The matter a supervision item belongs to (404 if there is no such item); only a
    supervisor acts on items (403). Whether the caller may see the matter is
    ``item_visible``'s, checked by the command on the matter it loads."""
    scope.require_role(actor, frozenset({Role.SUPERVISOR}), "act on supervision items")
    with c.db.read() as conn:
        case_id = conn.execute(
            select(SUPERVISION_ITEMS.c.case_id).where(SUPERVISION_ITEMS.c.id == item_id)
        ).scalar_one_or_none()
    if case_id is None:
        raise scope.not_found(f"supervision item {item_id}")
    return str(case_id)


def item_visible(c: Container, actor: Actor, item_id: str, matter: Parties) -> None:
    """Outside the caller's scope the item does not exist for them: 404, as if unknown."""
    if not scope.can_read_parties(actor, matter, c.units):
        raise scope.not_found(f"supervision item {item_id}")


def _after(cursor: str | None) -> tuple[date, str] | None:
    if cursor is None:
        return None
    due, ident = cursors.decode(cursor, 2)
    try:
        return date.fromisoformat(str(due)), str(ident)
    except ValueError:
        raise ApiProblem(422, "validation-error", "malformed cursor", field="cursor") from None


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


@router.get(
    "/v1/supervision/items",
    response_model=ItemPage,
    responses=responses(401, 403, 404, 422),
    summary="Supervision items (督办事项) of a subtree",
)
def list_items(
    actor: CurrentActor,
    c: ContainerDep,
    unit: Unit = None,
    subtree: Subtree = True,
    state: Annotated[list[str] | None, Query(max_length=5)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ItemPage:
    sc = resolve_scope(c, actor, unit, subtree)
    limit = min(limit, c.settings.max_page_size)
    after = str(cursors.decode(cursor, 1)[0]) if cursor else None
    with c.db.read() as conn:
        rows = supervision_board.items(conn, sc, states=state, limit=limit, after=after)
    items = [
        SupervisionItemOut(
            id=r.id,
            petition_id=r.case_id,
            number=r.number,
            deadline_id=r.deadline_id,
            rule=r.rule,
            article=r.article,
            responsible_unit=r.responsible_unit,
            supervising_unit=r.supervising_unit,
            state=r.state,
            opened_on=r.opened_on,
        )
        for r in rows
    ]
    next_cursor = cursors.encode([rows[-1].id]) if len(rows) == limit else None
    return ItemPage(items=items, next_cursor=next_cursor)


@router.post(
    "/v1/supervision/items/{item_id}/actions",
    response_model=PetitionOut,
    responses=responses(401, 403, 404, 409, 412, 413, 415, 422),
    summary="Urge (催办), escalate (督办), report (通报) or close (销号) an item",
    description="Recorded as an event in the matter's history; `If-Match` takes the "
    "matter's version.",
)
async def act_on_item(
    item_id: Annotated[str, Path(max_length=160)],
    command: Annotated[SuperviseItem, Body()],
    request: Request,
    actor: CurrentActor,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=64)] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    version = parse_if_match(if_match)
    case_id = item_matter(c, actor, item_id)

    authorize, still_visible = parties.checks(
        c.db, case_id, lambda matter: item_visible(c, actor, item_id, matter)
    )

    return await run_idempotent(
        request,
        c,
        actor,
        idempotency_key,
        200,
        lambda hook: c.petitions.supervise(
            case_id,
            item_id,
            command,
            actor,
            if_match=version,
            on_commit_tx=hook,
            authorize=authorize,
        ),
        # A replayed response is only for a caller who may still see the item.
        before_replay=still_visible,
    )


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


def _policy(c: Container) -> backlog.BacklogPolicy:
    return backlog.BacklogPolicy(c.settings.backlog_age_days, c.settings.backlog_repeats)


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
    policy = _policy(c)
    with c.db.read() as conn:
        found = backlog.matters(
            conn,
            sc,
            policy,
            until=today,
            open_only=not include_resolved,
            limit=min(limit, c.settings.max_page_size),
        )
    return BacklogPage(
        unit=sc.unit,
        subtree=sc.subtree,
        as_of=today,
        age_days=policy.age_days,
        repeats=policy.repeats,
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
            policy=_policy(c),
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
