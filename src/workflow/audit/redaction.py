"""Redaction (个人信息删除): erase a matter's personal data and record that it was done.

The hashed events hold only a reference and a salted digest per petitioner
(``workflow.services.registration``), so erasing ``personal_data.data`` breaks no chain.
The erasure itself is an event (``personal_data_redacted``, no trigger: the fold changes
no state) appended through the normal save path in the same transaction, so the chain,
the projection and the table agree.

Every copy goes in the same transaction (issue 22, F2): the data (SQL NULL) and its
salt (emptied: the event's digest stays, the chain needs it, but nothing can be checked
against it any more), the query code's digest, and the keyed digests of the ID numbers
that find repeat petitions (``petitioner_keys``: a later petition by the same person no
longer links to this matter). Stored idempotent responses hold no personal data
(``api.idempotency``: petitioners as refs, filled in from ``personal_data`` on replay),
so a replay after the redaction shows the petitioners redacted. What stays is the
matter's record (subject, content, opinions as typed) and the names of the officials
who acted: ``tests/reliability/test_redaction_everywhere.py`` classifies every column.

Retention (``before``): matters in a final state whose last event occurred before the
given day; a matter still being handled keeps its petitioners' contact data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, delete, null, select, update

from rules.time import start_of_day
from workflow.adapters import repository as repo
from workflow.commands.record import record
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.domain.errors import InvalidCommand, NotFound
from workflow.runtime.bootstrap import Container

EVENT_TYPE = "personal_data_redacted"


@dataclass(frozen=True)
class Redacted:
    case_id: str
    refs: list[str]
    seq: int


def redact(
    c: Container,
    actor: Actor,
    reason: str,
    *,
    case_id: str | None = None,
    before: date | None = None,
) -> list[Redacted]:
    """One matter (``case_id``) or every finished one last touched before ``before``:
    exactly one of them; the matters whose data was erased (none left: not listed)."""
    if (case_id is None) == (before is None):
        raise InvalidCommand("give exactly one of case_id or before", field="case_id")
    if case_id is not None:
        one = redact_case(c, case_id, actor, reason)
        return [one] if one is not None else []
    assert before is not None
    return redact_before(c, before, actor, reason)


def redact_case(c: Container, case_id: str, actor: Actor, reason: str) -> Redacted | None:
    """Erase one matter's personal data; None when there was nothing left to erase."""
    with c.db.write() as conn:
        case = repo.load_case(conn, case_id)
        if case is None:
            raise NotFound(f"no petition {case_id}")
        return _redact(c, conn, case, actor, reason)


def redact_before(c: Container, before: date, actor: Actor, reason: str) -> list[Redacted]:
    """Erase the personal data of every finished matter whose last event is before ``before``."""
    finals = list(c.chart.final_states)
    with c.db.read() as conn:
        candidates = list(
            conn.execute(
                select(repo.CASES.c.id)
                .where(
                    and_(
                        repo.CASES.c.state.in_(finals),
                        repo.CASES.c.last_occurred_at < start_of_day(before),
                        repo.CASES.c.id.in_(
                            select(repo.PERSONAL.c.case_id).where(
                                repo.PERSONAL.c.redacted_at.is_(None)
                            )
                        ),
                    )
                )
                .order_by(repo.CASES.c.id)
            ).scalars()
        )
    done = []
    for case_id in candidates:
        result = redact_case(c, case_id, actor, reason)
        if result is not None:
            done.append(result)
    return done


def _redact(
    c: Container, conn: Connection, case: Case, actor: Actor, reason: str
) -> Redacted | None:
    personal = repo.PERSONAL
    # The query code's digest goes with the personal data: the petitioner's own access
    # to the matter ends when what identifies them is erased.
    conn.execute(delete(repo.QUERY_CODES).where(repo.QUERY_CODES.c.case_id == case.id))
    # The keyed digests of the ID numbers: what links a later petition to this person.
    conn.execute(delete(repo.PETITIONER_KEYS).where(repo.PETITIONER_KEYS.c.case_id == case.id))
    refs = sorted(
        conn.execute(
            select(personal.c.ref).where(
                and_(personal.c.case_id == case.id, personal.c.redacted_at.is_(None))
            )
        ).scalars()
    )
    if not refs:
        return None
    now: datetime = c.clock.now()
    conn.execute(
        update(personal)
        .where(and_(personal.c.case_id == case.id, personal.c.ref.in_(refs)))
        # SQL NULL: no JSON "null" left behind; no salt to test a guess against the digest.
        .values(data=null(), salt="", redacted_at=now)
    )
    event = case.next_event(
        EVENT_TYPE,
        occurred_at=now,
        recorded_at=now,
        actor=actor.sub,
        # Recorded as the system's act: the requesting admin's unit must not become a
        # unit involved in the matter (that would widen who may read it).
        unit="system",
        payload={"refs": refs, "reason": reason},
    )
    record(conn, c.engine, case, event, now)
    return Redacted(case.id, refs, event.seq)
