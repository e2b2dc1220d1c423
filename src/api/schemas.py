"""Response and request bodies of the API: pydantic models, never table rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from rules import UnitKind
from workflow.domain.actions import Day, UnitCode
from workflow.domain.units import UnitLevel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Opaque; pass as ?cursor= (or ?after=).")


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: UnitCode
    name: str = Field(min_length=1, max_length=200)
    level: UnitLevel
    kind: UnitKind
    parent: UnitCode | None = None


class UnitOut(BaseModel):
    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    parent: str | None
    path: str


class DeadlineOut(BaseModel):
    id: str
    rule: str
    rule_set: str
    article: str
    kind: str
    responsible_unit: str
    starts_on: date
    due_on: date
    status: str
    provisional: bool
    explanation: list[str]
    extension_days: int
    met_on: date | None


class PetitionerOut(BaseModel):
    ref: str
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    masked: bool = False
    redacted: bool = False
    confidential: bool = Field(
        default=False,
        description="Withheld entirely, names too: the reader is at a unit the accusation "
        "accuses or below one (《信访工作条例》第三十条第三款).",
    )


class PetitionOut(BaseModel):
    id: str
    number: str
    state: str
    version: int
    rule_set: str
    chart: str
    intake_unit: str
    holder_unit: str
    location_unit: str | None
    channel: str
    received_at: datetime
    subject: str
    content: str
    headcount: int
    representatives: int
    classification: dict[str, Any] | None
    deadlines: list[DeadlineOut]
    overdue: bool
    allowed_actions: list[str]
    petitioners: list[PetitionerOut]
    transferred_by: str | None
    transfer_mode: str | None
    accepted_on: str | None
    reply: dict[str, Any] | None
    review: dict[str, Any] | None
    re_review: dict[str, Any] | None
    evaluations: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    hearings: list[dict[str, Any]]
    decline: dict[str, Any] | None
    withdrawal: dict[str, Any] | None
    objection: dict[str, Any] | None
    diverted_to: str | None
    closed_on: str | None
    units_involved: list[str]
    repeat: dict[str, Any] | None = Field(
        default=None, description="重复信访: the earlier matter this one repeats, and what follows."
    )
    leader: dict[str, Any] | None = Field(
        default=None, description="领导包案: the leader answerable."
    )
    leaders: list[dict[str, Any]] = Field(default_factory=list)
    supervision: list[dict[str, Any]] = Field(
        default_factory=list,
        description="督办事项: one per breached obligation, and those a petition bureau "
        "opened by hand (第四十条, with `ground` and `detail`), each with its steps.",
    )
    awaiting_delivery: Literal["reply", "review", "re_review"] | None = Field(
        default=None,
        description="The written opinion issued but not yet delivered (送达): the "
        "petitioner's review or re-review window starts only once `deliver` records it.",
    )
    notices: list[dict[str, Any]] = Field(
        default_factory=list, description="书面告知: every written notice given (`notify`)."
    )
    contact_unknown: bool = Field(
        default=False,
        description="姓名（名称）、住址不清: no written-notice clock runs (第二十三条).",
    )
    accused_units: list[str] = Field(
        default_factory=list,
        description="检举控告: the units accused, as registered (第三十条第三款).",
    )
    transferred_on: str | None = None
    transfer_received_on: str | None = Field(
        default=None,
        description="The receiving organ's own receipt of the transfer; its notice and "
        "objection clocks count from it (第二十三条第三款).",
    )


class RegisteredOut(PetitionOut):
    """The registration's response: the matter, and the petitioner's query code."""

    query_code: str | None = Field(
        default=None,
        description="查询码: with the matter's number it opens the public routes "
        "(/v1/public/petitions/{number}). Returned by this response only and stored only "
        "as a keyed hash: hand it to the petitioner now. A replay of the request (same "
        "Idempotency-Key) returns null.",
    )


class EventOut(BaseModel):
    seq: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    unit: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class FeedEventOut(EventOut):
    id: str = Field(description="Feed position (commit order).")
    case_id: str


class HistoryOut(BaseModel):
    petition_id: str
    items: list[EventOut]


class ReplayOut(BaseModel):
    petition_id: str
    as_of: datetime
    events: int = Field(description="Events folded up to as_of.")
    state: str | None
    holder_unit: str | None
    version: int | None
    deadlines: list[DeadlineOut]
    matches_projection: bool


class BrokenLinkOut(BaseModel):
    case_id: str
    seq: int
    reason: str


class VerifyOut(BaseModel):
    ok: bool
    cases: int
    events: int
    first_broken: BrokenLinkOut | None


class RuleOut(BaseModel):
    id: str
    title: str
    article: str
    period_days: int | None
    unit: str
    kind: str
    extension: dict[str, Any] | None
    pausable: bool


class RuleSetOut(BaseModel):
    id: str
    title: str
    instrument: str
    effective_from: date
    effective_to: date | None
    base: str | None
    rules: list[RuleOut]


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str = Field(min_length=1, max_length=64)
    start_on: Day = Field(description="The triggering day; counting starts the day after.")
    rule_set: str | None = Field(default=None, max_length=64)
    period_days: StrictInt | None = Field(default=None, ge=1, le=365)


class StateOut(BaseModel):
    name: str
    title: str
    parent: str | None
    final: bool
    leaf: bool
    timers: list[dict[str, Any]]


class TransitionOut(BaseModel):
    trigger: str
    source: str
    targets: list[dict[str, Any]]
    guards: list[str]
    internal: bool


class TriggerOut(BaseModel):
    name: str
    event: str
    title: str
    system: bool


class StatechartOut(BaseModel):
    name: str
    version: int
    title: str
    initial: str
    states: list[StateOut]
    transitions: list[TransitionOut]
    triggers: list[TriggerOut]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    scheduler: Literal["disabled", "running", "stopped"]
