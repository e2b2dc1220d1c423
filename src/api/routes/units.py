"""The organisation tree: ``/v1/units``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from api import idempotency, scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import responses
from api.schemas import Page, UnitIn, UnitOut
from workflow.domain.actor import Role
from workflow.domain.units import Unit

router = APIRouter(prefix="/v1/units", tags=["units"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        kind=unit.kind,
        parent=unit.parent,
        path=unit.path,
    )


@router.post(
    "",
    status_code=201,
    response_model=UnitOut,
    responses=responses(401, 403, 409, 413, 415, 422),
    summary="Create a unit (admin); the first admin builds the tree from nothing",
)
async def create_unit(
    body: UnitIn,
    request: Request,
    actor: CurrentActor,
    c: ContainerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    scope.require_role(actor, frozenset({Role.ADMIN}), "create units")
    key = idempotency.validate_key(idempotency_key)
    who = idempotency.principal(actor)
    digest = await idempotency.request_hash(request)
    if key is not None and (stored := idempotency.lookup(c.db, who, key, digest)):
        return idempotency.replay(stored)
    try:
        with c.db.write() as conn:
            unit = c.units.create(conn, body.model_dump(mode="json"))
            result = idempotency.Stored(
                201,
                unit_out(unit).model_dump(mode="json"),
                {"Location": f"/v1/units/{unit.code}"},
            )
            if key is not None:
                idempotency.record(conn, who, key, digest, result, c.clock.now())
    except IntegrityError:
        if key is not None and (stored := idempotency.lookup(c.db, who, key, digest)):
            return idempotency.replay(stored)
        raise
    return JSONResponse(result.body, status_code=201, headers=result.headers)


class UnitMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parent: str = Field(min_length=1, max_length=64, description="The new parent unit.")


@router.patch(
    "/{code}",
    response_model=UnitOut,
    responses=responses(401, 403, 404, 413, 415, 422),
    summary="Move a unit under another parent (admin); its whole subtree follows",
)
def move_unit(code: str, body: UnitMove, actor: CurrentActor, c: ContainerDep) -> UnitOut:
    scope.require_role(actor, frozenset({Role.ADMIN}), "move units")
    if c.units.get(code) is None:
        raise scope.not_found(f"unit {code}")
    with c.db.write() as conn:
        unit = c.units.move(conn, code, body.parent)
    c.units.forget()  # after the commit (see SqlUnitDirectory.move)
    return unit_out(unit)


@router.get("", response_model=Page[UnitOut], responses=responses(401))
def list_units(actor: CurrentActor, c: ContainerDep) -> Page[UnitOut]:
    units = [unit_out(u) for u in c.units.all() if scope.unit_visible(actor, u)]
    return Page[UnitOut](items=units, next_cursor=None)


@router.get("/{code}", response_model=UnitOut, responses=responses(401, 404))
def get_unit(code: str, actor: CurrentActor, c: ContainerDep) -> UnitOut:
    unit = c.units.get(code)
    if unit is None or not scope.unit_visible(actor, unit):
        raise scope.not_found(f"unit {code}")
    return unit_out(unit)
