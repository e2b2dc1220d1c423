"""Supervision items (督办事项): listing them, opening one by hand, and urging, escalating,
reporting, closing."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import cursors, parties, scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import responses
from api.routes.petitions import IdempotencyKey, parse_if_match, run_idempotent
from api.routes.supervision.common import Cursor, Limit, Subtree, Unit, resolve_scope
from api.schemas import PetitionOut
from api.scope import Parties
from workflow.adapters.repository import SUPERVISION_ITEMS
from workflow.domain.actions import OpenSupervisionItem, SuperviseItem
from workflow.domain.actor import Actor, Role
from workflow.oversight import board as supervision_board
from workflow.runtime.bootstrap import Container

router = APIRouter(tags=["supervision"])


class SupervisionItemOut(BaseModel):
    id: str
    petition_id: str
    number: str
    deadline_id: str | None = Field(
        description="The obligation the item follows; null for an item opened by hand on none."
    )
    rule: str | None
    article: str
    ground: str = Field(
        description="breach (every item a breach opens), irregular_handling, falsification, "
        "not_implementing_opinion or other (《信访工作条例》第四十条第一款)."
    )
    responsible_unit: str
    supervising_unit: str | None
    state: str
    opened_on: date


class ItemPage(BaseModel):
    items: list[SupervisionItemOut]
    next_cursor: str | None


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
    scope.readable_parties(actor, matter, c.units, f"supervision item {item_id}")


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
    after = cursors.decode(cursor, 1)[0] if cursor else None
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
            ground=r.ground,
            responsible_unit=r.responsible_unit,
            supervising_unit=r.supervising_unit,
            state=r.state,
            opened_on=r.opened_on,
        )
        for r in rows
    ]
    next_cursor = cursors.encode([rows[-1].id]) if len(rows) == limit else None
    return ItemPage(items=items, next_cursor=next_cursor)


class OpenItemIn(OpenSupervisionItem):
    petition_id: Annotated[str, Field(min_length=1, max_length=40)]


def matter_visible(c: Container, actor: Actor, matter: Parties) -> None:
    """A matter outside the caller's scope does not exist for them: 404."""
    scope.readable_parties(actor, matter, c.units)


@router.post(
    "/v1/supervision/items",
    status_code=201,
    response_model=PetitionOut,
    responses=responses(401, 403, 404, 409, 412, 413, 415, 422),
    summary="Open a supervision item by hand (督办立项, 第四十条)",
    description="A supervisor of a petition bureau opens an item on a matter whose "
    "responsible unit its government oversees (not its own bureau): on `ground` "
    "breach (naming the overdue `deadline_id`), irregular_handling, falsification, "
    "not_implementing_opinion (it follows the open implementation check) or other; "
    "`detail` says what was found (required but for breach). Recorded as an event in the "
    "matter's history; the answer is the matter, the new item last in `supervision`. "
    "`If-Match` takes the matter's version.",
)
async def open_item(
    body: Annotated[OpenItemIn, Body()],
    request: Request,
    actor: CurrentActor,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=64)] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    version = parse_if_match(if_match)
    # Which unit may open one (a petition bureau above the responsible unit) is the
    # engine's rule; that only supervisors ever may is checked before any read.
    scope.require_role(actor, frozenset({Role.SUPERVISOR}), "open supervision items")
    case_id = body.petition_id
    parties.check_id(case_id)
    command = OpenSupervisionItem(**body.model_dump(exclude={"petition_id"}))
    authorize, still_visible = parties.checks(
        c.db, case_id, lambda matter: matter_visible(c, actor, matter)
    )
    return await run_idempotent(
        request,
        c,
        actor,
        idempotency_key,
        201,
        lambda hook: c.petitions.open_supervision(
            case_id, command, actor, if_match=version, on_commit_tx=hook, authorize=authorize
        ),
        # A replayed response is only for a caller who may still see the matter.
        before_replay=still_visible,
    )


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
