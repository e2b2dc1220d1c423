"""Day boundaries in Asia/Shanghai (a period ends at 24:00 local, 民法典第二百零三条)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from rules import SHANGHAI, end_of_day, local_date, start_of_day


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 15:59 UTC is 23:59 in Shanghai: still the same local day
        (datetime(2026, 10, 8, 15, 59, tzinfo=UTC), date(2026, 10, 8)),
        # 16:00 UTC is midnight in Shanghai: the next local day
        (datetime(2026, 10, 8, 16, 0, tzinfo=UTC), date(2026, 10, 9)),
        # an aware moment in another zone converts correctly
        (datetime(2026, 10, 8, 12, 0, tzinfo=timezone(timedelta(hours=-5))), date(2026, 10, 9)),
    ],
)
def test_local_date(moment: datetime, expected: date) -> None:
    assert local_date(moment) == expected


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 10, 8, 12, 0))  # noqa: DTZ001 - the point of the test


def test_day_boundaries() -> None:
    assert start_of_day(date(2026, 10, 8)) == datetime(2026, 10, 7, 16, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 8)) == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 8)).tzinfo is UTC
    assert local_date(end_of_day(date(2026, 10, 8)) - timedelta(microseconds=1)) == date(
        2026, 10, 8
    )
    assert str(SHANGHAI) == "Asia/Shanghai"
