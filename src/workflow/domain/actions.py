"""Commands: what a caller may ask of a matter, one typed model per action.

These models are the single definition of each action's fields: the engine validates
with them and the API publishes them in its OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    model_validator,
)

from rules.admissibility import DeclineReason
from rules.classification import PetitionType, Route
from rules.supervision import SupervisionGround

Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
UnitCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]

# Strict request types: JSON gives numbers as numbers and booleans as booleans, and
# nothing is coerced ("5", true or 5.0 for a count; "yes" or 1 for a flag). Times are
# RFC 3339 strings with seconds and an offset, days ISO 8601 dates: an epoch number, a
# number in a string or a time where a day goes is refused rather than guessed. Python
# callers (the engine's ``decide``, the demo, tests) may pass datetime and date values.
# Not ``ConfigDict(strict=True)``: FastAPI and the engine validate parsed JSON in
# Python mode, where strict mode refuses ISO strings for dates and names for enums.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _rfc3339(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.fullmatch(value)):
        return value
    raise ValueError("a time is an RFC 3339 string with an offset, e.g. 2026-09-22T09:00:00+08:00")


def _iso_day(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise ValueError("a day is an ISO 8601 date, e.g. 2026-09-22")


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
Day = Annotated[date, BeforeValidator(_iso_day)]


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
    occurred_at: Instant | None = Field(
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
    received_at: Instant | None = None
    intake_unit: UnitCode | None = None
    petitioners: Annotated[list[Petitioner], Field(min_length=1, max_length=200)]
    headcount: Annotated[StrictInt, Field(ge=1, le=10000)] = 1
    representatives: Annotated[StrictInt, Field(ge=0, le=10000)] = 1
    subject: ShortText
    content: Text
    location_unit: UnitCode | None = None
    repeat_of: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None,
        description="An earlier matter this one repeats (重复信访), when the registrar knows "
        "it; matters with the same petitioner ID number and subject are linked anyway.",
    )
    contact_unknown: StrictBool = Field(
        default=False,
        description="The petitioner's name or address is unclear (姓名（名称）、住址不清): no "
        "written-notice clock is armed (《信访工作条例》第二十三条第二款、第三款).",
    )
    new_facts: StrictBool = Field(
        default=False,
        description="The petitioner brings new facts or reasons, so a repeat of a concluded "
        "matter is a new matter (《信访工作条例》第三十六条第三款 bars only the same facts "
        "and reasons).",
    )
    accused_units: Annotated[list[UnitCode], Field(max_length=50)] = Field(
        default_factory=list,
        description="检举控告: the units the petitioner accuses (codes of existing units). "
        "The type is set later by `classify`, so the list binds from registration until the "
        "matter is classified as something other than an accusation: meanwhile and as an "
        "accusation it is never transferred, assigned or diverted to one of these units or "
        "a unit below one (409 `confidentiality`), and every role there sees the "
        "petitioner's identity withheld (《信访工作条例》第三十条第三款).",
    )


class Classify(_Command):
    action: Literal["classify"]
    type: PetitionType
    route: Route
    to_unit: UnitCode | None = Field(
        default=None,
        description="Where a diverted matter goes. A petition bureau's own diversion "
        "(《信访工作条例》第二十二条第二款) names the same level's political_legal unit for "
        "litigation, or a discipline unit for an accusation; an organ with authority may name "
        "the unit that receives it.",
    )
    due_on: Day | None = Field(
        default=None,
        description="route duty (第三十一条第五项): the last day the governing law gives the "
        "organ to act or answer; without it 60 days by analogy with 第三十四条 (policy).",
    )


class TransferMode(StrEnum):
    TRANSFER = "transfer"
    ASSIGN = "assign"


class Transfer(_Command):
    action: Literal["transfer"]
    to_unit: UnitCode
    mode: TransferMode = TransferMode.TRANSFER
    feedback_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = None


class StatutoryProcess(StrEnum):
    """The statutory processes of 《信访工作条例》第三十一条第一项至第四项."""

    LITIGATION = "litigation"
    ARBITRATION = "arbitration"
    PARTY_APPEAL = "party_appeal"
    ADMINISTRATIVE = "administrative"


class Decline(_Command):
    action: Literal["decline"]
    reason: DeclineReason
    detail: Text | None = None
    process: StatutoryProcess | None = Field(
        default=None,
        description="in_statutory_process: which process (第三十一条第一项至第四项); the "
        "decline then cites that item.",
    )
    received_on: Day | None = Field(default=None, description=RECEIVED_ON)


class Object(_Command):
    action: Literal["object"]
    reason: Text
    received_on: Day | None = Field(default=None, description=RECEIVED_ON)


class Overrule(_Command):
    action: Literal["overrule"]
    reason: Text


class Accept(_Command):
    action: Literal["accept"]
    received_on: Day | None = Field(default=None, description=RECEIVED_ON)


class Extend(_Command):
    action: Literal["extend"]
    # Only a sanity bound: the cap is the rule set's (30 days in total under
    # 《信访工作条例》第三十四条; an overlay may set another), checked by the guard
    # `extension_allowed`, whose refusal gives the total and the cap.
    days: Annotated[StrictInt, Field(ge=1, le=365)] = Field(
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
    """第三十二条第一款 (一)–(三), and 第三十三条's mediation and settlement."""

    SUPPORT = "support"
    EXPLAIN = "explain"
    NOT_SUPPORT = "not_support"
    MEDIATED = "mediated"
    SETTLED = "settled"


class Reply(_Command):
    action: Literal["reply"]
    outcome: ReplyOutcome
    opinion: Text
    basis: Text | None = Field(
        default=None,
        description="The law or policy relied on (处理意见及其法律法规依据, 《信访工作条例》"
        "第三十二条第一款); required for not_support.",
    )
    delivered_on: Day | None = Field(default=None, description=DELIVERED_ON)

    @model_validator(mode="after")
    def _basis_for_refusal(self) -> Reply:
        # 第三十二条: 信访处理意见书应当载明……处理意见及其法律法规依据; a refusal (不予支持,
        # 第一款第三项) rests on the rules the request does not meet, so it must name them.
        if self.outcome is ReplyOutcome.NOT_SUPPORT and self.basis is None:
            raise ValueError("a not_support reply names its basis (第三十二条)")
        return self


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class Evaluate(_Command):
    action: Literal["evaluate"]
    satisfied: StrictBool
    level: Satisfaction | None = None


class RequestReview(_Command):
    action: Literal["request_review"]
    received_on: Day


class ReviewOutcome(StrEnum):
    UPHOLD = "uphold"
    REVOKE = "revoke"
    CHANGE = "change"
    REDO = "redo"


class ReviewDecide(_Command):
    action: Literal["review_decide"]
    outcome: ReviewOutcome
    opinion: Text
    delivered_on: Day | None = Field(default=None, description=DELIVERED_ON)
    redo_days: Annotated[StrictInt, Field(ge=1, le=90)] | None = None


class RequestReReview(_Command):
    action: Literal["request_re_review"]
    received_on: Day


class ReReviewOutcome(StrEnum):
    UPHOLD = "uphold"
    REVOKE = "revoke"
    CHANGE = "change"


class ReReviewDecide(_Command):
    action: Literal["re_review_decide"]
    outcome: ReReviewOutcome
    opinion: Text
    delivered_on: Day | None = Field(default=None, description=DELIVERED_ON)


class Deliver(_Command):
    """Delivery (送达) of the latest written opinion, recorded after it was issued."""

    action: Literal["deliver"]
    delivered_on: Day = Field(description=DELIVERED_ON)
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
    notified_on: Day | None = Field(
        default=None, description="Day the notice was given; defaults to the action's day."
    )
    detail: Text | None = None
    received_on: Day | None = Field(default=None, description=RECEIVED_ON)


class Withdraw(_Command):
    action: Literal["withdraw"]
    detail: Text | None = None


class AssignLeader(_Command):
    action: Literal["assign_leader"]
    leader: ShortText = Field(description="The leader answerable for the matter (包案领导).")
    title: ShortText | None = Field(default=None, description="The leader's post.")


class Implemented(_Command):
    """A supported claim carried out (落实): 《信访工作条例》第三十二条第二款 “作出支持信访请求
    意见的，应当督促有关机关、单位执行”. Recorded by the unit that issued the supported
    opinion; it meets the implementation check the reply armed."""

    action: Literal["implemented"]
    detail: Text = Field(description="What was done to carry the opinion out.")
    implemented_on: Day | None = Field(
        default=None,
        description="Day it was carried out; defaults to the action's day. Not before the "
        "supported opinion was issued, never after the recording time.",
    )


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


class OpenSupervisionItem(_Command):
    """A supervision item opened by hand by a petition bureau (《信访工作条例》第四十条第一款:
    信访部门发现……等情形的，应当及时督办); what each ground rests on is in rules.supervision."""

    ground: SupervisionGround
    detail: Text | None = Field(
        default=None,
        description="What the bureau found. Required for every ground but breach, whose "
        "overdue obligation speaks for itself.",
    )
    deadline_id: Annotated[str, Field(min_length=1, max_length=120)] | None = Field(
        default=None,
        description="breach: the overdue obligation (required). Other grounds: an obligation "
        "of the matter the item follows, closed only once it is met; not_implementing_opinion "
        "follows the open implementation check without it.",
    )

    @model_validator(mode="after")
    def _what_was_found(self) -> OpenSupervisionItem:
        # 督办 answers a finding (发现……情形), and the organ must answer the bureau in
        # writing (第四十条第四款): the item states the finding, or names the late clock.
        if self.ground is SupervisionGround.BREACH:
            if self.deadline_id is None:
                raise ValueError("a breach names the overdue obligation (deadline_id)")
        elif self.detail is None:
            raise ValueError(f"a {self.ground.value} item says what the bureau found (detail)")
        return self


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
    | Notify
    | Implemented,
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
    "implemented",
)
