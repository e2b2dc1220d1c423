"""Audit: history, replay as of a moment, the dossier, verification, redaction."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from api import parties, scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.dossier_page import render, unit_namer
from api.presenter import deadline_out, event_payload, petitioners
from api.problems import responses
from api.routes.petitions import visible_case
from api.schemas import BrokenLinkOut, EventOut, HistoryOut, ReplayOut, VerifyOut
from workflow.adapters import repository as repo
from workflow.audit import dossier
from workflow.audit.projection import audit_projections
from workflow.audit.redaction import redact
from workflow.audit.verify import verify_log
from workflow.domain.actions import Day
from workflow.domain.actor import Actor, Role
from workflow.domain.events import Event
from workflow.runtime.bootstrap import Container

router = APIRouter(tags=["audit"])
VERIFIERS = frozenset({Role.AUDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


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
    items = [event_out(e) for e in events]
    if any(item.payload.get("repeat") for item in items):  # a repeat link, as shown to actor
        with c.db.read() as conn:
            for item in items:
                item.payload = event_payload(conn, item.payload, actor, c.units)
    return HistoryOut(petition_id=petition_id, items=items)


@router.get(
    "/v1/petitions/{petition_id}/replay",
    response_model=ReplayOut,
    # 409 integrity-failure: the stored history is broken (case_id, seq, reason).
    responses=responses(401, 404, 409, 422),
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


def dossier_of(c: Container, petition_id: str, actor: Actor) -> dict[str, Any]:
    """The whole file of a matter the caller may read (else 404), for the API and the
    console. The matter, its events and its petitioners are read in one transaction, so
    every section of the file is of the same moment."""
    parties.check_id(petition_id)
    with c.db.read() as conn:
        case = repo.load_case(conn, petition_id)
        if case is None:
            raise scope.not_found(f"petition {petition_id}")
        scope.readable(actor, case, c.units)
        events = repo.load_events(conn, petition_id)
        people = [p.model_dump(mode="json") for p in petitioners(conn, case, actor, c.units)]
    return dossier.build(case, events, c.chart, people, c.clock.now())


class DossierOut(BaseModel):
    """The whole file of one matter; sections are those of the printable page."""

    petition: dict[str, Any]
    petitioners: list[dict[str, Any]]
    classification: dict[str, Any] | None
    transfers: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    hearings: list[dict[str, Any]]
    reply: dict[str, Any] | None
    evaluations: list[dict[str, Any]]
    review: dict[str, Any] | None
    re_review: dict[str, Any] | None
    supervision: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    integrity: dict[str, Any]
    generated_at: str


@router.get(
    "/v1/petitions/{petition_id}/dossier",
    response_model=DossierOut,
    responses={
        **responses(401, 404, 422),
        200: {"content": {"application/json": {}, "text/html": {}}},
    },
    summary="The whole file of one matter, as JSON or a printable page (Accept: text/html)",
)
def get_dossier(
    petition_id: str,
    actor: CurrentActor,
    c: ContainerDep,
    format: Annotated[Literal["json", "html"] | None, Query()] = None,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Any:
    built = dossier_of(c, petition_id, actor)
    wants_html = format == "html" or (
        format is None and accept is not None and "text/html" in accept
    )
    # Negotiated on Accept: a cache (were one allowed) must not serve one for the other.
    vary = {"Vary": "Accept"}
    if not wants_html:
        return JSONResponse(DossierOut.model_validate(built).model_dump(mode="json"), headers=vary)
    return HTMLResponse(render(built, unit_namer(c.units)), headers=vary)


class ProjectionFindingOut(BaseModel):
    case_id: str
    kind: str
    detail: str


class AuditVerifyOut(VerifyOut):
    anchors: int = Field(description="Anchors the log was checked against.")
    anchored_until: date | None = Field(description="The newest anchored day.")
    projection_findings: list[ProjectionFindingOut] | None = Field(
        default=None,
        description="With projections=true: every derived row (case document, query "
        "columns, deadlines and their versions, supervision items, timers, personal-data "
        "digests) that disagrees with its events; a matter whose history is not a chain "
        "is one `chain` finding with its seq.",
    )


@router.get("/v1/audit/verify", response_model=AuditVerifyOut, responses=responses(401, 403, 422))
def verify(
    actor: CurrentActor,
    c: ContainerDep,
    projections: Annotated[
        bool, Query(description="Also replay every matter against its projection (slower)")
    ] = False,
) -> AuditVerifyOut:
    scope.require_role(actor, VERIFIERS, "verify the audit chains")
    result = verify_log(c.db)
    broken = result.first_broken
    findings = (
        [
            ProjectionFindingOut(case_id=f.case_id, kind=f.kind, detail=f.detail)
            for f in audit_projections(c.db, c.engine)
        ]
        if projections
        else None
    )
    return AuditVerifyOut(
        ok=result.ok and not findings,
        projection_findings=findings,
        cases=result.cases,
        events=result.events,
        first_broken=BrokenLinkOut(case_id=broken.case_id, seq=broken.seq, reason=broken.reason)
        if broken
        else None,
        anchors=result.anchors,
        anchored_until=date.fromisoformat(result.anchored_until) if result.anchored_until else None,
    )


class RedactionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: str | None = Field(default=None, min_length=1, max_length=40)
    before: Day | None = Field(
        default=None, description="Finished matters whose last event is before this day."
    )
    reason: str = Field(default="retention", min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_of(self) -> RedactionIn:
        if (self.case_id is None) == (self.before is None):
            raise ValueError("give exactly one of case_id or before")
        return self


class RedactedOut(BaseModel):
    case_id: str
    refs: list[str]
    seq: int = Field(description="The seq of the personal_data_redacted event.")


class RedactionsOut(BaseModel):
    items: list[RedactedOut]


@router.post(
    "/v1/admin/redactions",
    response_model=RedactionsOut,
    responses=responses(401, 403, 404, 422),
    tags=["admin"],
    summary="Erase petitioners' personal data (admin); each erasure is a chain event",
)
def redactions(body: RedactionIn, actor: CurrentActor, c: ContainerDep) -> RedactionsOut:
    scope.require_role(actor, ADMINS, "redact personal data")
    done = redact(c, actor, body.reason, case_id=body.case_id, before=body.before)
    return RedactionsOut(
        items=[RedactedOut(case_id=d.case_id, refs=d.refs, seq=d.seq) for d in done]
    )
