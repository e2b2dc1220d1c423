"""The engine's own writes, recorded once and replayed for other matters.

The floors of P1 and P4 and the bulk set-up of P4 and P6 need "the same rows the engine
writes". Rather than restating the schema (it grows), one matter is run through the real
engine and every INSERT/UPDATE/DELETE it sends to the database is kept with its
parameters. Replaying a step for another matter swaps the recorded matter's id, number
and hashes for the new ones and recomputes the event hash over the canonical body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bench.common import Raw
from workflow.adapters import prepared
from workflow.adapters.database import column_json
from workflow.domain.events import GENESIS, Event, canonical_json
from workflow.domain.ids import time_ordered_id

_WRITES = {"INSERT", "UPDATE", "DELETE"}


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool


@dataclass
class Step:
    action: str
    statements: list[Statement]
    body: str  # the event's canonical body without prev_hash, recorded ids inside
    hash: str
    prev_hash: str
    doc_param: tuple[int, int | str]  # (statement, parameter) holding the case document

    @classmethod
    def of(cls, action: str, statements: list[Statement], ev: Event) -> Step:
        body = ev.body()
        del body["prev_hash"]
        return cls(
            action,
            statements,
            json.dumps(body, ensure_ascii=False),
            ev.hash,
            ev.prev_hash,
            _doc_param(statements),
        )


@dataclass
class Recording:
    case_id: str
    number: str
    steps: list[Step]


class Recorder:
    """Keeps the writes an SQLAlchemy engine sends while ``capture`` is open."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[Statement] | None = None
        event.listen(engine, "before_cursor_execute", self._keep_core)
        # The hot path's statements go to the driver directly (workflow.adapters.prepared).
        prepared.observers.append(self._keep)

    def _keep_core(self, _c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        self._keep(sql, params, many)

    def _keep(self, sql: str, params: Any, many: bool) -> None:
        if self.seen is not None and sql.lstrip().split(" ", 1)[0].upper() in _WRITES:
            kept = [_plain(p) for p in params] if many else _plain(params)
            self.seen.append(Statement(sql, kept, many))

    @contextmanager
    def capture(self) -> Iterator[list[Statement]]:
        self.seen = kept = []
        try:
            yield kept
        finally:
            self.seen = None

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._keep_core)
        prepared.observers.remove(self._keep)


def _text(value: Any) -> Any:
    """psycopg wraps JSON parameters (``Json(obj, dumps)``); keep the text it would send
    (without ``dumps`` of its own, the connection's: the service's column serializer)."""
    if type(value).__name__ in {"Json", "Jsonb"}:
        dumps = value.dumps or column_json
        return dumps(value.obj)
    return value


def _plain(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: _text(v) for k, v in params.items()}
    return tuple(_text(v) for v in params)


def _doc_param(statements: list[Statement]) -> tuple[int, int | str]:
    for i, st in enumerate(statements):
        if "cases " not in st.sql.split("(")[0] + " " or st.many:
            continue
        keys = st.params.keys() if isinstance(st.params, dict) else range(len(st.params))
        for key in keys:
            value = st.params[key]
            if isinstance(value, str) and value.startswith("{") and '"deadlines"' in value:
                return i, key
    raise RuntimeError("no case document among the recorded writes")


def swap(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in mapping.items():
            if old in value:
                value = value.replace(old, new)
    return value


def swapped(params: Any, mapping: dict[str, str]) -> Any:
    if isinstance(params, dict):
        return {k: swap(v, mapping) for k, v in params.items()}
    return tuple(swap(v, mapping) for v in params)


def event_hash(step: Step, mapping: dict[str, str], prev: str) -> str:
    body = json.loads(swap(step.body, mapping))
    body["prev_hash"] = prev
    return hashlib.sha256(canonical_json(body)).hexdigest()


# A Legality takes the loaded case document (None on register) and the action; it returns
# what to keep beside the document (Spiff's serialised workflow) or raises when illegal.
Legality = Callable[[dict[str, Any] | None, str], str | None]


def new_case_id() -> str:
    """A new matter's id, made as the engine makes one (time-ordered, from now)."""
    return time_ordered_id(datetime.now(UTC))


class Writer:
    """Replays recorded steps for new matters on a plain DB-API connection."""

    def __init__(self, raw: Raw, rec: Recording, legality: Legality) -> None:
        self.raw = raw
        self.rec = rec
        self.legality = legality
        self.load = raw.sql("SELECT doc FROM cases WHERE id = ?")

    def seed_counters(self) -> None:
        """The engine inserts a year's counter once; replays start with it in place."""
        for step in self.rec.steps:
            for st in step.statements:
                if st.sql.startswith("UPDATE counters"):
                    values = st.params.values() if isinstance(st.params, dict) else st.params
                    name = next(v for v in values if str(v).startswith("case-number-"))
                    insert = (
                        "INSERT INTO counters (name, value) SELECT ?, 0 "
                        "WHERE NOT EXISTS (SELECT 1 FROM counters WHERE name = ?)"
                    )
                    self.raw.conn.execute(self.raw.sql(insert), (name, name))

    def matter(self) -> None:
        """A new matter through every recorded step, one transaction per step."""
        case_id = new_case_id()
        number = ""
        prev = GENESIS
        for step in self.rec.steps:
            cur = self.begin()
            number, prev = self.step(cur, step, case_id, number, prev)
            self.commit(cur)

    def begin(self) -> Any:
        cur = self.raw.conn.cursor()
        cur.execute(self.raw.begin)
        return cur

    def commit(self, cur: Any) -> None:
        cur.execute("COMMIT")  # both connections are in autocommit mode: BEGIN/COMMIT by hand
        cur.close()

    def step(
        self, cur: Any, step: Step, case_id: str, number: str, prev: str | None
    ) -> tuple[str, str]:
        """Load, check, hash and write one step; ``prev=None`` takes it from the document."""
        doc: dict[str, Any] | None = None
        if step.action != "register":
            cur.execute(self.load, (case_id,))
            stored = cur.fetchone()[0]  # text on SQLite, already decoded by psycopg
            doc = stored if isinstance(stored, dict) else json.loads(stored)
            if prev is None:
                prev, number = doc["last_hash"], doc["number"]
            if doc["last_hash"] != prev:
                raise RuntimeError("chain broken")
        assert prev is not None
        extra = self.legality(doc, step.action)
        mapping = {self.rec.case_id: case_id, step.prev_hash: prev}
        if number:
            mapping[self.rec.number] = number
        digest = event_hash(step, mapping, prev)
        mapping[step.hash] = digest
        for i, st in enumerate(step.statements):
            if st.many:
                cur.executemany(st.sql, [swapped(p, mapping) for p in st.params])
                continue
            params = swapped(st.params, mapping)
            if extra is not None and i == step.doc_param[0]:
                params = _with_extra(params, step.doc_param[1], extra)
            cur.execute(st.sql, params)
            if st.sql.startswith("UPDATE counters"):
                number = f"{self.rec.number[:6]}{cur.fetchone()[0]:08d}"
                mapping[self.rec.number] = number
        return number, digest


def _with_extra(params: Any, key: int | str, extra: str) -> Any:
    def grow(doc: str) -> str:
        return doc[:-1] + ',"engine_state":' + json.dumps(extra) + "}"

    if isinstance(params, dict):
        return {**params, key: grow(params[key])}
    assert isinstance(key, int)
    return (*params[:key], grow(params[key]), *params[key + 1 :])


def clone(
    raw: Raw,
    rec: Recording,
    count: int,
    *,
    first: int = 0,
    chunk: int = 10_000,
    registered: datetime | None = None,
) -> list[str]:
    """``count`` copies of the recorded matter's registration, in large transactions.

    Each copy gets its own id, number and a correctly chained event hash; the rows are
    otherwise the engine's own (same documents, deadlines, timers, personal data).
    Counters are skipped: copies number themselves from a separate range, from ``first``.
    Ids are the engine's (time-ordered), as if the copies were registered a millisecond
    apart from ``registered`` (default: now).
    """
    origin = registered or datetime.now(UTC)
    step = rec.steps[0]
    ids: list[str] = []
    prefix = rec.number[:6]
    for start in range(0, count, chunk):
        batch: list[list[Any]] = [[] for _ in step.statements]
        for n in range(start, min(count, start + chunk)):
            case_id = time_ordered_id(origin + timedelta(milliseconds=n))
            ids.append(case_id)
            mapping = {rec.case_id: case_id, rec.number: f"{prefix}9{first + n:07d}"}
            mapping[step.hash] = event_hash(step, mapping, GENESIS)
            for i, st in enumerate(step.statements):
                if st.many:
                    batch[i].extend(swapped(p, mapping) for p in st.params)
                else:
                    batch[i].append(swapped(st.params, mapping))
        cur = raw.conn.cursor()
        cur.execute(raw.begin)
        for st, rows in zip(step.statements, batch, strict=True):
            if not st.sql.startswith("UPDATE counters"):
                cur.executemany(st.sql, rows)
        cur.execute("COMMIT")
        cur.close()
    return ids
