"""Canonical JSON is what stored hashes were computed over: its bytes must never change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import act, at, make_container, register
from workflow.adapters.prepared import json_value
from workflow.adapters.types import document_text
from workflow.domain.events import canonical_json, canonical_text, canonical_time, seal
from workflow.timers.sweep import advance_clock

AWKWARD: list[Any] = [
    {"b": 1, "a": {"d": [1, 2.5, None, True, False], "c": "房屋漏水"}},
    {"line": '\u2028\u2029\x00\x1f"\\/', "ü": "é", "emoji": "\U0001f600"},
    [1e-7, 1e21, -0.0, 3.141592653589793, 10**20],
    {},
    [],
    "只有字符串",
    None,
]


@pytest.mark.parametrize("value", AWKWARD)
def test_canonical_json_is_sorted_compact_utf8_json(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")


def test_a_sealed_event_hashes_as_it_always_has() -> None:
    # The literal was computed once with json.dumps before canonical_json reused an
    # encoder; events already stored carry hashes made the same way.
    event = seal(
        case_id="c0ffee",
        seq=2,
        type="classified",
        occurred_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        recorded_at=datetime(2026, 3, 2, 1, 0, 0, 123456, tzinfo=UTC),
        actor="handler@C1-XF",
        unit="C1-XF",
        payload={
            "route": "petition",
            "note": "房屋漏水 \u2028 ü",
            "n": [1, 2.5, None, True],
            "z": {"b": 1, "a": 2},
        },
        prev_hash="0" * 64,
    )
    assert event.hash == "b5d75499251f279f53ae15cab789ea0fb65031143cc0ebb68a0aed4ba0b6ad52"
    assert event.computed_hash() == event.hash


# Aware moments whose UTC form stays within years 1-9999, in a few zones.
MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001  (hypothesis bounds are naive)
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=11))]),
)


@given(MOMENTS)
def test_canonical_time_is_the_strftime_form(moment: datetime) -> None:
    assert canonical_time(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# What a case document holds: no floats, integers within 64 bits, string keys.
DOCUMENT_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(DOCUMENT_VALUES)
def test_a_document_is_written_in_the_canonical_text(value: Any) -> None:
    assert document_text(value) == canonical_text(value)
    assert json_value(str(document_text(value))) == value


def test_documents_of_a_whole_lifecycle_are_written_in_the_canonical_text(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"), warning_days=3)
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    docs = [case.to_doc()]
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    for unit, action, fields in [
        ("C1-XF", "classify", {"type": "claim", "route": "petition"}),
        ("C1-XF", "transfer", {"to_unit": "C1-ZJ", "mode": "transfer"}),
        ("C1-ZJ", "accept", {}),
        ("C1-ZJ", "extend", {"days": 15, "approved_by": "局长", "reason": "情况复杂"}),
    ]:
        case = act(c, case, unit, action, **fields)
        docs.append(case.to_doc())
    advance_clock(c, advance_days=120)
    docs.append(c.petitions.get(case.id).to_doc())
    for doc in docs:
        assert document_text(doc) == canonical_text(doc)


def test_a_document_orjson_cannot_write_is_refused_not_altered() -> None:
    with pytest.raises(TypeError):
        document_text({"n": 2**70})


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(
    case_id=st.text(),
    seq=st.integers(),
    type_=st.text(),
    moments=st.tuples(MOMENTS, MOMENTS),
    actor=st.text(),
    unit=st.text(),
    payload=st.dictionaries(st.text(), JSON_VALUES, max_size=5),
    prev_hash=st.text(),
)
def test_sealing_hashes_the_canonical_body_and_keeps_the_payload_text(
    case_id: str,
    seq: int,
    type_: str,
    moments: tuple[datetime, datetime],
    actor: str,
    unit: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> None:
    """seal puts the body's text together around the payload's; verification encodes the
    body whole (computed_hash). Both must give the same bytes for anything sealable."""
    event = seal(
        case_id=case_id,
        seq=seq,
        type=type_,
        occurred_at=moments[0],
        recorded_at=moments[1],
        actor=actor,
        unit=unit,
        payload=payload,
        prev_hash=prev_hash,
    )
    assert event.hash == event.computed_hash()
    assert event.payload_text == canonical_text(payload)


def test_sealing_refuses_what_the_body_could_not_hold_as_it_is() -> None:
    base: dict[str, Any] = {
        "case_id": "c",
        "seq": 1,
        "type": "t",
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor": "a",
        "unit": "u",
        "payload": {},
        "prev_hash": "0" * 64,
    }
    for field, value in [("seq", True), ("seq", "1"), ("actor", None), ("unit", 3)]:
        with pytest.raises(TypeError):
            seal(**{**base, field: value})
