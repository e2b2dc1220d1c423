"""Reading matters and their events, and saving a decided change with its projections.

Core rather than ORM sessions: a transition writes a handful of rows, and the ORM's
unit-of-work bookkeeping would cost more than the writes themselves. The hot path
(``save``, loading a matter, numbering) goes one step further: Core statements compiled
once and run on the driver cursor (``workflow.adapters.prepared`` says why and what is
kept). ``save`` reads nothing before it writes, and gathers its rows in ``Writes`` so
that a sweep batch can send many saves' rows with one executemany per statement
(``writes``); the projection rows themselves are built in ``rows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Text, bindparam, insert, select, type_coerce, update

# The table handles live in ``tables``; re-exported here, where most readers look for them.
from workflow.adapters.prepared import Prepared, json_value
from workflow.adapters.rows import (
    CASE_PATHS,
    Before,
    case_row,
    changed_columns,
    event_row,
    resolved,
    sync_deadlines,
    sync_supervision,
)
from workflow.adapters.tables import CALENDAR_YEARS as CALENDAR_YEARS
from workflow.adapters.tables import CASES as CASES
from workflow.adapters.tables import COUNTERS as COUNTERS
from workflow.adapters.tables import DEADLINE_VERSIONS as DEADLINE_VERSIONS
from workflow.adapters.tables import DEADLINES as DEADLINES
from workflow.adapters.tables import EVENTS as EVENTS
from workflow.adapters.tables import PERSONAL as PERSONAL
from workflow.adapters.tables import PETITIONER_KEYS as PETITIONER_KEYS
from workflow.adapters.tables import QUERY_CODES as QUERY_CODES
from workflow.adapters.tables import SUPERVISION_ITEMS as SUPERVISION_ITEMS
from workflow.adapters.tables import TIMERS as TIMERS
from workflow.adapters.tables import UNITS as UNITS
from workflow.adapters.types import document_text
from workflow.adapters.writes import (
    CASE_INSERT,
    CASE_UPDATE,
    EVENT_INSERT,
    KEY_INSERT,
    PERSONAL_INSERT,
    QUERY_CODE_INSERT,
    Writes,
)
from workflow.domain.case import Case
from workflow.domain.events import Event
from workflow.services.registration import PersonalRecord

_CASE_DOC = Prepared(select(CASES.c.doc).where(CASES.c.id == bindparam("w_id")))
_NUMBER = Prepared(
    update(COUNTERS)
    .where(COUNTERS.c.name == bindparam("w_name"))
    .values(value=COUNTERS.c.value + 1)
    .returning(COUNTERS.c.value)
)
_UNIT_PATH = Prepared(select(UNITS.c.path).where(UNITS.c.code == bindparam("w_code")))


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
    query_code_digest: str | None = None,
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
    columns = case_row(case)
    if expected_version is not None and before is not None:
        columns = changed_columns(columns, before.case)
    values = {
        **resolved(path, columns, CASE_PATHS),
        "updated_at": now,
        # Encoded now, from the case itself: no copy, and nothing that changes the case
        # later can reach rows a batch sends afterwards.
        "doc": document_text(case.to_doc(copy=False)),
    }
    if expected_version is None:
        pending.add(CASE_INSERT, [{"id": case.id, **values}])
    else:
        pending.add(CASE_UPDATE, [{**values, "w_id": case.id, "w_version": expected_version}])
    pending.add(EVENT_INSERT, [event_row(e, timer_id) for e in events])
    pending.add(
        PERSONAL_INSERT,
        [
            {"case_id": case.id, "ref": p.ref, "salt": p.salt, "digest": p.digest, "data": p.data}
            for p in personal
        ],
    )
    keys = [
        {"case_id": case.id, "key": key, "subject_key": subject, "received_at": case.received_at}
        for key, subject in dict.fromkeys(petitioner_keys)
    ]
    pending.add(KEY_INSERT, keys)
    if query_code_digest is not None:  # registration only; the code itself is never kept
        pending.add(
            QUERY_CODE_INSERT,
            [{"case_id": case.id, "digest": query_code_digest, "created_at": now}],
        )
    sync_deadlines(pending, path, case, events, warning_days, now, timer_id, before)
    sync_supervision(pending, path, case, events, now)
    if writes is None:
        pending.run(conn)


def query_code_of(conn: Connection, number: str) -> tuple[str, str] | None:
    """The matter numbered ``number`` and its query code's digest, if it has one."""
    query = (
        select(CASES.c.id, QUERY_CODES.c.digest)
        .join(QUERY_CODES, QUERY_CODES.c.case_id == CASES.c.id)
        .where(CASES.c.number == number)
    )
    row = conn.execute(query).first()
    return (row[0], row[1]) if row is not None else None


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
