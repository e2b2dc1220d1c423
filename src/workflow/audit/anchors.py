"""Anchors: a daily root hash over every case's chain head, chained day to day.

Each case's events form a SHA-256 chain, so the hash of a case's last event commits to
its whole history. But a chain alone cannot show that a whole case, or the last events
of a case, were deleted: what is left still links. An anchor closes that gap for
everything recorded up to a cutoff (the end of a day in Asia/Shanghai):

* ``heads``: for every case whose head changed since the previous anchor, the head as of
  the cutoff (case id, seq, hash), sorted by case id. The head as of a cutoff is the
  event with the highest seq among those recorded at or before it.
* ``root``: SHA-256 over the previous anchor's root, the day, the cutoff, the running
  totals and these heads. Each root therefore commits to every head of every case as of
  its cutoff, and to every earlier anchor.

Anchors are computed after the fact, never on the write path: a global chain extended
on every insert would have to serialise every writer on PostgreSQL. An anchor is only
made for a cutoff at least ``grace`` in the past, so every transaction that took its
time before the cutoff has committed (a command's transaction lasts milliseconds).

What anchors detect, when the log is verified against them (``workflow.audit.verify``):
deleting a case or any of its events recorded before an anchored cutoff, inserting or
back-dating events before it, rewriting a case's history even with recomputed hashes,
and reordering. What they do not detect: changes to events recorded after the newest
anchor (only the per-case chain and the projection cross-check in ``workflow.audit.verify``
guard those; anchor daily to keep the window small), and a rewrite of the log together
with the ``anchors`` table itself. Against the last one, export the anchors
(``petitionflow anchors export``) to a copy held elsewhere and verify against that
copy (``petitionflow verify --anchors FILE``): the log must still reproduce it.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from rules.time import end_of_day, local_date
from workflow.adapters import tables  # noqa: F401  (registers the tables)
from workflow.adapters.database import Database
from workflow.domain.events import GENESIS, canonical_json, canonical_text, canonical_time

_T = SQLModel.metadata.tables
ANCHORS: Table = _T["anchors"]
EVENTS: Table = _T["events"]
DEFAULT_GRACE = timedelta(minutes=10)

Head = tuple[str, int, str]  # case id, seq, hash
Head3 = tuple[int, int, str]  # anchor index, seq, hash


@dataclass(frozen=True)
class Anchor:
    day: date
    cutoff: str  # canonical UTC time: compares as text in time order
    cases: int
    events: int
    heads: tuple[Head, ...]
    prev: str
    root: str

    def computed_root(self) -> str:
        return anchor_root(self.prev, self.day, self.cutoff, self.cases, self.events, self.heads)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "cutoff": self.cutoff,
            "cases": self.cases,
            "events": self.events,
            "heads": [list(h) for h in self.heads],
            "prev": self.prev,
            "root": self.root,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Anchor:
        return cls(
            day=date.fromisoformat(doc["day"]),
            cutoff=str(doc["cutoff"]),
            cases=int(doc["cases"]),
            events=int(doc["events"]),
            heads=tuple((str(c), int(s), str(h)) for c, s, h in doc["heads"]),
            prev=str(doc["prev"]),
            root=str(doc["root"]),
        )


def anchor_root(
    prev: str, day: date, cutoff: str, cases: int, events: int, heads: Iterable[Head]
) -> str:
    body = {
        "prev": prev,
        "day": day.isoformat(),
        "cutoff": cutoff,
        "cases": cases,
        "events": events,
        "heads": [list(h) for h in heads],
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def head_changes(events: Sequence[tuple[int, str, str]], cutoffs: Sequence[str]) -> list[Head3]:
    """Where one case's head changes across the cutoffs: ``(anchor index, seq, hash)``.

    ``events`` are ``(seq, recorded_at, hash)`` with canonical times; the head as of a
    cutoff is the highest seq recorded at or before it. Events after the last cutoff
    change nothing here.
    """
    ordered = sorted(events, key=lambda e: (e[1], e[0]))
    out: list[Head3] = []
    best: tuple[int, str] | None = None
    i, n, last = 0, len(ordered), len(cutoffs)
    while i < n:
        k = bisect_left(cutoffs, ordered[i][1])
        if k == last:
            break
        bound = cutoffs[k]
        before = best
        while i < n and ordered[i][1] <= bound:
            seq, _, digest = ordered[i]
            if best is None or seq > best[0]:
                best = (seq, digest)
            i += 1
        if best is not None and best != before:
            out.append((k, best[0], best[1]))
    return out


@dataclass
class AnchorCheck:
    """Streams a log, case by case in id order, against one list of anchors.

    ``expected`` is every anchored head as ``(case id, anchor index, seq, hash)`` sorted
    by case then anchor, so each case's expectations are one contiguous run.
    """

    name: str
    anchors: list[Anchor]
    cutoffs: list[str] = field(init=False)
    expected: list[tuple[str, int, int, str]] = field(init=False)
    position: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.cutoffs = [a.cutoff for a in self.anchors]
        self.expected = sorted(
            (case_id, k, seq, digest)
            for k, a in enumerate(self.anchors)
            for case_id, seq, digest in a.heads
        )

    def _day(self, k: int) -> str:
        return self.anchors[k].day.isoformat()

    def missing_before(self, case_id: str | None) -> tuple[str, int, str] | None:
        """An anchored case that sorts before ``case_id`` (None: the end) is gone."""
        if self.position < len(self.expected):
            found, k, seq, _ = self.expected[self.position]
            if case_id is None or found < case_id:
                return (
                    found,
                    seq,
                    f"case missing from the log: the {self.name} anchor of {self._day(k)} "
                    f"holds it at seq {seq}",
                )
        return None

    def check_case(
        self, case_id: str, events: Sequence[tuple[int, str, str]]
    ) -> tuple[str, int, str] | None:
        changes = head_changes(events, self.cutoffs) if self.cutoffs else []
        start = self.position
        end = start
        while end < len(self.expected) and self.expected[end][0] == case_id:
            end += 1
        self.position = end
        anchored = [(k, seq, digest) for _, k, seq, digest in self.expected[start:end]]
        if anchored == changes:
            return None
        for want, got in zip(anchored, changes, strict=False):
            if want != got:
                k, seq, _ = want
                if got[0] == k and got[1] < seq:
                    return (
                        case_id,
                        got[1],
                        f"the {self.name} anchor of {self._day(k)} holds seq {seq}, the log "
                        f"ends at seq {got[1]} before its cutoff: events were deleted",
                    )
                return (
                    case_id,
                    min(seq, got[1]),
                    f"the {self.name} anchor of {self._day(k)} holds seq {seq} with another "
                    "hash or position: the history before its cutoff changed",
                )
        if len(anchored) > len(changes):
            k, seq, _ = anchored[len(changes)]
            return (
                case_id,
                seq,
                f"the {self.name} anchor of {self._day(k)} holds seq {seq}, the log no longer "
                "reaches it: events before its cutoff were deleted",
            )
        k, seq, _ = changes[len(anchored)]
        return (
            case_id,
            seq,
            f"seq {seq} is recorded before the cutoff of the {self.name} anchor of "
            f"{self._day(k)}, which does not hold it: inserted or back-dated after anchoring",
        )


def chain_problem(anchors: Sequence[Anchor]) -> str | None:
    """The anchors themselves: each root recomputes and links to the one before."""
    prev = GENESIS
    for a in anchors:
        if a.prev != prev:
            return f"anchor of {a.day} does not link to the anchor before it"
        if a.computed_root() != a.root:
            return f"anchor of {a.day} does not match its own root hash"
        prev = a.root
    return None


def _from_row(row: Any) -> Anchor:
    return Anchor(
        day=row["day"],
        cutoff=canonical_time(row["cutoff"]),
        cases=row["cases"],
        events=row["events"],
        heads=tuple((c, s, h) for c, s, h in row["heads"]),
        prev=row["prev"],
        root=row["root"],
    )


def stored(conn: Connection) -> list[Anchor]:
    rows = conn.execute(select(ANCHORS).order_by(ANCHORS.c.day))
    return [_from_row(r._mapping) for r in rows]


def load_file(path: Path) -> list[Anchor]:
    """A JSON-lines export, one anchor per line, oldest first."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Anchor.from_json(json.loads(line)) for line in lines if line.strip()]


def export(db: Database, out_dir: Path) -> Path | None:
    """Write every stored anchor to ``anchors-<last day>.jsonl`` in ``out_dir``."""
    with db.read() as conn:
        anchors = stored(conn)
    if not anchors:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"anchors-{anchors[-1].day.isoformat()}.jsonl"
    text = "".join(canonical_text(a.to_json()) + "\n" for a in anchors)
    path.write_text(text, encoding="utf-8")
    return path


def _case_events(conn: Connection, case_ids: list[str]) -> dict[str, list[tuple[int, str, str]]]:
    out: dict[str, list[tuple[int, str, str]]] = {}
    query = select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.recorded_at, EVENTS.c.hash)
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        for case_id, seq, recorded_at, digest in conn.execute(
            query.where(EVENTS.c.case_id.in_(chunk))
        ):
            out.setdefault(case_id, []).append((seq, canonical_time(recorded_at), digest))
    return out


def create_due(db: Database, now: datetime, *, grace: timedelta = DEFAULT_GRACE) -> list[Anchor]:
    """Anchor every whole day that ended at least ``grace`` before ``now`` and has none.

    Safe to run from several processes: a day anchored twice violates the unique day and
    the loser's transaction writes nothing.
    """
    try:
        with db.write() as conn:
            return _create_due(conn, now, now - grace)
    except IntegrityError:
        return []


def _create_due(conn: Connection, now: datetime, until: datetime) -> list[Anchor]:
    previous = conn.execute(select(ANCHORS).order_by(ANCHORS.c.day.desc()).limit(1)).one_or_none()
    last = _from_row(previous._mapping) if previous is not None else None
    days = _days_due(conn, last, until)
    if not days:
        return []
    made = _anchors(conn, last, days)
    conn.execute(
        insert(ANCHORS),
        [
            {
                "day": a.day,
                "cutoff": end_of_day(a.day),
                "cases": a.cases,
                "events": a.events,
                "heads": [list(h) for h in a.heads],
                "prev": a.prev,
                "root": a.root,
                "created_at": now,
            }
            for a in made
        ],
    )
    return made


def _days_due(conn: Connection, last: Anchor | None, until: datetime) -> list[date]:
    """The whole days after the last anchor (or from the first event) ended by ``until``."""
    if last is not None:
        day = last.day + timedelta(days=1)
    else:
        earliest = conn.execute(
            select(EVENTS.c.recorded_at).order_by(EVENTS.c.recorded_at).limit(1)
        ).scalar_one_or_none()
        if earliest is None:
            return []
        day = local_date(earliest)
    days: list[date] = []
    while end_of_day(day) <= until:
        days.append(day)
        day += timedelta(days=1)
    return days


def _anchors(conn: Connection, last: Anchor | None, days: list[date]) -> list[Anchor]:
    """One anchor per day, chained to ``last``, over the heads that moved since it."""
    cutoffs = [canonical_time(end_of_day(d)) for d in days]
    touched_query = select(EVENTS.c.case_id).distinct()
    touched_query = touched_query.where(EVENTS.c.recorded_at <= end_of_day(days[-1]))
    if last is not None:
        touched_query = touched_query.where(EVENTS.c.recorded_at > end_of_day(last.day))
    touched = sorted(conn.execute(touched_query).scalars())
    history = _case_events(conn, touched)
    base = [last.cutoff] if last is not None else []
    offset = len(base)
    heads: list[list[Head]] = [[] for _ in days]
    new_cases = [0] * len(days)
    new_events = [0] * len(days)
    for case_id in touched:
        changes = head_changes(history.get(case_id, []), base + cutoffs)
        previous_seq = 0
        for k, seq, digest in changes:
            if k < offset:
                previous_seq = seq
                continue
            index = k - offset
            heads[index].append((case_id, seq, digest))
            if previous_seq == 0:
                new_cases[index] += 1
            new_events[index] += seq - previous_seq
            previous_seq = seq
    made: list[Anchor] = []
    prev_root = last.root if last is not None else GENESIS
    cases = last.cases if last is not None else 0
    events = last.events if last is not None else 0
    for index, day in enumerate(days):
        cases += new_cases[index]
        events += new_events[index]
        row_heads = tuple(heads[index])
        root = anchor_root(prev_root, day, cutoffs[index], cases, events, row_heads)
        made.append(Anchor(day, cutoffs[index], cases, events, row_heads, prev_root, root))
        prev_root = root
    return made
