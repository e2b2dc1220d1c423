"""``UTCDateTime`` on SQLite binds with one function: the text must be exactly what
SQLAlchemy's own chain (the decorator, then SQLite's DATETIME format) writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from workflow.adapters.types import UTCDateTime

DIALECT = sqlite.dialect()
COLUMN = UTCDateTime().dialect_impl(DIALECT)  # as statements compile it for SQLite
FAST = COLUMN.bind_processor(DIALECT)
CHAIN = TypeDecorator.bind_processor(COLUMN, DIALECT)

# Offsets a stored time may carry (whole minutes, as zoneinfo's are), far enough from
# the ends of the calendar that converting to UTC stays inside it.
zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(2, 1, 1),  # noqa: DTZ001 (the strategy takes naive bounds)
    max_value=datetime(9998, 12, 31),  # noqa: DTZ001
    timezones=zones,
)


@given(moments)
def test_the_fast_binding_writes_the_chains_text(value: datetime) -> None:
    assert FAST(value) == CHAIN(value)


def test_it_writes_utc_and_refuses_a_naive_value() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert FAST(datetime(2026, 10, 9, 0, 0, tzinfo=shanghai)) == "2026-10-08 16:00:00.000000"
    assert FAST(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2026-01-02 03:04:05.000006"
    assert FAST(None) is None and CHAIN(None) is None
    for process in (FAST, CHAIN):
        with pytest.raises(ValueError, match="naive"):
            process(datetime(2026, 1, 1))  # noqa: DTZ001 (the naive value refused)
