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


class DeliveryMethod(StrEnum):
    """How a written document reached the petitioner (送达方式)."""

    IN_PERSON = "in_person"
    POST = "post"
    ELECTRONIC = "electronic"
    ANNOUNCEMENT = "announcement"


DELIVERED_ON = (
    "Day the petitioner received the written opinion (送达). It may follow the issue day "
    "(`occurred_at`, 出具) but never precede it, the acceptance or the matter's receipt, "
    "and never lie after the recording time. Without it the petitioner's window is not "
    "armed until a `deliver` action records delivery (第三十五条、第三十六条: "
    "自收到书面答复之日起)."
)
RECEIVED_ON = (
    "A receiving organ's first action on a transferred matter may record the day it "
    "received the matter (default: the transfer day); the notice and objection clocks "
    "then count from it (《信访工作条例》第二十三条第三款: 收到转送、交办的信访事项之日起)."
)


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
    contact_unknown: bool = Field(
        default=False,
        description="The petitioner's name or address is unclear (姓名（名称）、住址不清): no "
        "written-notice clock is armed (《信访工作条例》第二十三条第二款、第三款).",
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
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


class Object(_Command):
    action: Literal["object"]
    reason: Text
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


class Overrule(_Command):
    action: Literal["overrule"]
    reason: Text


class Accept(_Command):
    action: Literal["accept"]
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


class Extend(_Command):
    action: Literal["extend"]
    # Only a sanity bound: the cap is the rule set's (30 days in total under
    # 《信访工作条例》第三十四条; an overlay may set another), checked by the guard
    # `extension_allowed`, whose refusal gives the total and the cap.
    days: Annotated[int, Field(ge=1, le=365)] = Field(
        description="Days this approval adds; all approvals of the handling together may not "
        "exceed the rule set's cap (30 under 第三十四条, or an overlay's)."
    )
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
    delivered_on: date | None = Field(default=None, description=DELIVERED_ON)


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
    delivered_on: date | None = Field(default=None, description=DELIVERED_ON)
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
    delivered_on: date | None = Field(default=None, description=DELIVERED_ON)


class Deliver(_Command):
    """Delivery (送达) of the latest written opinion, recorded after it was issued."""

    action: Literal["deliver"]
    delivered_on: date = Field(description=DELIVERED_ON)
    method: DeliveryMethod


class NoticeKind(StrEnum):
    RECEIPT = "receipt"
    ACCEPTANCE = "acceptance"
    EXTENSION = "extension"
    OTHER = "other"


class Notify(_Command):
    """A written notice to the petitioner (书面告知), 《信访工作条例》第二十三条、第三十四条."""

    action: Literal["notify"]
    kind: NoticeKind = Field(
        description="receipt or acceptance (受理告知, meets the notice clocks of 第二十三条), "
        "extension (告知延期理由, 第三十四条) or other."
    )
    method: DeliveryMethod
    notified_on: date | None = Field(
        default=None, description="Day the notice was given; defaults to the action's day."
    )
    detail: Text | None = None
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


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
    | AssignLeader
    | Deliver
    | Notify,
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
    "deliver",
    "notify",
)
