"""Matter ids are RFC 9562 version 7: they sort by the millisecond they were made at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.ids import time_ordered_id

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Hypothesis takes naive bounds and applies the zone itself.
instants = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001
    max_value=datetime(2999, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(instants)
def test_an_id_is_a_version_7_uuid_carrying_its_millisecond(at: datetime) -> None:
    made = uuid.UUID(time_ordered_id(at))
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    millis = made.int >> 80
    assert EPOCH + timedelta(milliseconds=millis) == at.replace(
        microsecond=at.microsecond // 1000 * 1000
    )


@given(instants, instants)
def test_ids_sort_as_their_milliseconds_do(a: datetime, b: datetime) -> None:
    ms_a, ms_b = ((x - EPOCH) // timedelta(milliseconds=1) for x in (a, b))
    if ms_a < ms_b:
        assert time_ordered_id(a) < time_ordered_id(b)
    elif ms_a > ms_b:
        assert time_ordered_id(a) > time_ordered_id(b)


def test_ids_of_one_instant_differ_and_the_zone_does_not_matter() -> None:
    at = datetime(2026, 9, 22, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    ids = {time_ordered_id(at) for _ in range(1000)}
    assert len(ids) == 1000
    utc = time_ordered_id(at.astimezone(UTC))
    assert {i[:12] for i in ids} == {utc[:12]}
    assert all(uuid.UUID(hex=i).hex == i and uuid.UUID(hex=i).version == 7 for i in ids)


def test_an_instant_before_1970_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the range"):
        time_ordered_id(datetime(1969, 12, 31, tzinfo=UTC))
