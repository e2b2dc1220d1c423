"""The tables. Rows are storage, never domain objects: repositories map between them.

``events`` is the truth; ``cases``, ``deadlines`` and ``timers`` are projections written
in the same transaction as the events that change them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.adapters.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class UnitRow(SQLModel, table=True):
    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=64)
    name: str
    level: str
    kind: str
    parent: str | None = Field(default=None, index=True, max_length=64)
    path: str = Field(index=True, max_length=1024)


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_holder_state", "holder_unit", "state"),
        Index("ix_cases_overdue", "overdue", "holder_path"),
    )
    id: str = Field(primary_key=True, max_length=40)
    number: str = Field(unique=True, max_length=40)
    state: str = Field(index=True, max_length=32)
    version: int
    chart: str
    rule_set: str
    channel: str
    intake_unit: str = Field(index=True, max_length=64)
    holder_unit: str = Field(max_length=64)
    holder_path: str = Field(max_length=1024)
    received_at: datetime = _utc(index=True)
    overdue: bool = False
    last_hash: str
    last_occurred_at: datetime = _utc()
    updated_at: datetime = _utc()
    doc: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    case_id: str = Field(index=True, max_length=40)
    seq: int
    type: str = Field(max_length=40)
    occurred_at: datetime = _utc()
    recorded_at: datetime = _utc(index=True)
    actor: str
    unit: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    timer_id: str | None = Field(default=None, unique=True, max_length=200)


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_status_due", "status", "due_on"),
        Index("ix_deadlines_unit_status", "responsible_unit", "status"),
    )
    id: str = Field(primary_key=True, max_length=120)
    case_id: str = Field(index=True, max_length=40)
    rule: str
    rule_set: str
    article: str
    kind: str
    responsible_unit: str = Field(max_length=64)
    responsible_path: str = Field(max_length=1024)
    trigger_on: date
    due_on: date
    status: str
    provisional: bool
    met_on: date | None = None
    breached_on: date | None = None


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_status_due", "status", "due_at"),)
    id: str = Field(primary_key=True, max_length=200)
    case_id: str = Field(index=True, max_length=40)
    deadline_id: str = Field(max_length=120)
    kind: str
    due_at: datetime = _utc()
    status: str = Field(max_length=16)
    attempts: int = 0
    last_error: str | None = None
    fired_at: datetime | None = _utc(default=None)


class PersonalDataRow(SQLModel, table=True):
    __tablename__ = "personal_data"
    case_id: str = Field(primary_key=True, max_length=40)
    ref: str = Field(primary_key=True, max_length=16)
    salt: str
    digest: str
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    redacted_at: datetime | None = _utc(default=None)


class IdempotencyRow(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    principal: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str
    status_code: int
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    headers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc()


class CounterRow(SQLModel, table=True):
    __tablename__ = "counters"
    name: str = Field(primary_key=True, max_length=64)
    value: int


class CalendarYearRow(SQLModel, table=True):
    __tablename__ = "calendar_years"
    year: int = Field(primary_key=True)
    status: str
    source: str
    text: str
    imported_at: datetime = _utc()


class AnchorRow(SQLModel, table=True):
    """A daily root hash over every chain head (``workflow.anchors``); append-only."""

    __tablename__ = "anchors"
    day: date = Field(primary_key=True)
    cutoff: datetime = _utc()
    cases: int
    events: int
    heads: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    prev: str = Field(max_length=64)
    root: str = Field(max_length=64)
    created_at: datetime = _utc()
