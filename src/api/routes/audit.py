"""Audit: a petition's history, its replay as of a moment, and chain verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api import scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.presenter import deadline_out
from api.problems import responses
from api.routes.petitions import visible_case
from api.schemas import BrokenLinkOut, EventOut, HistoryOut, ReplayOut, VerifyOut
from workflow.domain.actor import Role
from workflow.domain.events import Event
from workflow.verify import verify_chains

router = APIRouter(tags=["audit"])
VERIFIERS = frozenset({Role.AUDITOR, Role.ADMIN})


def event_out(e: Event) -> EventOut:
    return EventOut(
        seq=e.seq,
        type=e.type,
        occurred_at=e.occurred_at,
        recorded_at=e.recorded_at,
        actor=e.actor,
        unit=e.unit,
        payload=e.payload,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


@router.get(
    "/v1/petitions/{petition_id}/history",
    response_model=HistoryOut,
    responses=responses(401, 404),
)
def history(petition_id: str, actor: CurrentActor, c: ContainerDep) -> HistoryOut:
    visible_case(c, petition_id, actor)
    events = c.petitions.history(petition_id)
    return HistoryOut(petition_id=petition_id, items=[event_out(e) for e in events])


@router.get(
    "/v1/petitions/{petition_id}/replay",
    response_model=ReplayOut,
    responses=responses(401, 404, 422),
)
def replay(
    petition_id: str,
    actor: CurrentActor,
    c: ContainerDep,
    as_of: Annotated[AwareDatetime | None, Query(description="RFC 3339; default now")] = None,
) -> ReplayOut:
    visible_case(c, petition_id, actor)
    result = c.petitions.replay(petition_id, as_of)
    case = result.case
    return ReplayOut(
        petition_id=petition_id,
        as_of=result.as_of,
        events=result.events,
        state=case.state if case else None,
        holder_unit=case.holder_unit if case else None,
        version=case.version if case else None,
        deadlines=[deadline_out(d) for d in case.deadlines] if case else [],
        matches_projection=result.matches_projection,
    )


@router.get("/v1/audit/verify", response_model=VerifyOut, responses=responses(401, 403))
def verify(actor: CurrentActor, c: ContainerDep) -> VerifyOut:
    scope.require_role(actor, VERIFIERS, "verify the audit chains")
    result = verify_chains(c.db)
    broken = result.first_broken
    return VerifyOut(
        ok=result.ok,
        cases=result.cases,
        events=result.events,
        first_broken=BrokenLinkOut(case_id=broken.case_id, seq=broken.seq, reason=broken.reason)
        if broken
        else None,
    )
