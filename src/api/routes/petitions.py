"""Petitions: register, read, list, act (``/v1/petitions``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from api import cursors, idempotency, parties, scope
from api.auth import CurrentActor
from api.commands import CommandRoute
from api.deps import ContainerDep
from api.presenter import etag, present, repeat_view
from api.problems import ApiProblem, responses
from api.schemas import Page, PetitionOut, RegisteredOut
from workflow.adapters import repository as repo
from workflow.adapters.repository import CASES, DEADLINES
from workflow.domain.actions import Action, Channel, Register
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected, WorkflowError
from workflow.runtime.bootstrap import Container
from workflow.services import query_codes

router = APIRouter(prefix="/v1/petitions", tags=["petitions"])
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Replays the first response."),
]
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
OPEN_STATUSES = ("pending", "paused", "breached")
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def parse_if_match(value: str | None) -> int | None:
    """``"<version>"`` (quotes optional); anything else is a 422 validation-error."""
    if value is None or value.strip() == "*":
        return None
    found = _IF_MATCH.match(value)
    if found is None:
        raise ApiProblem(422, "validation-error", 'If-Match must be "<version>"', field="If-Match")
    return int(found.group(1))


class SerializedJSON(JSONResponse):
    """A body pydantic has already serialised to JSON: the same bytes as rendering its
    ``model_dump(mode="json")``, without building that dict and encoding it again."""

    def render(self, content: Any) -> bytes:
        assert isinstance(content, bytes)
        return content


def load_case(c: Container, case_id: str) -> Case:
    parties.check_id(case_id)
    return c.petitions.get(case_id)


def visible_case(c: Container, case_id: str, actor: Actor) -> Case:
    return scope.readable(actor, load_case(c, case_id), c.units)


async def run_idempotent(
    request: Request,
    c: Container,
    actor: Actor,
    key: str | None,
    status: int,
    run: Callable[[Callable[[Connection, Case], None]], Case],
    before_replay: Callable[[], None] | None = None,
    once: dict[str, Any] | None = None,
    must_read: bool = False,
) -> JSONResponse:
    """Run a command whose transaction also stores the response under the key.

    ``before_replay`` checks, before a stored response is sent again, what the command
    itself would have checked (the caller's scope over the matter). ``once`` adds fields
    to this response only: the stored one has them as null (a secret such as the query
    code is never kept in clear, and a replay does not hand it out again). With
    ``must_read`` the command stands only if the caller may read the matter it leaves
    (``scope.readable``, in the command's transaction: otherwise 404 and nothing is
    written), and the response is the caller's own view of it, as their GET gives it.
    """
    key = idempotency.validate_key(key)
    who = idempotency.principal(actor)
    # The body's hash identifies a keyed request; without a key nothing is stored.
    digest = await idempotency.request_hash(request) if key is not None else ""
    if key is not None and (stored := idempotency.lookup(c.db, who, key, digest)):
        if before_replay is not None:
            before_replay()
        return idempotency.replay_petition(c.db, actor, c.units, stored)
    results: list[tuple[PetitionOut, dict[str, str]]] = []

    def hook(conn: Connection, case: Case) -> None:
        if must_read:
            scope.readable(actor, case, c.units)
        out = present(conn, case, actor, c.chart, c.units)
        headers = {"ETag": etag(case), "Location": f"/v1/petitions/{case.id}"}
        results.append((out, headers))
        if key is not None:
            body = out.model_dump(mode="json") | dict.fromkeys(once or {})
            stored = idempotency.Stored(status, body, headers)
            idempotency.record(conn, who, key, digest, stored, c.clock.now())

    try:
        run(hook)
    except IntegrityError:
        # A concurrent request with the same key won the race: replay its response.
        if key is not None and (stored := idempotency.lookup(c.db, who, key, digest)):
            if before_replay is not None:
                before_replay()
            return idempotency.replay_petition(c.db, actor, c.units, stored)
        raise
    out, headers = results[0]
    if once:
        return JSONResponse(out.model_dump(mode="json") | once, status, headers=headers)
    return SerializedJSON(out.model_dump_json().encode(), status_code=status, headers=headers)


def command(path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """``router.post`` with a ``CommandRoute``: the command endpoints, most requests."""

    def add(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path, endpoint, methods=["POST"], route_class_override=CommandRoute, **options
        )
        return endpoint

    return add


@command(
    "",
    status_code=201,
    response_model=RegisteredOut,
    responses=responses(401, 403, 404, 409, 413, 415, 422),
    summary="Register a petition (registrar at a petition bureau, or an agency's handler)",
    description="The response carries, once, the petitioner's `query_code` for the public "
    "routes (`/v1/public/petitions/{number}`).",
)
async def register(
    body: Register,
    request: Request,
    actor: CurrentActor,
    c: ContainerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    scope.may_register(actor)
    if body.repeat_of is not None:
        # Only a matter the caller reads (issue 22, F4): another one is the same 404 as
        # an unknown id, so naming ids probes nothing.
        scope.readable_parties(actor, parties.read(c.db, body.repeat_of), c.units)
    code = query_codes.new_code()
    return await run_idempotent(
        request,
        c,
        actor,
        idempotency_key,
        201,
        lambda hook: c.petitions.register(body, actor, on_commit_tx=hook, query_code=code),
        once={"query_code": code},
    )


@router.get("/{petition_id}", response_model=PetitionOut, responses=responses(401, 404))
def get_petition(
    petition_id: str, response: Response, actor: CurrentActor, c: ContainerDep
) -> PetitionOut:
    case = visible_case(c, petition_id, actor)
    response.headers["ETag"] = etag(case)
    with c.db.read() as conn:
        return present(conn, case, actor, c.chart, c.units)


@command(
    "/{petition_id}/actions",
    response_model=PetitionOut,
    responses=responses(401, 403, 404, 409, 412, 413, 415, 422),
    summary="Apply an action (a statechart event) to a petition",
    description='`If-Match: "<version>"` is honoured: stale gives 412 version-conflict; '
    "a malformed If-Match gives 422 validation-error.",
)
async def act(
    petition_id: str,
    action: Annotated[Action, Body()],
    request: Request,
    actor: CurrentActor,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=64)] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    version = parse_if_match(if_match)
    scope.require_acting(actor)
    parties.check_id(petition_id)  # before the write transaction, which it never needs

    # Reading and acting are one scope (issue 22, F1): an action stands only if the
    # caller may read the matter it leaves (``must_read``: the organ a review request
    # goes to holds it then; a unit above the holder naming a leader does not read it by
    # doing so, and gets the 404 of an unknown id, nothing written). A refusal by the
    # domain (409/422, no personal data) still tells a unit above the holder why.
    def still_actionable() -> None:
        matter = parties.read(c.db, petition_id)
        scope.actionable(actor, matter, c.units)
        scope.readable_parties(actor, matter, c.units)

    authorize, _ = parties.checks(
        c.db, petition_id, lambda matter: scope.actionable(actor, matter, c.units)
    )

    metrics = getattr(request.app.state, "metrics", None)
    try:
        result = await run_idempotent(
            request,
            c,
            actor,
            idempotency_key,
            200,
            lambda hook: c.petitions.act(
                petition_id, action, actor, if_match=version, on_commit_tx=hook, authorize=authorize
            ),
            # A replayed response is only for a caller who may still act on and read it.
            before_replay=still_actionable,
            must_read=True,
        )
    except Exception as exc:
        if metrics is not None:
            metrics.action(action.action, getattr(exc, "problem", "error"))
        if isinstance(exc, WorkflowError) and exc.problem == "repeat-petition":
            raise repeat_refusal(c, actor, petition_id, exc) from None
        raise
    if metrics is not None:
        metrics.action(action.action, "ok")
    return result


def repeat_refusal(c: Container, actor: Actor, case_id: str, exc: WorkflowError) -> WorkflowError:
    """The refusal to handle a repeat, as the caller may see it (issue 22, F4): the
    earlier matter's number, state and id only for a reader of it (``repeat_view``)."""
    with c.db.read() as conn:
        case = repo.load_case(conn, case_id)
        shown = repeat_view(conn, case.repeat if case else None, actor, c.units)
    if shown is None or "of" in shown:
        return exc
    reason, article = exc.context.get("decline_reason"), exc.context.get("article")
    return GuardRejected(
        "repeat",
        f"this matter repeats an earlier one: decline it with reason {reason}",
        article=str(article) if article else None,
        problem="repeat-petition",
        decline_reason=reason,
    )


@router.get("", response_model=Page[PetitionOut], responses=responses(401, 422))
def list_petitions(
    actor: CurrentActor,
    c: ContainerDep,
    state: Annotated[str | None, Query(max_length=32)] = None,
    unit: Annotated[str | None, Query(max_length=64, description="Holder unit")] = None,
    subtree: Annotated[bool, Query(description="Include units below `unit`")] = False,
    overdue: bool | None = None,
    due_before: Annotated[date | None, Query(description="An open deadline due before")] = None,
    channel: Channel | None = None,
    leader: Annotated[str | None, Query(max_length=200, description="领导包案 leader")] = None,
    repeat_of: Annotated[
        str | None, Query(max_length=40, description="Repeats of this earlier matter")
    ] = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[PetitionOut]:
    limit = min(limit, c.settings.max_page_size)
    after = list(cursors.decode_instant(cursor)) if cursor else None
    conditions: list[Any] = []
    if state:
        conditions.append(CASES.c.state == state)
    if channel is not None:
        conditions.append(CASES.c.channel == channel.value)
    if overdue is not None:
        conditions.append(CASES.c.overdue == overdue)
    if leader is not None:
        conditions.append(CASES.c.leader == leader)
    if repeat_of is not None:
        # Repeats of a matter the caller reads only: filtering by another one would tell
        # which hidden matter a repeat of theirs links to (issue 22, F4).
        with c.db.read() as conn:
            earlier = parties.read_in(conn, repeat_of)
        if earlier is None or not scope.can_read_parties(actor, earlier, c.units):
            return Page[PetitionOut](items=[], next_cursor=None)
        conditions.append(CASES.c.repeat_of == repeat_of)
    if unit:
        root = c.units.get(unit)
        if subtree and root is not None:
            conditions.append(CASES.c.holder_path.startswith(root.path, autoescape=True))
        else:
            conditions.append(CASES.c.holder_unit == unit)
    if due_before is not None:
        conditions.append(
            exists().where(
                and_(
                    DEADLINES.c.case_id == CASES.c.id,
                    DEADLINES.c.status.in_(OPEN_STATUSES),
                    DEADLINES.c.due_on < due_before,
                )
            )
        )
    return _page(c, actor, conditions, after, limit)


def _page(
    c: Container, actor: Actor, conditions: list[Any], after: list[Any] | None, limit: int
) -> Page[PetitionOut]:
    """Keyset on (received_at, id); scope is applied per row, so scan in batches."""
    items: list[PetitionOut] = []
    last: tuple[datetime, str] | None = None
    with c.db.read() as conn:
        while len(items) < limit:
            query = select(CASES.c.id, CASES.c.received_at, CASES.c.doc).where(*conditions)
            position = last or (tuple(after) if after else None)
            if position is not None:
                query = query.where(
                    or_(
                        CASES.c.received_at > position[0],
                        and_(CASES.c.received_at == position[0], CASES.c.id > position[1]),
                    )
                )
            rows = conn.execute(
                query.order_by(CASES.c.received_at, CASES.c.id).limit(limit * 2)
            ).all()
            for row in rows:
                last = (row.received_at, row.id)
                case = Case.from_doc(row.doc)
                if scope.can_read(actor, case, c.units):
                    items.append(present(conn, case, actor, c.chart, c.units))
                    if len(items) == limit:
                        break
            if len(rows) < limit * 2:
                if len(items) < limit or last is None:
                    return Page[PetitionOut](items=items, next_cursor=None)
                break
    assert last is not None
    return Page[PetitionOut](
        items=items, next_cursor=cursors.encode([last[0].isoformat(), last[1]])
    )
