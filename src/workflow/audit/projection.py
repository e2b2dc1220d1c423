"""Auditing the projections against the events: what the hash chains cannot see.

``workflow.audit.verify`` proves the events and the heads of the case rows. Everything else in
the database is derived from the events and can be edited without touching them: the
case document and its query columns, the deadline and timer rows the sweep and the
supervision lists read, and the personal data kept out of the hashed payload. This
audit recomputes each of them from the events and reports every difference:

- ``doc``: the case document differs from the fold of its events (the replay);
- ``column``: a query column of the case row (state, holder, overdue…) differs from the
  document it was written from;
- ``deadline``: a deadline row is missing, extra, or differs (due day, status…);
- ``timer``: a timer the running deadlines plan is missing, disarmed (marked fired or
  cancelled) or moved; or a pending timer no running deadline plans (invented);
- ``personal-data``: a petitioner's stored data does not hash to the salted digest the
  registration event holds, or a reference is missing or extra.

Reads only; one pass per case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from workflow.adapters.database import Database
from workflow.adapters.repository import CASES, DEADLINES, PERSONAL, TIMERS, load_events
from workflow.domain.case import Case
from workflow.services.engine import Engine
from workflow.services.fold import fold_events
from workflow.services.registration import personal_digest
from workflow.services.timers import plan_timers

# Case row columns copied from the document on every save (the document is the truth).
_COLUMNS = ("number", "state", "version", "channel", "intake_unit", "holder_unit", "overdue")
# A timer the sweep gave up on after its retries stays visible as failed, still armed.
_ARMED = ("pending", "failed")
_DEADLINE_FIELDS = ("rule", "kind", "responsible_unit", "due_on", "status", "met_on")


@dataclass(frozen=True)
class Finding:
    case_id: str
    kind: str
    detail: str


def audit_projections(db: Database, engine: Engine) -> list[Finding]:
    findings: list[Finding] = []
    with db.read() as conn:
        ids = list(conn.execute(select(CASES.c.id).order_by(CASES.c.id)).scalars())
        for case_id in ids:
            findings += list(_audit_case(conn, engine, case_id))
    return findings


def _audit_case(conn: Connection, engine: Engine, case_id: str) -> Iterator[Finding]:
    row = conn.execute(select(CASES).where(CASES.c.id == case_id)).one()._mapping
    events = load_events(conn, case_id)
    folded = fold_events(engine.machine, events)
    if folded is None:
        yield Finding(case_id, "doc", "a case row without events")
        return
    if folded.to_doc() != row["doc"]:
        yield Finding(case_id, "doc", "the case document differs from its replay")
    stored = Case.from_doc(row["doc"])
    for column in _COLUMNS:
        if row[column] != getattr(stored, column):
            yield Finding(case_id, "column", f"cases.{column} differs from the document")
    yield from _deadlines(conn, case_id, folded)
    yield from _timers(conn, case_id, folded, engine.settings.warning_days)
    yield from _personal(conn, case_id, events[0].payload)


def _deadlines(conn: Connection, case_id: str, case: Case) -> Iterator[Finding]:
    rows = {
        r.id: r._mapping
        for r in conn.execute(select(DEADLINES).where(DEADLINES.c.case_id == case_id))
    }
    expected = {d.id: d for d in case.deadlines}
    for missing in sorted(expected.keys() - rows.keys()):
        yield Finding(case_id, "deadline", f"deadline {missing} has no row")
    for extra in sorted(rows.keys() - expected.keys()):
        yield Finding(case_id, "deadline", f"deadline row {extra} is not in the history")
    for deadline_id in sorted(expected.keys() & rows.keys()):
        for name in _DEADLINE_FIELDS:
            if _value(rows[deadline_id][name]) != _value(getattr(expected[deadline_id], name)):
                yield Finding(case_id, "deadline", f"deadline {deadline_id}: {name} differs")


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
