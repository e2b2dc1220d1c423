"""Auditing the projections against the events: what the hash chains cannot see.

``workflow.audit.verify`` proves the events and the heads of the case rows. Everything else in
the database is derived from the events and can be edited without touching them: the
case document and its query columns, the deadline and timer rows the sweep and the
supervision lists read, and the personal data kept out of the hashed payload. This
audit recomputes each of them from the events and reports every difference:

- ``chain``: the matter's history is not a chain (an event deleted, reordered or edited:
  the seq and reason, as ``workflow.audit.verify`` reports it) or does not fold; nothing
  else of the matter is audited then, since there is no replay to compare with;
- ``doc``: the case document differs from the fold of its events (the replay);
- ``column``: a column of the case row differs from what the replay writes there
  (``rows.case_row``): state, holder and paths, overdue, the received, ended, replied
  and evaluated days and the counted evaluation, repeat and leader, head — what the
  boards, the backlog (积案) and the rates select and count by;
- ``deadline``: a deadline row is missing, extra, or differs (due day, status, path,
  open obligation…);
- ``deadline-version``: a deadline's versions ("as of" reads) are not the states the
  history gave it at the moments they were recorded: a version missing, extra, moved,
  or its validity interval broken;
- ``supervision``: a supervision item row is missing, extra, or differs from the item
  of the replay (state, supervising and responsible unit and path, ground, opened day);
- ``timer``: a timer the running deadlines plan is missing, disarmed (marked fired or
  cancelled) or moved; or a pending timer no running deadline plans (invented);
- ``personal-data``: a petitioner's stored data does not hash to the salted digest the
  registration event holds, or a reference is missing or extra.

Reads only; one pass per case. Paths are compared with the units' current paths (a unit
move rewrites every stored copy, ``workflow.adapters.units``).

Limits: deadline versions backfilled by migration 0002 (one per deadline, stamped with
the migration's time) are accepted as the first version when they hold the state as of
that moment; ``petitioner_keys`` (keyed digests of ID numbers) and ``query_codes`` are
not audited (the key is a setting, and the petitioner's data may be redacted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, select

from workflow.adapters.database import Database
from workflow.adapters.repository import CASES, DEADLINES, PERSONAL, TIMERS, load_events
from workflow.adapters.rows import (
    case_columns,
    deadline_columns,
    supervision_row,
    touched_deadlines,
)
from workflow.adapters.tables import DEADLINE_VERSIONS, SUPERVISION_ITEMS, UNITS
from workflow.domain.case import Case
from workflow.domain.errors import BrokenHistory
from workflow.domain.events import Event
from workflow.services.engine import Engine
from workflow.services.history import fold_history
from workflow.services.registration import personal_digest
from workflow.services.timers import plan_timers

# A timer the sweep gave up on after its retries stays visible as failed, still armed.
_ARMED = ("pending", "failed")
# What a deadline version holds of its deadline (rows._version_row).
_VERSION_FIELDS = (
    "rule",
    "article",
    "responsible_unit",
    "responsible_path",
    "due_on",
    "status",
    "met_on",
    "open_obligation",
)
Path = Callable[[str], str]
# A deadline's states by the moment each was recorded: (recorded_at, version content).
States = dict[str, list[tuple[datetime, tuple[Any, ...]]]]


@dataclass(frozen=True)
class Finding:
    case_id: str
    kind: str
    detail: str


def audit_projections(db: Database, engine: Engine) -> list[Finding]:
    findings: list[Finding] = []
    with db.read() as conn:
        paths: dict[str, str] = dict(conn.execute(select(UNITS.c.code, UNITS.c.path)).all())

        def path(code: str) -> str:
            return paths.get(code, "")

        ids = list(conn.execute(select(CASES.c.id).order_by(CASES.c.id)).scalars())
        for case_id in ids:
            findings += list(_audit_case(conn, engine, case_id, path))
    return findings


def _audit_case(conn: Connection, engine: Engine, case_id: str, path: Path) -> Iterator[Finding]:
    row = conn.execute(select(CASES).where(CASES.c.id == case_id)).one()._mapping
    events = load_events(conn, case_id)
    states: States = {}

    def record_states(case: Case, event: Event) -> None:
        touched = touched_deadlines([event])
        for deadline in (d for d in case.deadlines if d.id in touched):
            content = _version_content(deadline_columns(path, case_id, deadline))
            states.setdefault(deadline.id, []).append((event.recorded_at, content))

    try:
        folded = fold_history(engine.machine, case_id, events, record_states)
    except BrokenHistory as broken:
        where = broken.context
        yield Finding(case_id, "chain", f"seq {where['seq']}: {where['reason']}")
        return
    if folded is None:
        yield Finding(case_id, "doc", "a case row without events")
        return
    if folded.to_doc() != row["doc"]:
        yield Finding(case_id, "doc", "the case document differs from its replay")
    for column, value in case_columns(path, folded).items():
        if row[column] != value:
            yield Finding(case_id, "column", f"cases.{column} differs from the replay")
    yield from _deadlines(conn, case_id, folded, path)
    yield from _versions(conn, case_id, states)
    yield from _supervision(conn, case_id, folded, path)
    yield from _timers(conn, case_id, folded, engine.settings.warning_days)
    yield from _personal(conn, case_id, events[0].payload)


def _deadlines(conn: Connection, case_id: str, case: Case, path: Path) -> Iterator[Finding]:
    rows = {
        r.id: r._mapping
        for r in conn.execute(select(DEADLINES).where(DEADLINES.c.case_id == case_id))
    }
    expected = {d.id: deadline_columns(path, case_id, d) for d in case.deadlines}
    for missing in sorted(expected.keys() - rows.keys()):
        yield Finding(case_id, "deadline", f"deadline {missing} has no row")
    for extra in sorted(rows.keys() - expected.keys()):
        yield Finding(case_id, "deadline", f"deadline row {extra} is not in the history")
    for deadline_id in sorted(expected.keys() & rows.keys()):
        for name, value in expected[deadline_id].items():
            if _value(rows[deadline_id][name]) != _value(value):
                yield Finding(case_id, "deadline", f"deadline {deadline_id}: {name} differs")


def _version_content(row: Any) -> tuple[Any, ...]:
    return tuple(_value(row[name]) for name in _VERSION_FIELDS)


def _versions(conn: Connection, case_id: str, states: States) -> Iterator[Finding]:
    """Each deadline's versions against the states its history gave it: one version per
    save that touched it, recorded from that save's moment (the event's ``recorded_at``)
    with the deadline as the save left it, each closed when the next one starts, the
    last one open."""
    t = DEADLINE_VERSIONS
    stored: dict[str, list[Any]] = {}
    query = select(t).where(t.c.case_id == case_id).order_by(t.c.recorded_from, t.c.id)
    for r in conn.execute(query):
        stored.setdefault(r.deadline_id, []).append(r._mapping)
    for extra in sorted(stored.keys() - states.keys()):
        yield Finding(case_id, "deadline-version", f"versions of {extra} are not in the history")
    for deadline_id in sorted(states):
        problem = _version_problem(states[deadline_id], stored.get(deadline_id, []))
        if problem is not None:
            yield Finding(case_id, "deadline-version", f"deadline {deadline_id}: {problem}")


def _version_problem(
    expected: list[tuple[datetime, tuple[Any, ...]]], versions: list[Any]
) -> str | None:
    if not versions:
        return "no version recorded"
    moments = [moment for moment, _ in expected]
    first = versions[0]
    start = first["recorded_from"]
    if start in moments:
        if start != moments[0]:
            return f"the versions before {start.isoformat()} are missing"
        skip = 0
    else:
        # A version backfilled by migration 0002: the state as of its moment.
        skip = sum(1 for moment in moments if moment <= start)
        if skip == 0 or _version_content(first) != expected[skip - 1][1]:
            return f"version {first['id']} is no state the history gave it"
        versions = versions[1:]
    rest = expected[skip:]
    if len(versions) != len(rest):
        return f"{len(versions)} versions where the history has {len(rest)} changes"
    for version, (moment, content) in zip(versions, rest, strict=True):
        if version["recorded_from"] != moment or _version_content(version) != content:
            return f"version {version['id']} differs from the history"
    chain = versions if skip == 0 else [first, *versions]
    for before, after in pairwise(chain):
        if before["recorded_to"] != after["recorded_from"]:
            return f"version {before['id']} does not end where the next one starts"
    if chain[-1]["recorded_to"] is not None:
        return "the current version is closed"
    return None


def _supervision(conn: Connection, case_id: str, case: Case, path: Path) -> Iterator[Finding]:
    t = SUPERVISION_ITEMS
    rows = {r.id: r._mapping for r in conn.execute(select(t).where(t.c.case_id == case_id))}
    expected = {item["id"]: supervision_row(path, case_id, item) for item in case.supervision}
    for missing in sorted(expected.keys() - rows.keys()):
        yield Finding(case_id, "supervision", f"supervision item {missing} has no row")
    for extra in sorted(rows.keys() - expected.keys()):
        yield Finding(case_id, "supervision", f"supervision row {extra} is not in the history")
    for item_id in sorted(expected.keys() & rows.keys()):
        for name, value in expected[item_id].items():
            if _value(rows[item_id][name]) != _value(value):
                yield Finding(case_id, "supervision", f"supervision item {item_id}: {name} differs")


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _timers(conn: Connection, case_id: str, case: Case, warning_days: int) -> Iterator[Finding]:
    rows = {
        r.id: r._mapping for r in conn.execute(select(TIMERS).where(TIMERS.c.case_id == case_id))
    }
    plans = {p.id: p for d in case.deadlines for p in plan_timers(case_id, d, warning_days)}
    for timer_id, plan in sorted(plans.items()):
        row = rows.get(timer_id)
        if row is None:
            yield Finding(case_id, "timer", f"planned timer {timer_id} has no row")
        elif row["status"] not in _ARMED:
            # Its deadline still runs, so it cannot have fired or been cancelled.
            yield Finding(case_id, "timer", f"planned timer {timer_id} is {row['status']}")
        elif row["due_at"] != plan.due_at or row["kind"] != plan.kind:
            yield Finding(case_id, "timer", f"timer {timer_id} differs from its plan")
    for timer_id, row in sorted(rows.items()):
        if row["status"] == "pending" and timer_id not in plans:
            yield Finding(case_id, "timer", f"pending timer {timer_id} is not planned")


def _personal(conn: Connection, case_id: str, registration: dict[str, Any]) -> Iterator[Finding]:
    recorded = {p["ref"]: p["digest"] for p in registration.get("petitioners", [])}
    rows = {
        r.ref: r._mapping
        for r in conn.execute(select(PERSONAL).where(PERSONAL.c.case_id == case_id))
    }
    for ref in sorted(recorded.keys() ^ rows.keys()):
        yield Finding(case_id, "personal-data", f"petitioner {ref} is missing or extra")
    for ref in sorted(recorded.keys() & rows.keys()):
        row = rows[ref]
        if row["digest"] != recorded[ref]:
            yield Finding(case_id, "personal-data", f"petitioner {ref}: digest replaced")
        elif row["data"] is not None and personal_digest(row["salt"], row["data"]) != recorded[ref]:
            yield Finding(case_id, "personal-data", f"petitioner {ref}: data altered")
