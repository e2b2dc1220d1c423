"""Commands: what a caller may ask of a matter, one typed model per action.

These models are the single definition of each action's fields: the engine validates
with them and the API publishes them in its OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from rules.admissibility import DeclineReason
from rules.classification import PetitionType, Route

Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
UnitCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class Channel(StrEnum):
    LETTER = "letter"
    VISIT = "visit"
    ONLINE = "online"
    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    occurred_at: AwareDatetime | None = Field(
        default=None, description="Business time; defaults to now, never in the future."
    )


class Petitioner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: ShortText
    id_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9Xx]$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 -]{5,20}$")] | None = None
    address: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: Channel
    received_at: AwareDatetime | None = None
    intake_unit: UnitCode | None = None
    petitioners: Annotated[list[Petitioner], Field(min_length=1, max_length=200)]
    headcount: Annotated[int, Field(ge=1, le=10000)] = 1
    representatives: Annotated[int, Field(ge=0, le=10000)] = 1
    subject: ShortText
    content: Text
    location_unit: UnitCode | None = None
    repeat_of: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None,
        description="An earlier matter this one repeats (重复信访), when the registrar knows "
        "it; matters with the same petitioner ID number and subject are linked anyway.",
    )
    new_facts: bool = Field(
        default=False,
        description="The petitioner brings new facts or reasons, so a repeat of a concluded "
        "matter is a new matter (《信访工作条例》第三十六条第三款 bars only the same facts "
        "and reasons).",
    )


class Classify(_Command):
    action: Literal["classify"]
    type: PetitionType
    route: Route
    to_unit: UnitCode | None = Field(
        default=None, description="Where a diverted matter goes (政法机关, 纪检监察机关 …)."
    )


class TransferMode(StrEnum):
    TRANSFER = "transfer"
    ASSIGN = "assign"


class Transfer(_Command):
    action: Literal["transfer"]
    to_unit: UnitCode
    mode: TransferMode = TransferMode.TRANSFER
    feedback_days: Annotated[int, Field(ge=1, le=365)] | None = None


class Decline(_Command):
    action: Literal["decline"]
    reason: DeclineReason
    detail: Text | None = None


class Object(_Command):
    action: Literal["object"]
    reason: Text


class Overrule(_Command):
    action: Literal["overrule"]
    reason: Text


class Accept(_Command):
    action: Literal["accept"]


class Extend(_Command):
    action: Literal["extend"]
    days: Annotated[int, Field(ge=1, le=30)]
    approved_by: ShortText
    reason: Text


class HearingStart(_Command):
    action: Literal["hearing_start"]
    detail: Text | None = None


class HearingEnd(_Command):
    action: Literal["hearing_end"]
    detail: Text | None = None


class ReplyOutcome(StrEnum):
    SUPPORT = "support"
    EXPLAIN = "explain"
    NOT_SUPPORT = "not_support"


class Reply(_Command):
    action: Literal["reply"]
    outcome: ReplyOutcome
    opinion: Text
    delivered_on: date | None = Field(
        default=None, description="Day the petitioner received the written reply (送达)."
    )


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class Evaluate(_Command):
    action: Literal["evaluate"]
    satisfied: bool
    level: Satisfaction | None = None


class RequestReview(_Command):
    action: Literal["request_review"]
    received_on: date


class ReviewOutcome(StrEnum):
    UPHOLD = "uphold"
    REVOKE = "revoke"
    CHANGE = "change"
    REDO = "redo"


class ReviewDecide(_Command):
    action: Literal["review_decide"]
    outcome: ReviewOutcome
    opinion: Text
    delivered_on: date | None = None
    redo_days: Annotated[int, Field(ge=1, le=90)] | None = None


class RequestReReview(_Command):
    action: Literal["request_re_review"]
    received_on: date


class ReReviewOutcome(StrEnum):
    UPHOLD = "uphold"
    REVOKE = "revoke"
    CHANGE = "change"


class ReReviewDecide(_Command):
    action: Literal["re_review_decide"]
    outcome: ReReviewOutcome
    opinion: Text
    delivered_on: date | None = None


class Withdraw(_Command):
    action: Literal["withdraw"]
    detail: Text | None = None


class AssignLeader(_Command):
    action: Literal["assign_leader"]
    leader: ShortText = Field(description="The leader answerable for the matter (包案领导).")
    title: ShortText | None = Field(default=None, description="The leader's post.")


class SupervisionAction(StrEnum):
    URGE = "urge"
    ESCALATE = "escalate"
    REPORT = "report"
    CLOSE = "close"


class SuperviseItem(_Command):
    """A step on a supervision item (督办事项): 催办, 督办, 通报 or 销号."""

    action: SupervisionAction
    note: Text | None = None
    to_unit: UnitCode | None = Field(
        default=None, description="escalate only: the unit above that takes the item over."
    )


Action = Annotated[
    Classify
    | Transfer
    | Decline
    | Object
    | Overrule
    | Accept
    | Extend
    | HearingStart
    | HearingEnd
    | Reply
    | Evaluate
    | RequestReview
    | ReviewDecide
    | RequestReReview
    | ReReviewDecide
    | Withdraw
    | AssignLeader,
    Field(discriminator="action"),
]

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)
ACTION_NAMES: tuple[str, ...] = (
    "classify",
    "transfer",
    "decline",
    "object",
    "overrule",
    "accept",
    "extend",
    "hearing_start",
    "hearing_end",
    "reply",
    "evaluate",
    "request_review",
    "review_decide",
    "request_re_review",
    "re_review_decide",
    "withdraw",
    "assign_leader",
)
