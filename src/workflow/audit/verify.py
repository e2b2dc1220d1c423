"""Verifying the log: every case's hash chain, the projection's heads, and the anchors.

Shared by ``GET /v1/audit/verify`` and ``petitionflow verify``; reads only, in one
snapshot. Four checks, in one pass over the events in (case, seq) order:

1. Each case's chain: seq runs 1, 2, 3, ...; each ``prev_hash`` is the hash of the event
   before (GENESIS for the first); each hash recomputes from the event's content. This
   detects an edited field, a deleted or inserted event in the middle, and reordering.
2. The projection cross-check: every case row's ``version`` and ``last_hash`` equal its
   chain's last event, and every chain has a case row and vice versa. This detects
   deleting a case's last events, or a case's events without its row, even after the
   newest anchor, unless the attacker rewrites the ``cases`` row consistently too.
3. Anchors (``workflow.audit.anchors``): the log must reproduce every stored anchor and, when
   given, every anchor of an exported copy. This detects deleting a whole case (events
   and row) or its last events, and rewriting a history with recomputed hashes, for
   everything recorded before the newest anchor's cutoff.

4. The two event columns outside the hash, checked against what is hashed:

   - ``timer_id`` (the sweep's once-only key: a unique column, so a timer's event can
     never be recorded twice) must be the id of the timer whose firing the event records,
     derived from its hashed payload as ``workflow.services.timers.plan_timers`` names
     timers (``{deadline_id}:{kind}:{day}``); an event of a timer type
     (``deadline_warned``, ``deadline_breached``, ``deadline_lapsed``, ``window_lapsed``)
     must carry one and no other event may. It is not put into the hashed body: that
     would change the hash of every event recorded so far, so stored events would need
     a second, versioned hashing rule; the id is a function of the hashed payload, so
     checking it against the payload detects the same edits without one.
   - ``commit_seq`` (the change feed's order, ``workflow.adapters.commit_order``) must be
     set, never fall from one seq of a matter to the next (a later command commits later;
     one transaction's events share a number) and never exceed the feed's counter. It
     cannot be hashed: it is assigned at commit, after the event is sealed and chained.

Limits. Not detected: a consistent rewrite of events, case rows and the ``anchors``
table of everything after the newest anchor held elsewhere; an unkeyed hash chain cannot
prove more than the last copy taken out of reach of whoever rewrote it. Renumbering the
``commit_seq`` of different matters against each other while keeping each matter's own
order and the counter bound goes unseen: it changes only how the feed interleaves
matters, never any matter's history (its order is the hashed seq); anchors do not cover
commit numbers. A timer event recorded before its payload named the due instant
(``due_at``) is checked on its deadline and kind only.

Speed: JSON columns are stored in the canonical form that is hashed (see
``workflow.adapters.database``), so each event's hashed bytes are assembled from its
raw stored text without decoding and re-encoding the payload. A row whose stored text is
not canonical (written before that, or edited by hand) takes the slow path: decoded and
re-encoded; only if that also fails to match is the link broken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Connection, select

from rules.time import local_date
from workflow.adapters.commit_order import COUNTER
from workflow.adapters.database import Database
from workflow.adapters.repository import CASES, COUNTERS, EVENTS, event_from_row
from workflow.audit import anchors as anchoring
from workflow.audit.anchors import Anchor, AnchorCheck
from workflow.domain.events import GENESIS
from workflow.services import timers

_BODY = (
    '{"actor":%s,"case_id":%s,"occurred_at":"%s","payload":%s,"prev_hash":%s,'
    '"recorded_at":"%s","seq":%d,"type":%s,"unit":%s}'
)
_COLUMNS = (
    "case_id, seq, type, {occ}, {rec}, actor, unit, {payload}, prev_hash, hash, timer_id,"
    " commit_seq"
)
_SQLITE = "SELECT " + _COLUMNS.format(occ="occurred_at", rec="recorded_at", payload="payload")
_PG_TIME = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_POSTGRES = "SELECT " + _COLUMNS.format(
    occ=_PG_TIME.format("occurred_at"), rec=_PG_TIME.format("recorded_at"), payload="payload::text"
)
_ORDER = " FROM events ORDER BY case_id, seq"
_BATCH = 20_000


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
    anchors: int = 0
    anchored_until: str | None = None
    anchor_sets: tuple[str, ...] = field(default_factory=tuple)


class _Broken(Exception):
    def __init__(self, link: BrokenLink) -> None:
        self.link = link


def verify_log(db: Database, *, exported: Sequence[Anchor] | None = None) -> Verification:
    """Walk every case's events in seq order; stop at the first broken link."""
    with _snapshot(db) as conn:
        sets = [("stored", anchoring.stored(conn))]
        if exported is not None:
            sets.append(("exported", list(exported)))
        state = _Walk(conn, sets)
        try:
            state.run(conn, db.is_sqlite)
        except _Broken as broken:
            return state.result(broken.link)
    return state.result(None)


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read snapshot for the case rows and the events (REPEATABLE READ on PostgreSQL,
    where READ COMMITTED would let a case committed between the two reads look broken)."""
    options = {} if db.is_sqlite else {"isolation_level": "REPEATABLE READ"}
    with db.reader.connect().execution_options(**options) as conn, conn.begin():
        yield conn


class _Walk:
    def __init__(self, conn: Connection, sets: list[tuple[str, list[Anchor]]]) -> None:
        self.checks = [AnchorCheck(name, found) for name, found in sets]
        self.early: BrokenLink | None = None
        for name, found in sets:
            problem = anchoring.chain_problem(found)
            if problem is not None:
                self.early = BrokenLink("", 0, f"{name} anchors: {problem}")
                break
        self.anchor_count = sum(len(found) for _, found in sets)
        newest = [found[-1].day.isoformat() for _, found in sets if found]
        self.anchored_until = max(newest) if newest else None
        self.set_names = tuple(name for name, found in sets if found)
        rows = conn.execute(select(CASES.c.id, CASES.c.version, CASES.c.last_hash))
        self.projection: dict[str, tuple[int, str]] = {r[0]: (r[1], r[2]) for r in rows}
        counter = select(COUNTERS.c.value).where(COUNTERS.c.name == COUNTER)
        self.committed: int = conn.execute(counter).scalar() or 0
        self.cases = 0
        self.events = 0

    def result(self, broken: BrokenLink | None) -> Verification:
        return Verification(
            ok=broken is None,
            cases=self.cases,
            events=self.events,
            first_broken=broken,
            anchors=self.anchor_count,
            anchored_until=self.anchored_until,
            anchor_sets=self.set_names,
        )

    def run(self, conn: Connection, is_sqlite: bool) -> None:
        if self.early is not None:
            raise _Broken(self.early)
        sha256 = hashlib.sha256
        enc = encode_basestring
        body = _BODY
        current: str | None = None
        prev_hash = GENESIS
        expected_seq = 1
        heads: list[tuple[int, str, str]] = []
        committed = self.committed
        last_commit = 0
        for (
            case_id,
            seq,
            typ,
            occ,
            rec,
            actor,
            unit,
            payload,
            prev,
            digest,
            timer_id,
            commit_seq,
        ) in _raw_rows(conn, is_sqlite):
            if case_id != current:
                if current is not None:
                    self._end_case(current, expected_seq - 1, prev_hash, heads)
                self._before_case(case_id)
                current, prev_hash, expected_seq, heads = case_id, GENESIS, 1, []
                last_commit = 0
                self.cases += 1
            self.events += 1
            if is_sqlite:
                occ = f"{occ[:10]}T{occ[11:]}Z"
                rec = f"{rec[:10]}T{rec[11:]}Z"
            if seq != expected_seq:
                raise _Broken(
                    BrokenLink(case_id, seq, f"sequence gap: expected seq {expected_seq}")
                )
            if prev != prev_hash:
                raise _Broken(
                    BrokenLink(case_id, seq, "prev_hash does not link to the previous event")
                )
            text = body % (
                enc(actor),
                enc(case_id),
                occ,
                payload,
                enc(prev),
                rec,
                seq,
                enc(typ),
                enc(unit),
            )
            if sha256(text.encode()).hexdigest() != digest and not _slow_match(conn, case_id, seq):
                raise _Broken(BrokenLink(case_id, seq, "hash does not match the event's content"))
            if timer_id is not None or typ in _TIMER_TYPES:
                problem = timer_id_problem(typ, payload, timer_id)
                if problem is not None:
                    raise _Broken(BrokenLink(case_id, seq, problem))
            if commit_seq is None or not last_commit <= commit_seq <= committed:
                raise _Broken(BrokenLink(case_id, seq, _commit_problem(commit_seq, last_commit)))
            last_commit = commit_seq
            if self.checks:
                heads.append((seq, rec, digest))
            prev_hash, expected_seq = digest, expected_seq + 1
        if current is not None:
            self._end_case(current, expected_seq - 1, prev_hash, heads)
        self._before_case(None)
        if self.projection:
            orphan = min(self.projection)
            version = self.projection[orphan][0]
            raise _Broken(
                BrokenLink(orphan, version, "the case has no events: its history was deleted")
            )

    def _before_case(self, case_id: str | None) -> None:
        for check in self.checks:
            missing = check.missing_before(case_id)
            if missing is not None:
                raise _Broken(BrokenLink(*missing))

    def _end_case(
        self, case_id: str, last_seq: int, last_hash: str, heads: list[tuple[int, str, str]]
    ) -> None:
        row = self.projection.pop(case_id, None)
        if row is None:
            raise _Broken(
                BrokenLink(case_id, last_seq, "events without a case: the case row was deleted")
            )
        version, projected_hash = row
        if version != last_seq or projected_hash != last_hash:
            raise _Broken(
                BrokenLink(
                    case_id,
                    min(version, last_seq + 1),
                    f"the case is at version {version} but its log ends at seq {last_seq}"
                    if version != last_seq
                    else "the case's last hash is not its last event's hash",
                )
            )
        for check in self.checks:
            problem = check.check_case(case_id, heads)
            if problem is not None:
                raise _Broken(BrokenLink(*problem))


# The events a firing timer records (workflow.services.timer_events), each keyed by it.
_TIMER_TYPES = frozenset(
    {"deadline_warned", "deadline_breached", "deadline_lapsed", "window_lapsed"}
)


def timer_id_problem(typ: str, payload: Any, timer_id: str | None) -> str | None:
    """Why an event's ``timer_id`` is not the one its hashed content names (None if it
    is); ``payload`` as stored (JSON text, or decoded)."""
    if typ not in _TIMER_TYPES:
        return "a timer id on an event no timer records"
    if timer_id is None:
        return "a timer's event without its timer id"
    try:
        body = json.loads(payload) if isinstance(payload, str) else payload
    except ValueError:
        return "a timer's event whose payload is not JSON"
    named = expected_timer_id(typ, body)
    if named is None:
        return "a timer's event whose payload names no deadline"
    prefix, full = named
    if full is not None and timer_id != full:
        return f"timer id {timer_id} is not the timer the event records ({full})"
    if full is None and not timer_id.startswith(prefix):
        return f"timer id {timer_id} is not a timer of {prefix.rstrip(':')}"
    return None


def expected_timer_id(typ: str, payload: dict[str, Any]) -> tuple[str, str | None] | None:
    """(``{deadline_id}:{kind}:``, the full id or None when the payload does not name
    its day) of the timer whose firing recorded a timer event, as ``plan_timers`` names
    it: a warning's and a breach's day is the deadline's due day, a lapse's the last
    day of the window (the day before the 24:00 it fired at)."""
    fields = payload.get("fields", {}) if typ == "window_lapsed" else payload
    deadline_id = fields.get("deadline_id")
    kind = "lapse" if typ == "window_lapsed" else payload.get("kind")
    if not isinstance(deadline_id, str) or not isinstance(kind, str):
        return None
    prefix = timers.timer_id(deadline_id, kind, "")
    day: str | None = None
    if kind in ("warning", "breach") and isinstance(fields.get("due_on"), str):
        day = fields["due_on"]
    elif kind == "lapse" and isinstance(fields.get("due_at"), str):
        try:
            due_at = datetime.fromisoformat(fields["due_at"])
        except ValueError:
            return None  # reported as a payload that names no timer, never a 500
        day = (local_date(due_at) - timedelta(days=1)).isoformat()
    return prefix, (timers.timer_id(deadline_id, kind, day) if day is not None else None)


def _commit_problem(commit_seq: int | None, last: int) -> str:
    if commit_seq is None:
        return "the event has no commit number: it is not in the change feed"
    if commit_seq < last:
        return f"commit number {commit_seq} is below the matter's previous event's ({last})"
    return f"commit number {commit_seq} is beyond every commit the feed has numbered"


def _raw_rows(conn: Connection, is_sqlite: bool) -> Iterator[Any]:
    """Rows as the driver gives them: no type processing, streamed in batches."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if is_sqlite:
        cursor = raw.cursor()
        cursor.execute(_SQLITE + _ORDER)
    else:
        cursor = raw.cursor(name="verify_events")  # server-side: never the whole log in memory
        cursor.execute(_POSTGRES + _ORDER)
    try:
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    finally:
        cursor.close()


def _slow_match(conn: Connection, case_id: str, seq: int) -> bool:
    """Decode the row through the column types and hash its canonical encoding."""
    row = conn.execute(select(EVENTS).where(EVENTS.c.case_id == case_id, EVENTS.c.seq == seq)).one()
    event = event_from_row(row._mapping)
    return event.computed_hash() == event.hash
