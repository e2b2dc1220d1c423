"""Reading and writing cases, their events and their projections.

Core rather than ORM sessions: a transition writes a handful of rows, and the ORM's
unit-of-work bookkeeping would cost more than the writes themselves. The hot path
(``save``, loading a matter, numbering) goes one step further: Core statements compiled
once and run on the driver cursor (``workflow.adapters.prepared`` says why and what is
kept). ``save`` reads nothing before it writes, and gathers its rows in ``Writes`` so
that a sweep batch can send many saves' rows with one executemany per statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, Text, and_, bindparam, insert, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

from rules.time import local_date
from workflow.adapters import (
    prepared,
    tables,  # noqa: F401  (registers the tables read below)
)
from workflow.adapters.commit_order import mark_unsealed
from workflow.adapters.prepared import Prepared, json_value
from workflow.adapters.types import JsonText, document_text
from workflow.domain.case import Case, Deadline
from workflow.domain.errors import VersionConflict
from workflow.domain.events import Event
from workflow.services.registration import PersonalRecord
from workflow.services.timers import TimerPlan, plan_timers

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
CALENDAR_YEARS: Table = _T["calendar_years"]

# The write path's statements, compiled once per dialect and run on the driver cursor
# (``prepared``: why, and what is kept from SQLAlchemy). An UPDATE takes its SET columns
# from the parameter names; WHERE parameters are named ``w_*`` so they never meet a
# column.
_CASE_INSERT = Prepared(insert(CASES))
_CASE_UPDATE = Prepared(
    update(CASES).where(
        and_(CASES.c.id == bindparam("w_id"), CASES.c.version == bindparam("w_version"))
    )
)
_CASE_DOC = Prepared(select(CASES.c.doc).where(CASES.c.id == bindparam("w_id")))
_EVENT_INSERT = Prepared(insert(EVENTS))
_PERSONAL_INSERT = Prepared(insert(PERSONAL))
_KEY_INSERT = Prepared(insert(PETITIONER_KEYS))
_NUMBER = Prepared(
    update(COUNTERS)
    .where(COUNTERS.c.name == bindparam("w_name"))
    .values(value=COUNTERS.c.value + 1)
    .returning(COUNTERS.c.value)
)
_UNIT_PATH = Prepared(select(UNITS.c.path).where(UNITS.c.code == bindparam("w_code")))
_DEADLINE_INSERT = Prepared(insert(DEADLINES))
_DEADLINE_UPDATE = Prepared(update(DEADLINES).where(DEADLINES.c.id == bindparam("w_id")))
_VERSION_CLOSE = Prepared(
    update(DEADLINE_VERSIONS).where(
        and_(
            DEADLINE_VERSIONS.c.deadline_id == bindparam("w_deadline"),
            DEADLINE_VERSIONS.c.recorded_to.is_(None),
        )
    )
)
_VERSION_INSERT = Prepared(insert(DEADLINE_VERSIONS))
_ITEM_UPSERT = Prepared(lambda dialect: _upsert(dialect, SUPERVISION_ITEMS))
# A deadline has at most two timers (breach and warning, or one lapse): the ones still
# wanted are named, and the timer being fired (its sweep marks it fired itself); every
# other pending one of the deadline is cancelled.
_TIMERS_CANCEL = Prepared(
    update(TIMERS)
    .where(
        and_(
            TIMERS.c.deadline_id == bindparam("w_deadline"),
            TIMERS.c.status == "pending",
            TIMERS.c.id != bindparam("w_keep_1"),
            TIMERS.c.id != bindparam("w_keep_2"),
            TIMERS.c.id != bindparam("w_firing"),
        )
    )
    .values(status="cancelled")
)
# A wanted timer that exists already (pending, fired or cancelled) stays as it is.
_TIMER_INSERT = Prepared(
    lambda dialect: (pg_insert if dialect == "postgresql" else sqlite_insert)(
        TIMERS
    ).on_conflict_do_nothing(index_elements=[TIMERS.c.id])
)

# The order every save writes in (see Writes).
_ORDER = (
    _CASE_INSERT,
    _CASE_UPDATE,
    _EVENT_INSERT,
    _PERSONAL_INSERT,
    _KEY_INSERT,
    _VERSION_CLOSE,
    _VERSION_INSERT,
    _DEADLINE_INSERT,
    _DEADLINE_UPDATE,
    _TIMERS_CANCEL,
    _TIMER_INSERT,
    _ITEM_UPSERT,
)


def _upsert(dialect: str, table: Table) -> Any:
    """INSERT, or UPDATE every column of the row with the same primary key."""
    insert_ = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return insert_.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={c.name: insert_.excluded[c.name] for c in table.columns if not c.primary_key},
    )


def imported_calendar_texts(conn: Connection) -> list[str]:
    """Calendar files imported into the database, oldest year first."""
    query = select(CALENDAR_YEARS.c.text).order_by(CALENDAR_YEARS.c.year)
    return list(conn.execute(query).scalars())


def load_case(conn: Connection, case_id: str) -> Case | None:
    doc = _CASE_DOC.scalar(conn, {"w_id": case_id})
    if doc is None:
        return None
    return Case.from_doc(json_value(doc))


def load_cases(conn: Connection, case_ids: Sequence[str]) -> dict[str, Case]:
    """Several matters in one query (a sweep batch's), by id; missing ones are absent."""
    if not case_ids:
        return {}
    # The document as the driver gives it (text on SQLite), decoded like load_case's.
    doc = type_coerce(CASES.c.doc, Text)
    rows = conn.execute(select(CASES.c.id, doc).where(CASES.c.id.in_(case_ids)))
    return {case_id: Case.from_doc(json_value(doc)) for case_id, doc in rows}


def load_events(conn: Connection, case_id: str, *, up_to: datetime | None = None) -> list[Event]:
    query = select(EVENTS).where(EVENTS.c.case_id == case_id).order_by(EVENTS.c.seq)
    if up_to is not None:
        query = query.where(EVENTS.c.recorded_at <= up_to)
    return [event_from_row(r._mapping) for r in conn.execute(query)]


def event_from_row(row: Any) -> Event:
    return Event(
        case_id=row["case_id"],
        seq=row["seq"],
        type=row["type"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        actor=row["actor"],
        unit=row["unit"],
        payload=row["payload"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def next_number(conn: Connection, year: int) -> str:
    name = f"case-number-{year}"
    updated = _NUMBER.scalar(conn, {"w_name": name})
    if updated is None:
        conn.execute(insert(COUNTERS).values(name=name, value=1))
        updated = 1
    return f"XF{year}{updated:08d}"


def unit_path(conn: Connection, code: str) -> str:
    path: str | None = _UNIT_PATH.scalar(conn, {"w_code": code})
    return path if path is not None else f"/{code}/"


def _paths(conn: Connection, known: dict[str, str]) -> Callable[[str], str]:
    """Unit paths, each looked up once per ``known``: the holder and most deadlines of a
    save name the same unit, and so do many saves of one sweep batch."""

    def lookup(code: str) -> str:
        if code not in known:
            known[code] = unit_path(conn, code)
        return known[code]

    return lookup


class Bound(NamedTuple):
    """One statement's rows, bound for the driver (``Writes.bound``): what a sweep
    worker process hands the writer, and what ``send`` runs. (A tuple: every request
    builds about ten, and a frozen dataclass costs several times as much to build.)"""

    sql: str
    params: list[Any]
    # A version-checked case update: the rows it must change, the matters it names
    # and, for one matter, the version it expects (for the VersionConflict).
    check: int | None = None
    matters: str = ""
    expected: int | None = None
    events: bool = False  # it inserts events: the transaction must seal them


class Writes:
    """The rows that saves write, per statement, run in the order ``save`` defines.

    ``save`` runs its own at once. The sweep gathers the saves of a batch of timers of
    distinct matters and runs each statement once with all their rows (executemany):
    per matter the statements keep their order, and matters do not share rows. Two saves
    of the same matter must not share a ``Writes`` (the second closes the deadline
    version the first records): the caller runs the first before planning the second.
    """

    def __init__(self) -> None:
        self._rows: dict[Prepared, list[dict[str, Any]]] = {}
        # Unit paths these saves read, each once. A unit move committed meanwhile (on
        # PostgreSQL) is the same race a single save has between its read and write.
        self.paths: dict[str, str] = {}

    def add(self, statement: Prepared, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._rows.setdefault(statement, []).extend(rows)

    def bound(self, dialect: Dialect) -> list[Bound]:
        """Everything gathered, bound for ``dialect``, in the order ``send`` runs it."""
        out: list[Bound] = []
        for statement in _ORDER:
            rows = self._rows.get(statement)
            if not rows:
                continue
            # Rows that set different columns (an UPDATE sets what changed) are different
            # statements. Each row is a different table row (one matter's case row, one
            # deadline), so the order between the groups does not matter.
            by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:
                by_keys.setdefault(tuple(row), []).append(row)
            for group in by_keys.values():
                sql, params = statement.bind_many(dialect, group)
                if statement is _CASE_UPDATE:
                    out.append(
                        Bound(
                            sql,
                            params,
                            check=len(group),
                            matters=", ".join(row["w_id"] for row in group),
                            expected=group[0]["w_version"] if len(group) == 1 else None,
                        )
                    )
                else:
                    out.append(Bound(sql, params, events=statement is _EVENT_INSERT))
        return out

    def run(self, conn: Connection) -> None:
        """Send everything gathered; VersionConflict (and nothing kept, once the caller
        rolls back) if a matter changed since it was loaded."""
        if self._rows:
            send(conn, self.bound(conn.dialect))
            self._rows.clear()


def send(conn: Connection, bound: Sequence[Bound]) -> None:
    """Run bound statements in order; VersionConflict if a matter changed since it was
    loaded (its case update changed no row), and then the caller rolls back."""
    for statement in bound:
        changed = prepared.send(conn, statement.sql, statement.params)
        if statement.check is not None and changed != statement.check:
            raise VersionConflict(
                f"case changed meanwhile (one of {statement.matters})",
                expected_version=statement.expected,
            )
        if statement.events:
            mark_unsealed(conn)


def save(
    conn: Connection,
    case: Case,
    events: Sequence[Event],
    *,
    expected_version: int | None,
    now: datetime,
    warning_days: int,
    timer_id: str | None = None,
    personal: Iterable[PersonalRecord] = (),
    petitioner_keys: Iterable[tuple[str, str]] = (),
    writes: Writes | None = None,
    before: Before | None = None,
) -> None:
    """Append events and write the projection, or raise VersionConflict and write nothing.

    The version-checked projection write comes first: a stale writer must meet the version
    check (VersionConflict), not the unique (case_id, seq) index of its events. With
    ``writes`` the rows are only gathered there, and written when the caller runs it.
    With ``before`` (the matter as loaded) an UPDATE sets only the columns that changed.
    """
    pending = Writes() if writes is None else writes
    path = _paths(conn, pending.paths)
    columns = _case_row(case)
    if expected_version is not None and before is not None:
        columns = _changed(columns, before.case)
    values = {
        **_resolved(path, columns, _CASE_PATHS),
        "updated_at": now,
        # Encoded now, from the case itself: no copy, and nothing that changes the case
        # later can reach rows a batch sends afterwards.
        "doc": document_text(case.to_doc(copy=False)),
    }
    if expected_version is None:
        pending.add(_CASE_INSERT, [{"id": case.id, **values}])
    else:
        pending.add(_CASE_UPDATE, [{**values, "w_id": case.id, "w_version": expected_version}])
    pending.add(_EVENT_INSERT, [_event_row(e, timer_id) for e in events])
    pending.add(
        _PERSONAL_INSERT,
        [
            {"case_id": case.id, "ref": p.ref, "salt": p.salt, "digest": p.digest, "data": p.data}
            for p in personal
        ],
    )
    keys = [
        {"case_id": case.id, "key": key, "subject_key": subject, "received_at": case.received_at}
        for key, subject in dict.fromkeys(petitioner_keys)
    ]
    pending.add(_KEY_INSERT, keys)
    _sync_deadlines(pending, path, case, events, warning_days, now, timer_id, before)
    _sync_supervision(pending, path, case, events, now)
    if writes is None:
        pending.run(conn)


def find_repeat(conn: Connection, keys: Sequence[str], subject_key: str) -> str | None:
    """The latest earlier matter of one of these petitioners about the same subject."""
    if not keys:
        return None
    unique = list(dict.fromkeys(keys))
    found: str | None = _repeat_query(len(unique)).scalar(
        conn, {"w_subject": subject_key, **{f"w_key_{i}": k for i, k in enumerate(unique)}}
    )
    return found


@cache
def _repeat_query(keys: int) -> Prepared:
    """The repeat lookup for this many petitioner keys (one statement per count: an
    expanding IN list would be compiled again on every call)."""
    return Prepared(
        select(PETITIONER_KEYS.c.case_id)
        .where(
            PETITIONER_KEYS.c.key.in_([bindparam(f"w_key_{i}") for i in range(keys)]),
            PETITIONER_KEYS.c.subject_key == bindparam("w_subject"),
        )
        .order_by(PETITIONER_KEYS.c.received_at.desc(), PETITIONER_KEYS.c.case_id)
        .limit(1)
    )


def _event_row(event: Event, timer_id: str | None) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
        "unit": event.unit,
        "payload": event.payload if event.payload_text is None else JsonText(event.payload_text),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "timer_id": timer_id,
    }


def _day(iso: str | None) -> int | None:
    return date.fromisoformat(iso).toordinal() if iso else None


# Rows are built with each path column holding its unit's code: that is what decides
# whether the column changed (a path changes with its unit; a unit move rewrites stored
# paths itself), and the path is looked up only for a column that is written.
_CASE_PATHS = ("holder_path", "intake_path", "replied_path")
_DEADLINE_PATHS = ("responsible_path",)


def _resolved(
    path: Callable[[str], str], row: dict[str, Any], columns: tuple[str, ...]
) -> dict[str, Any]:
    """``row`` with the unit codes in its path ``columns`` replaced by the units' paths."""
    return {**row, **{k: path(row[k]) for k in columns if row.get(k) is not None}}


def case_columns(path: Callable[[str], str], case: Case) -> dict[str, Any]:
    """The case row's query columns as a full rewrite writes them (paths looked up)."""
    return _resolved(path, _case_row(case), _CASE_PATHS)


def deadline_columns(
    path: Callable[[str], str], case_id: str, deadline: Deadline
) -> dict[str, Any]:
    """A deadline row as a full rewrite writes it (paths looked up)."""
    return _resolved(path, _deadline_row(case_id, deadline), _DEADLINE_PATHS)


def _case_row(case: Case) -> dict[str, Any]:
    """The case row's query columns (all but the document and ``updated_at``), paths as
    their units' codes."""
    reply = case.reply or {}
    first_evaluation = case.evaluations[0] if case.evaluations else {}
    return {
        "number": case.number,
        "state": case.state,
        "version": case.version,
        "chart": case.chart,
        "rule_set": case.rule_set,
        "channel": case.channel,
        "intake_unit": case.intake_unit,
        "holder_unit": case.holder_unit,
        "holder_path": case.holder_unit,
        "received_at": case.received_at,
        "overdue": case.overdue,
        "intake_path": case.intake_unit,
        "received_day": local_date(case.received_at).toordinal(),
        "ended_day": _day(case.closed_on) if case.ended else None,
        "replied_path": case.replied_by or None,
        "replied_on": date.fromisoformat(reply["delivered_on"]) if reply else None,
        "evaluated_on": (date.fromisoformat(first_evaluation["on"]) if first_evaluation else None),
        "satisfied": first_evaluation.get("satisfied"),
        "repeat_of": case.repeat["of"] if case.repeat else None,
        "leader": case.leader["name"] if case.leader else None,
        "last_hash": case.last_hash,
        "last_occurred_at": case.last_occurred_at,
    }


@dataclass(frozen=True)
class Before:
    """A matter's row values as they were loaded, to write only what an event changed.

    SQLite rewrites the entries of every index on a column an UPDATE sets, changed or
    not: setting all 24 columns of a case row rewrote all 12 of its indexes (measured:
    6.5x the time of setting the few that change, with 12 indexes).
    """

    case: dict[str, Any]
    deadlines: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, case: Case, events: Sequence[Event]) -> Before:
        """Taken before ``events`` are folded into ``case`` (the fold changes it in place)."""
        touched, _ = _touched(events)
        return cls(
            _case_row(case),
            {d.id: _deadline_row(case.id, d) for d in case.deadlines if d.id in touched},
        )


def _changed(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The columns of ``after`` whose value differs from ``before``."""
    return {k: v for k, v in after.items() if v != before.get(k, _ABSENT)}


_ABSENT = object()


def _touched(events: Sequence[Event]) -> tuple[set[str], set[str]]:
    """(every deadline the events touched, those they opened).

    A deadline's id names the event that opened it (``{case}-{seq}-{rule}``), so an
    opened deadline is new: it has no row, no version and no timer yet. Should that ever
    be false, its INSERT fails on the primary key and the whole command with it.
    """
    ids: set[str] = set()
    opened: set[str] = set()
    for event in events:
        clocks = event.payload.get("clocks", {})
        opened.update(d["id"] for d in clocks.get("opened", []))
        ids.update(d["id"] for d in clocks.get("changed", []))
        ids.update(d["id"] for d in clocks.get("closed", []))
        if "deadline_id" in event.payload:
            ids.add(event.payload["deadline_id"])
    return ids | opened, opened


def _sync_deadlines(
    writes: Writes,
    path: Callable[[str], str],
    case: Case,
    events: Sequence[Event],
    warning_days: int,
    now: datetime,
    firing: str | None,
    before: Before | None,
) -> None:
    touched, opened = _touched(events)
    if not touched:
        return
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    timers: list[dict[str, Any]] = []
    cancels: list[dict[str, Any]] = []
    for deadline in (d for d in case.deadlines if d.id in touched):
        plain = _deadline_row(case.id, deadline)
        row = _resolved(path, plain, _DEADLINE_PATHS)
        versions.append(_version_row(case.id, deadline.id, row, now))
        plans = plan_timers(case.id, deadline, warning_days)
        timers.extend(_timer_row(p) for p in plans)
        if deadline.id in opened:
            inserts.append({"id": deadline.id, **row})
        else:
            was = before.deadlines.get(deadline.id) if before is not None else None
            changed = row if was is None else _resolved(path, _changed(plain, was), _DEADLINE_PATHS)
            if changed:
                updates.append({**changed, "w_id": deadline.id})
            cancels.append(_cancel_row(deadline.id, [p.id for p in plans], firing))
    # The current version of each changed deadline is closed before its new one is
    # recorded (a new deadline has none): "as of" reads take the version open then.
    writes.add(
        _VERSION_CLOSE, [{"recorded_to": now, "w_deadline": c["w_deadline"]} for c in cancels]
    )
    writes.add(_VERSION_INSERT, versions)
    writes.add(_DEADLINE_INSERT, inserts)
    writes.add(_DEADLINE_UPDATE, updates)
    writes.add(_TIMERS_CANCEL, cancels)
    writes.add(_TIMER_INSERT, timers)


def _deadline_row(case_id: str, deadline: Deadline) -> dict[str, Any]:
    """A deadline's row, the path as its unit's code."""
    return {
        "case_id": case_id,
        "rule": deadline.rule,
        "rule_set": deadline.rule_set,
        "article": deadline.article,
        "kind": deadline.kind,
        "responsible_unit": deadline.responsible_unit,
        "responsible_path": deadline.responsible_unit,
        "trigger_on": deadline.trigger_on,
        "due_on": deadline.due_on,
        "status": deadline.status,
        "provisional": deadline.provisional,
        "met_on": deadline.met_on,
        "breached_on": deadline.breached_on,
        "open_obligation": _owed(deadline),
    }


def _owed(deadline: Deadline) -> bool:
    return (
        deadline.kind == "obligation"
        and deadline.met_on is None
        and deadline.status in ("pending", "breached")
    )


def _version_row(
    case_id: str, deadline_id: str, row: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The deadline's new version, recorded from ``now`` (recorded time, not valid time)."""
    return {
        "deadline_id": deadline_id,
        "case_id": case_id,
        "rule": row["rule"],
        "article": row["article"],
        "responsible_unit": row["responsible_unit"],
        "responsible_path": row["responsible_path"],
        "due_on": row["due_on"],
        "status": row["status"],
        "met_on": row["met_on"],
        "open_obligation": row["open_obligation"],
        "recorded_from": now,
    }


def _timer_row(plan: TimerPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "case_id": plan.case_id,
        "deadline_id": plan.deadline_id,
        "kind": plan.kind,
        "due_at": plan.due_at,
        "status": "pending",
        "attempts": 0,
    }


def _cancel_row(deadline_id: str, wanted: list[str], firing: str | None) -> dict[str, Any]:
    """Cancel the deadline's pending timers other than ``wanted`` (at most two) and the
    one being fired (an empty string names no timer)."""
    if len(wanted) > 2:
        raise ValueError(f"deadline {deadline_id} plans {len(wanted)} timers, at most 2 fit")
    keep = [*wanted, "", ""]
    return {
        "w_deadline": deadline_id,
        "w_keep_1": keep[0],
        "w_keep_2": keep[1],
        "w_firing": firing or "",
    }


def _sync_supervision(
    writes: Writes,
    path: Callable[[str], str],
    case: Case,
    events: Sequence[Event],
    now: datetime,
) -> None:
    # The fold stamps each item's history with the seq of the step; the items these
    # events touched are the ones whose latest step is one of them.
    seqs = {e.seq for e in events if "supervision" in e.payload}
    if not seqs:
        return
    for item in case.supervision:
        if item["history"][-1]["seq"] not in seqs:
            continue
        item_id = item["id"]
        row = {
            "case_id": case.id,
            "deadline_id": item["deadline_id"],
            "rule": item["rule"],
            "article": item.get("article") or "",
            "responsible_unit": item["responsible_unit"],
            "responsible_path": path(item["responsible_unit"]),
            "supervising_unit": item.get("supervising_unit"),
            "state": item["state"],
            "opened_on": date.fromisoformat(item["opened_on"]),
            "updated_at": now,
        }
        writes.add(_ITEM_UPSERT, [{"id": item_id, **row}])
