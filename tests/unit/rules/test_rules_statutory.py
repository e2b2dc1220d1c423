"""Statutory holidays (《全国年节及纪念日放假办法》第二条) and years without a notice."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given
from hypothesis import strategies as st

from rules import (
    CalendarData,
    DayKind,
    WorkingCalendar,
    chinesecalendar_data,
    default_calendar,
    parse_year_file,
    statutory_days,
    with_statutory_days,
)
from rules.provisional import REST_AFTER, REST_BEFORE
from rules.statutory import revision_for

CALENDAR = default_calendar()

# (day, festival) — every statutory day of 2027 and 2030 under the 2024 revision. Lunar
# dates and 清明 agree with lunardate 0.3.0 (Hong Kong Observatory tables) and holidays
# 0.108; 2027 春节 is Sat 02-06, so 除夕 is Fri 02-05.
FIXED = [
    (date(2027, 1, 1), "元旦"),  # 第二条（一） 1月1日
    (date(2027, 2, 5), "春节"),  # 第二条（二） 农历除夕 (腊月廿九: 2026 has no 腊月三十)
    (date(2027, 2, 6), "春节"),  # 第二条（二） 正月初一
    (date(2027, 2, 7), "春节"),  # 第二条（二） 正月初二
    (date(2027, 2, 8), "春节"),  # 第二条（二） 正月初三
    (date(2027, 4, 5), "清明"),  # 第二条（三） 清明 solar term 2027-04-05 08:17 Beijing time
    (date(2027, 5, 1), "劳动节"),  # 第二条（四） 5月1日
    (date(2027, 5, 2), "劳动节"),  # 第二条（四） 5月2日
    (date(2027, 6, 9), "端午"),  # 第二条（五） 农历五月初五
    (date(2027, 9, 15), "中秋"),  # 第二条（六） 农历八月十五
    (date(2027, 10, 1), "国庆节"),  # 第二条（七） 10月1日
    (date(2027, 10, 2), "国庆节"),  # 第二条（七） 10月2日
    (date(2027, 10, 3), "国庆节"),  # 第二条（七） 10月3日
    (date(2030, 1, 1), "元旦"),  # 第二条（一）
    (date(2030, 2, 2), "春节"),  # 第二条（二） 农历除夕
    (date(2030, 2, 3), "春节"),  # 第二条（二） 正月初一
    (date(2030, 2, 4), "春节"),  # 第二条（二） 正月初二
    (date(2030, 2, 5), "春节"),  # 第二条（二） 正月初三
    (date(2030, 4, 5), "清明"),  # 第二条（三） 清明 solar term 2030-04-05 01:41 Beijing time
    (date(2030, 5, 1), "劳动节"),  # 第二条（四）
    (date(2030, 5, 2), "劳动节"),  # 第二条（四）
    (date(2030, 6, 5), "端午"),  # 第二条（五） 农历五月初五
    (date(2030, 9, 12), "中秋"),  # 第二条（六） 农历八月十五
    (date(2030, 10, 1), "国庆节"),  # 第二条（七）
    (date(2030, 10, 2), "国庆节"),  # 第二条（七）
    (date(2030, 10, 3), "国庆节"),  # 第二条（七）
]


@pytest.mark.parametrize(("day", "name"), FIXED)
def test_fixed_days_are_provisional_rest_days(day: date, name: str) -> None:
    info = CALENDAR.info(day)
    assert (info.kind, info.name, info.statutory) == (DayKind.HOLIDAY, name, name)
    assert not CALENDAR.is_working_day(day)
    assert info.official is False
    assert info.label() == f"{name} 法定节假日"


@pytest.mark.parametrize("year", [2027, 2030])
def test_the_fixed_days_are_all_and_only_the_13_of_the_2024_revision(year: int) -> None:
    assert dict(statutory_days(year)) == {day: name for day, name in FIXED if day.year == year}
    assert not CALENDAR.is_official(year)
    assert "第二条" in CALENDAR.data.sources[year]


# (day, working) — the days around them are not guessed: make-up days stay unknown.
AROUND = [
    (date(2027, 2, 4), True),  # Thu before 除夕
    (date(2027, 2, 9), True),  # Tue after 初三: a notice may add it, none has yet
    (date(2027, 5, 3), True),  # Mon after 劳动节
    (date(2027, 10, 4), True),  # Mon after 国庆节
    (date(2027, 10, 9), False),  # Sat: weekends stay rest days (a notice may make it work)
]


@pytest.mark.parametrize(("day", "working"), AROUND)
def test_days_around_the_fixed_days_are_weekends_only(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working
    assert CALENDAR.info(day).statutory is None


# --- against the official data 2004–2026 -----------------------------------------------------


@given(st.integers(2004, 2026))
def test_every_statutory_day_is_a_rest_day_in_the_official_data(year: int) -> None:
    # Under the revision in force that year (1999, 2007, 2013 or 2024 text of 第二条).
    days = statutory_days(year)
    total = {2000: 10, 2008: 11, 2014: 11, 2025: 13}[_first_year(year)]
    assert len(days) in (total, total - 1)  # 中秋 may be one of 国庆节's days (2009, 2020)
    for day in days:
        assert not chinese_calendar.is_workday(day), (day, days[day])


def _first_year(year: int) -> int:
    revision = revision_for(year)
    assert revision is not None
    return revision.first_year


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_2024_revision_days_are_listed_by_the_notices(year: int) -> None:
    assert set(statutory_days(year)) <= set(constants.holidays)


# (day, statutory?, working in the official data) — why the revision in force matters
REVISION_ROWS = [
    (date(2007, 5, 3), True, False),  # 1999 revision: 劳动节 5月1日至3日
    (date(2007, 4, 5), False, True),  # 清明 became a holiday only with the 2007 revision
    (date(2008, 2, 6), True, False),  # 2007 revision: 春节 is 除夕、初一、初二
    (date(2008, 2, 9), False, False),  # 初四: in the 2008 block, but not statutory
    (date(2014, 1, 30), False, True),  # 2013 revision: 初一至初三; 除夕 was worked
    (date(2018, 5, 2), False, True),  # 2013 revision: 劳动节 5月1日 only
    (date(2025, 1, 28), True, False),  # 2024 revision: 除夕 again
    (date(2025, 5, 2), True, False),  # 2024 revision: 劳动节 5月1日、2日
]


@pytest.mark.parametrize(("day", "statutory", "working"), REVISION_ROWS)
def test_the_revision_in_force_decides(day: date, statutory: bool, working: bool) -> None:
    assert (day in statutory_days(day.year)) is statutory
    assert chinese_calendar.is_workday(day) is working


def test_years_outside_2000_to_2100_are_not_modelled() -> None:
    assert dict(statutory_days(1999)) == {}
    assert dict(statutory_days(2101)) == {}
    assert CALENDAR.is_working_day(date(2101, 10, 3))  # a Monday: weekends only


def _added_weekdays() -> list[date]:
    # Weekday rest days the notices of 2004–2026 added around the statutory days. The
    # 2015-09-03/04 days off came from a one-off decision (70th anniversary), not 第二条.
    return [
        day
        for day, name in constants.holidays.items()
        if day.weekday() < 5 and day not in statutory_days(day.year) and not name.startswith("Anti")
    ]


def _covered(day: date, before: int, after: int) -> bool:
    return any(
        -before <= (day - holiday).days <= after
        for year in (day.year - 1, day.year, day.year + 1)
        for holiday in statutory_days(year)
    )


def test_the_rest_limits_are_the_smallest_that_cover_every_notice() -> None:
    # provisional.latest_last_day assumes a notice adds rest days only within REST_BEFORE
    # days before or REST_AFTER days after a statutory day; a new release of the package
    # that goes farther fails here.
    days = _added_weekdays()
    assert len(days) > 150
    assert all(_covered(day, REST_BEFORE, REST_AFTER) for day in days)
    assert not all(_covered(day, REST_BEFORE - 1, REST_AFTER) for day in days)  # 2008-09-29
    assert not all(_covered(day, REST_BEFORE, REST_AFTER - 1) for day in days)  # 2020-10-08


# --- filling years without a notice ----------------------------------------------------------

PROVISIONAL_2027 = """
year = 2027
status = "provisional"
source = "estimate"

[[holidays]]
start = 2027-02-05
end = 2027-02-11
name = "春节"

[[workdays]]
date = 2027-02-20
name = "春节"
"""


def test_a_provisional_file_merges_over_the_fixed_days() -> None:
    cal = default_calendar([parse_year_file(PROVISIONAL_2027)])
    assert not cal.is_official(2027)
    assert not cal.is_working_day(date(2027, 2, 10))  # the file's guess is used
    assert not cal.is_working_day(date(2027, 1, 1))  # 元旦: not in the file, still a holiday
    assert not cal.is_working_day(date(2027, 10, 1))
    assert cal.is_working_day(date(2027, 2, 20))  # the file's make-up day stands
    assert cal.data.sources[2027] == "estimate"


def test_an_official_file_wins_over_the_fixed_days() -> None:
    # The (fictitious) official sample lists no 清明: an official notice is taken as it is.
    sample = (Path(__file__).parent / "data" / "2027-sample.toml").read_text(encoding="utf-8")
    cal = default_calendar([parse_year_file(sample)])
    assert cal.is_official(2027)
    assert cal.is_working_day(date(2027, 4, 5))
    assert cal.info(date(2027, 4, 5)).label() == "周一，工作日"


def test_official_years_are_left_alone() -> None:
    data = chinesecalendar_data()
    assert with_statutory_days(data).holidays == {
        **data.holidays,
        **{d: n for y in range(2027, 2101) for d, n in statutory_days(y).items()},
        **{d: n for y in range(2000, 2004) for d, n in statutory_days(y).items()},
    }


def test_the_fixed_days_travel_with_the_data() -> None:
    # Sweep workers rebuild the calendar from pickled data: no recomputation, same answer.
    copy = WorkingCalendar(pickle.loads(pickle.dumps(CALENDAR.data)))
    assert not copy.is_working_day(date(2027, 10, 1))
    assert not copy.is_official(2027)


def test_the_fill_keeps_other_entries_and_never_makes_a_statutory_day_a_workday() -> None:
    # Files cannot say so (the parser refuses it), but data built in code might.
    data = CalendarData(
        {date(2027, 3, 3): "测试"}, {date(2027, 2, 6): "春节"}, frozenset(), {2027: "test"}
    )
    filled = with_statutory_days(data, [2027])
    assert filled.holidays[date(2027, 3, 3)] == "测试"
    assert filled.sources == {2027: "test"}
    assert len(filled.holidays) == 1 + 13
    assert dict(filled.workdays) == {}
