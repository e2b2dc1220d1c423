"""The case projection: the current state of one matter, folded from its events.

It is plain data. Every field is written only by the fold (``workflow.services.fold``),
never by a handler directly, so replaying the events gives the same case.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from workflow.domain.events import Event, seal


@dataclass
class Deadline:
    """One running or finished clock, as the rules computed it."""

    id: str
    rule: str
    rule_set: str
    article: str
    kind: str  # obligation | window
    state: str  # the chart state whose timer armed it
    responsible_unit: str
    trigger_on: date
    starts_on: date
    period_days: int
    due_on: date
    status: str  # pending | paused | met | breached | lapsed | cancelled
    provisional: bool
    explanation: list[str]
    extension_days: int = 0
    times_extended: int = 0
    pauses: list[tuple[date, date]] = field(default_factory=list)
    paused_since: date | None = None
    met_on: date | None = None
    breached_on: date | None = None
    warned: bool = False
    # A petitioner's window whose last day is provisional lapses only after the latest
    # last day any holiday arrangement could give (Contract 1.1); None once settled.
    latest_on: date | None = None

    @property
    def lapses_after(self) -> date:
        """The last day a request in this window is on time, as far as is known now."""
        return self.latest_on or self.due_on

    @property
    def open(self) -> bool:
        return self.status in ("pending", "paused") or (
            self.status == "breached" and self.met_on is None
        )

    def to_doc(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, whose recursive deep copy was
        # half the cost of a replay; every value here is immutable or rebuilt.
        doc = self.__dict__.copy()  # exactly the fields: a dataclass without slots
        for key in _DEADLINE_DATES:
            value = doc[key]
            doc[key] = value.isoformat() if value is not None else None
        doc["explanation"] = list(self.explanation)
        doc["pauses"] = [[a.isoformat(), b.isoformat()] for a, b in self.pauses]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Deadline:
        data = _named(doc, _DEADLINE_NAMES)
        for key in _DEADLINE_DATES:
            value = data.get(key)
            if value is not None:
                data[key] = date.fromisoformat(value)
        data["pauses"] = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in data["pauses"]]
        return cls(**data)


_DEADLINE_DATES = (
    "trigger_on",
    "starts_on",
    "due_on",
    "paused_since",
    "met_on",
    "breached_on",
    "latest_on",
)


def _names(cls: type) -> dict[str, str]:
    return {f.name: f.name for f in fields(cls)}


def _named(doc: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A copy of ``doc`` whose keys are the class's own field-name strings.

    A decoded document's keys are new string objects (orjson and json do not intern
    them), and CPython matches ``cls(**data)`` keywords to parameters by identity first,
    then by comparing each against every parameter name: with 21 or 43 fields that
    fallback made building a loaded matter twice as slow (29 against 14 µs for a case
    with five deadlines). Unknown keys are kept, so ``cls(**data)`` still refuses them.
    """
    return {names.get(key, key): value for key, value in doc.items()}


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars): cheaper than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# Fields a "set" effect in an event may write; anything else in an event is a bug.
SETTABLE = frozenset(
    {
        "holder_unit",
        "classification",
        "transferred_by",
        "transfer_mode",
        "accepted_on",
        "replied_by",
        "reply",
        "reviewed_by",
        "review",
        "re_review",
        "hearing_open",
        "decline",
        "withdrawal",
        "diverted_to",
        "closed_on",
        "objection",
        "transferred_on",
        "transfer_received_on",
        "last_opinion",
    }
)

# The written opinions a petitioner receives, latest stage last (第三十二条、第三十五条、
# 第三十六条); each records the day it was issued and the day it was delivered.
OPINIONS = ("reply", "review", "re_review")

ENDED_STATES = frozenset({"diverted", "declined", "closed", "concluded", "withdrawn"})


@dataclass
class Case:
    id: str
    number: str
    chart: str
    rule_set: str
    state: str
    version: int
    channel: str
    received_at: datetime
    intake_unit: str
    holder_unit: str
    location_unit: str | None
    subject: str
    content: str
    headcount: int
    representatives: int
    petitioners: list[dict[str, str]]
    last_hash: str
    last_occurred_at: datetime
    classification: dict[str, Any] | None = None
    transferred_by: str | None = None
    transfer_mode: str | None = None
    accepted_on: str | None = None
    replied_by: str | None = None
    reply: dict[str, Any] | None = None
    reviewed_by: str | None = None
    review: dict[str, Any] | None = None
    re_review: dict[str, Any] | None = None
    hearing_open: str | None = None
    hearings: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    decline: dict[str, Any] | None = None
    withdrawal: dict[str, Any] | None = None
    objection: dict[str, Any] | None = None
    diverted_to: str | None = None
    closed_on: str | None = None
    # 姓名（名称）、住址不清 (第二十三条第二款): no written notice is owed.
    contact_unknown: bool = False
    # 检举控告 (第三十条第三款): the units the petitioner accuses, as registered; see
    # ``confidential`` for when they bind.
    accused_units: list[str] = field(default_factory=list)
    # 书面告知: every notice given, in order (notify).
    notices: list[dict[str, Any]] = field(default_factory=list)
    # The last transfer's day, and the receiving organ's own receipt of it when recorded.
    transferred_on: str | None = None
    transfer_received_on: str | None = None
    # The stage of the written opinion issued last (one of OPINIONS).
    last_opinion: str | None = None
    units_involved: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    # 重复信访: the earlier matter this one repeats (the first of the chain), with the
    # earlier matter's state when this one was registered and what that means for it.
    repeat: dict[str, Any] | None = None
    # 领导包案: every assignment in order; the latest names the answerable leader.
    leaders: list[dict[str, Any]] = field(default_factory=list)
    # 督办: one item per breached obligation, each with its own small lifecycle
    # (statecharts/supervision.yaml).
    supervision: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confidential(self) -> bool:
        """Whether ``accused_units`` bind (《信访工作条例》第三十条第三款): the matter is not
        sent to them and their roles do not see who petitioned.

        From registration until ``classify`` sets a type other than an accusation: before
        classification the type is unknown, and a petitioner who names accused units has
        accused them as far as anyone knows, while an identity once shown cannot be taken
        back. A classification as an accusation keeps the flag the rules set
        (``RouteDecision.confidential``); any other type releases it.
        """
        if not self.accused_units:
            return False
        return self.classification is None or bool(self.classification.get("confidential"))

    @property
    def overdue(self) -> bool:
        """Some obligation has breached its deadline and is still not met."""
        return any(d.status == "breached" and d.met_on is None for d in self.deadlines)

    @property
    def leader(self) -> dict[str, Any] | None:
        """The leader answerable for the matter now (the latest 包案 assignment)."""
        return self.leaders[-1] if self.leaders else None

    @property
    def awaiting_delivery(self) -> str | None:
        """The written opinion issued but not yet delivered (``reply``, ``review`` or
        ``re_review``), whose petitioner's window waits for its delivery; else None."""
        if self.last_opinion is None:
            return None
        opinion = getattr(self, self.last_opinion) or {}
        return self.last_opinion if opinion.get("delivered_on") is None else None

    @property
    def ended(self) -> bool:
        return self.state in ENDED_STATES

    def next_event(
        self,
        type_: str,
        *,
        occurred_at: datetime,
        recorded_at: datetime,
        actor: str,
        unit: str,
        payload: dict[str, Any],
    ) -> Event:
        """The sealed event that continues this matter's chain (next seq, linked hash)."""
        return seal(
            case_id=self.id,
            seq=self.version + 1,
            type=type_,
            occurred_at=occurred_at,
            recorded_at=recorded_at,
            actor=actor,
            unit=unit,
            payload=payload,
            prev_hash=self.last_hash,
        )

    def supervision_item(self, item_id: str) -> dict[str, Any]:
        for item in self.supervision:
            if item["id"] == item_id:
                return item
        raise KeyError(item_id)

    def deadline(self, deadline_id: str) -> Deadline:
        for d in self.deadlines:
            if d.id == deadline_id:
                return d
        raise KeyError(deadline_id)

    def open_deadlines(self, rule: str | None = None) -> list[Deadline]:
        return [d for d in self.deadlines if d.open and (rule is None or d.rule == rule)]

    def latest(self, rule: str) -> Deadline | None:
        found = [d for d in self.deadlines if d.rule == rule]
        return found[-1] if found else None

    def to_doc(self, *, copy: bool = True) -> dict[str, Any]:
        """A JSON-ready copy (lists and dicts are copied so the doc never aliases the case).

        ``copy=False`` shares the case's lists and dicts: only for a doc that is encoded
        at once and dropped (saving the projection), never one that is kept.
        """
        if copy:
            doc = {name: _copy(getattr(self, name)) for name in _CASE_FIELDS}
        else:
            doc = {name: getattr(self, name) for name in _CASE_FIELDS}
        doc["received_at"] = self.received_at.isoformat()
        doc["last_occurred_at"] = self.last_occurred_at.isoformat()
        doc["deadlines"] = [d.to_doc() for d in self.deadlines]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Case:
        data = _named(doc, _CASE_NAMES)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        data["last_occurred_at"] = datetime.fromisoformat(data["last_occurred_at"])
        data["deadlines"] = [Deadline.from_doc(d) for d in data["deadlines"]]
        return cls(**data)


_CASE_FIELDS = tuple(f.name for f in fields(Case) if f.name != "deadlines")
_CASE_NAMES = _names(Case)
_DEADLINE_NAMES = _names(Deadline)
