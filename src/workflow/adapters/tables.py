"""The tables. Rows are storage, never domain objects: repositories map between them.

``events`` is the truth; ``cases``, ``deadlines`` and ``timers`` are projections written
in the same transaction as the events that change them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Table, UniqueConstraint
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
        Index("ix_cases_intake_path_day", "intake_path", "received_day"),
        Index("ix_cases_holder_path_day", "holder_path", "received_day"),
        Index("ix_cases_replied_path_on", "replied_path", "replied_on"),
        Index("ix_cases_leader", "leader", "holder_path"),
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
    # Columns for supervision and statistics, all derived from the doc. Days are
    # date.toordinal() integers so "ended N days after it was received" is plain integer
    # arithmetic in SQL on both SQLite and PostgreSQL.
    intake_path: str = Field(default="", max_length=1024)
    received_day: int = 0
    ended_day: int | None = None
    replied_path: str | None = Field(default=None, max_length=1024)
    replied_on: date | None = None
    # The evaluation the rates count (rows.counted_evaluation) and who gave it: the
    # petitioner alone (source petitioner) or someone on their behalf.
    evaluated_on: date | None = None
    satisfied: bool | None = None
    evaluation_source: str | None = Field(default=None, max_length=16)
    repeat_of: str | None = Field(default=None, index=True, max_length=40)
    leader: str | None = Field(default=None, max_length=200)
    last_hash: str
    last_occurred_at: datetime = _utc()
    updated_at: datetime = _utc()
    doc: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
        Index("ix_events_commit_seq", "commit_seq", "id"),
    )
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
    # The change feed's order: numbered just before the writing transaction commits
    # (workflow.adapters.commit_order), so it is commit order even when ids are not.
    commit_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_status_due", "status", "due_on"),
        Index("ix_deadlines_unit_status", "responsible_unit", "status"),
        # The supervision board: open obligations by due day, whole tree or one subtree.
        Index("ix_deadlines_watch_due", "open_obligation", "due_on", "id"),
        Index("ix_deadlines_watch_path_due", "open_obligation", "responsible_path", "due_on"),
        Index("ix_deadlines_rule_trigger", "rule", "responsible_path", "trigger_on"),
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
    # An obligation still owed: kind obligation, not met, running or breached (a paused
    # clock is not counted down). A column rather than a partial index because SQLite
    # only uses a partial index when the query repeats its condition literally.
    open_obligation: bool = False


class DeadlineVersionRow(SQLModel, table=True):
    """Every state a deadline has had, by recorded time: "what was overdue on day D"
    is answered from these, as the system knew it then, without replaying matters."""

    __tablename__ = "deadline_versions"
    __table_args__ = (
        Index("ix_deadline_versions_deadline", "deadline_id", "recorded_to"),
        Index("ix_deadline_versions_path_due", "open_obligation", "responsible_path", "due_on"),
    )
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    deadline_id: str = Field(max_length=120)
    case_id: str = Field(max_length=40)
    rule: str
    article: str
    responsible_unit: str = Field(max_length=64)
    responsible_path: str = Field(max_length=1024)
    due_on: date
    status: str
    met_on: date | None = None
    open_obligation: bool = False
    recorded_from: datetime = _utc()
    recorded_to: datetime | None = _utc(default=None)


class SupervisionItemRow(SQLModel, table=True):
    __tablename__ = "supervision_items"
    __table_args__ = (Index("ix_supervision_items_path_state", "responsible_path", "state"),)
    id: str = Field(primary_key=True, max_length=160)
    case_id: str = Field(index=True, max_length=40)
    # An item opened by hand (第四十条) may follow no obligation: no deadline, no rule.
    deadline_id: str | None = Field(default=None, unique=True, max_length=120)
    rule: str | None = None
    article: str
    # rules.supervision.SupervisionGround: breach for every item the sweep opens.
    ground: str = Field(max_length=32)
    responsible_unit: str = Field(max_length=64)
    responsible_path: str = Field(max_length=1024)
    supervising_unit: str | None = Field(default=None, max_length=64)
    state: str = Field(max_length=32)
    opened_on: date
    updated_at: datetime = _utc()


class PetitionerKeyRow(SQLModel, table=True):
    """Keyed digests of petitioners' ID numbers, to find repeat petitions (重复信访).

    An HMAC, not the number: the key lives in the settings, so the table alone does not
    reveal who petitioned; redaction deletes the rows with the personal data.
    """

    __tablename__ = "petitioner_keys"
    __table_args__ = (Index("ix_petitioner_keys_key_subject", "key", "subject_key"),)
    case_id: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=64)
    subject_key: str = Field(max_length=64)
    received_at: datetime = _utc()


class QueryCodeRow(SQLModel, table=True):
    """The keyed hash of a matter's query code (查询码, ``workflow.services.query_codes``).

    Beside the log, not in an event: redaction deletes the row with the personal data.
    """

    __tablename__ = "query_codes"
    case_id: str = Field(primary_key=True, max_length=40)
    digest: str = Field(max_length=64)
    created_at: datetime = _utc()


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_status_due", "status", "due_at"),
        # Every save looks up the pending timers of the deadlines it touched.
        Index("ix_timers_deadline_status", "deadline_id", "status"),
    )
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
    """A daily root hash over every chain head (``workflow.audit.anchors``); append-only."""

    __tablename__ = "anchors"
    day: date = Field(primary_key=True)
    cutoff: datetime = _utc()
    cases: int
    events: int
    heads: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    prev: str = Field(max_length=64)
    root: str = Field(max_length=64)
    created_at: datetime = _utc()


# Core handles on the tables above, for the statements of the write and read paths.
_T = SQLModel.metadata.tables
CASES: Table = _T["cases"]
EVENTS: Table = _T["events"]
DEADLINES: Table = _T["deadlines"]
TIMERS: Table = _T["timers"]
PERSONAL: Table = _T["personal_data"]
COUNTERS: Table = _T["counters"]
UNITS: Table = _T["units"]
DEADLINE_VERSIONS: Table = _T["deadline_versions"]
SUPERVISION_ITEMS: Table = _T["supervision_items"]
PETITIONER_KEYS: Table = _T["petitioner_keys"]
QUERY_CODES: Table = _T["query_codes"]
CALENDAR_YEARS: Table = _T["calendar_years"]
