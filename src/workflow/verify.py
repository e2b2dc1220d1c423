"""Verifying every hash chain: recompute each event's hash and check the prev links.

Shared by ``GET /v1/audit/verify`` and any command-line check; reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workflow.adapters.database import Database
from workflow.adapters.repository import EVENTS, event_from_row
from workflow.domain.events import GENESIS


@dataclass(frozen=True)
class BrokenLink:
    case_id: str
    seq: int
    reason: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    cases: int
    events: int
    first_broken: BrokenLink | None


def verify_chains(db: Database) -> Verification:
    """Walk every case's events in seq order; stop at the first broken link."""
    cases = 0
    count = 0
    current: str | None = None
    prev_hash = GENESIS
    expected_seq = 1
    query = select(EVENTS).order_by(EVENTS.c.case_id, EVENTS.c.seq)
    with db.read() as conn:
        for row in conn.execute(query):
            event = event_from_row(row._mapping)
            if event.case_id != current:
                current, prev_hash, expected_seq = event.case_id, GENESIS, 1
                cases += 1
            count += 1
            reason = _check(event.seq, expected_seq, event.prev_hash, prev_hash)
            if reason is None and event.computed_hash() != event.hash:
                reason = "hash does not match the event's content"
            if reason is not None:
                return Verification(
                    False, cases, count, BrokenLink(event.case_id, event.seq, reason)
                )
            prev_hash, expected_seq = event.hash, expected_seq + 1
    return Verification(True, cases, count, None)


def _check(seq: int, expected_seq: int, prev_hash: str, expected_prev: str) -> str | None:
    if seq != expected_seq:
        return f"sequence gap: expected seq {expected_seq}"
    if prev_hash != expected_prev:
        return "prev_hash does not link to the previous event"
    return None
