"""Local dates and day boundaries in China Standard Time.

A period ends at 24:00 of its last day (《民法典》第二百零三条第二款), local time;
instants are stored in UTC. Nothing here reads the clock: callers pass moments in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime, tz: ZoneInfo = SHANGHAI) -> date:
    """The calendar date of an aware ``moment`` in ``tz``.

    Raises:
        ValueError: if ``moment`` is naive (its time zone would be a guess).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(tz).date()


def start_of_day(d: date, tz: ZoneInfo = SHANGHAI) -> datetime:
    """00:00 local of ``d``, as an aware UTC datetime."""
    return datetime.combine(d, clock_time.min, tzinfo=tz).astimezone(UTC)


def end_of_day(d: date, tz: ZoneInfo = SHANGHAI) -> datetime:
    """24:00 local of ``d`` (= 00:00 of the next day), as an aware UTC datetime."""
    return start_of_day(d + timedelta(days=1), tz)
