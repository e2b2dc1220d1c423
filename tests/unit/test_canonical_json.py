"""Canonical JSON is what stored hashes were computed over: its bytes must never change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.events import canonical_json, canonical_time, seal

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


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001  (hypothesis bounds are naive)
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=11))]
        ),
    )
)
def test_canonical_time_is_the_strftime_form(moment: datetime) -> None:
    assert canonical_time(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
