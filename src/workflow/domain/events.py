"""Events: the truth of a case, chained by SHA-256.

The hash covers a canonical JSON encoding (sorted keys, no whitespace, UTF-8, times in
UTC with microseconds), so the same event always hashes the same on any database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    # isoformat gives the same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ") for years
    # 1000-9999 (every hashed time; pinned by the golden-hash test) at a fifth the cost.
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    if not 1000 <= utc.year <= 9999:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.isoformat(timespec="microseconds") + "Z"


# Exactly what json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# builds on every call, built once: every event, document and payload goes through here.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    return _CANONICAL.encode(value).encode()


def canonical_text(value: Any) -> str:
    """The canonical encoding as text (what a JSON column stores)."""
    text: str = _CANONICAL.encode(value)
    return text


@dataclass(frozen=True)
class Event:
    case_id: str
    seq: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    unit: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    # The payload's canonical text when this process sealed the event (written as the
    # stored payload as it is); None for an event read back from the database. Only
    # ``seal`` sets it: an event copied with another payload (``dataclasses.replace``)
    # keeps the old text, so such a copy must never be saved.
    payload_text: str | None = field(default=None, compare=False, repr=False)

    def body(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "seq": self.seq,
            "type": self.type,
            "occurred_at": canonical_time(self.occurred_at),
            "recorded_at": canonical_time(self.recorded_at),
            "actor": self.actor,
            "unit": self.unit,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.body())).hexdigest()


def chain_break(events: Sequence[Event]) -> tuple[int, str] | None:
    """Where one matter's history (in stored seq order) stops being a chain: (seq,
    reason) of the first event whose seq, link or hash is wrong; None if it holds.

    The per-event checks (seq, link, hash) ``workflow.audit.verify`` makes over the log, for
    readers of one matter (replay, the projection audit) that must not fold a broken
    history into something that looks like a matter.
    """
    prev_hash = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.seq != expected:
            return event.seq, f"sequence gap: expected seq {expected}"
        if event.prev_hash != prev_hash:
            return event.seq, "prev_hash does not link to the previous event"
        if event.computed_hash() != event.hash:
            return event.seq, "hash does not match the event's content"
        prev_hash = event.hash
    return None


def seal(
    *,
    case_id: str,
    seq: int,
    type: str,
    occurred_at: datetime,
    recorded_at: datetime,
    actor: str,
    unit: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> Event:
    """Build an event and compute its hash over the canonical body.

    The body's canonical text is put together here around the payload's, which the
    event keeps: the payload column stores exactly that text, so the payload (the
    bulk of an event) is encoded once instead of once for the hash and once for the
    row. ``Event.computed_hash`` (what verification uses) encodes the body whole; a
    property test holds the two to the same bytes.
    """
    payload_text = canonical_text(payload)
    text = (
        f'{{"actor":{_string(actor)},"case_id":{_string(case_id)},'
        f'"occurred_at":"{canonical_time(occurred_at)}","payload":{payload_text},'
        f'"prev_hash":{_string(prev_hash)},"recorded_at":"{canonical_time(recorded_at)}",'
        f'"seq":{_integer(seq)},"type":{_string(type)},"unit":{_string(unit)}}}'
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Event(
        case_id,
        seq,
        type,
        occurred_at,
        recorded_at,
        actor,
        unit,
        payload,
        prev_hash,
        digest,
        payload_text,
    )


def _string(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return canonical_text(value)


def _integer(value: int) -> str:
    if type(value) is not int:  # a bool is an int, and encodes as true/false
        raise TypeError(f"expected an integer, got {value!r}")
    return str(value)
