"""The dossier's own chain check names the first broken event in seq order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from workflow.audit.dossier import chain_status
from workflow.domain.events import GENESIS, Event, seal

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _chain(n: int) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        event = seal(
            case_id="c1",
            seq=seq,
            type="step",
            occurred_at=AT,
            recorded_at=AT,
            actor="a",
            unit="U",
            payload={"n": seq},
            prev_hash=prev,
        )
        events.append(event)
        prev = event.hash
    return events


def test_an_intact_chain_is_ok() -> None:
    events = _chain(3)
    status = chain_status(events)
    assert status == {"ok": True, "events": 3, "last_hash": events[-1].hash, "first_broken": None}
    assert chain_status([])["ok"]


def test_the_first_problem_in_seq_order_is_reported() -> None:
    events = _chain(4)
    events[2] = replace(events[2], payload={"n": 99})  # seq 3: content changed
    events[1] = replace(events[1], prev_hash="x" * 64)  # seq 2: link broken
    assert chain_status(events)["first_broken"] == {"seq": 2, "reason": "prev_hash does not link"}


def test_each_kind_of_break_is_named() -> None:
    events = _chain(3)
    first = chain_status([replace(events[0], prev_hash="x" * 64), *events[1:]])
    assert first["first_broken"]["reason"] == "the first event does not start the chain"
    gap = chain_status([events[0], events[2]])
    assert gap["first_broken"] == {"seq": 3, "reason": "sequence gap: expected seq 2"}
    edited = chain_status([events[0], replace(events[1], unit="V"), events[2]])
    assert edited["first_broken"] == {
        "seq": 2,
        "reason": "hash does not match the event's content",
    }
