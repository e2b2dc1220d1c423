"""The working-day calendar, its data sources, and override files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rules import (
    CalendarData,
    CalendarFileInvalid,
    DayKind,
    WorkingCalendar,
    bundled_overrides,
    chinesecalendar_data,
    default_calendar,
    format_year_file,
    parse_year_file,
)

SAMPLE_TEXT = (Path(__file__).parent / "data" / "2027-sample.toml").read_text(encoding="utf-8")
CALENDAR = default_calendar()


# --- days ------------------------------------------------------------------------------------

# (day, kind, name, working, official) — one row per kind of day
DAYS = [
    (date(2026, 3, 2), DayKind.WORKDAY, None, True, True),  # ordinary Monday
    (date(2026, 3, 7), DayKind.WEEKEND, None, False, True),  # ordinary Saturday
    (date(2026, 10, 1), DayKind.HOLIDAY, "国庆节", False, True),  # statutory holiday
    (date(2026, 2, 22), DayKind.HOLIDAY, "春节", False, True),  # Sunday inside the 春节 block
    (date(2026, 2, 20), DayKind.HOLIDAY, "春节", False, True),  # weekday off in lieu (调休)
    (date(2026, 2, 14), DayKind.MAKEUP_WORKDAY, "春节", True, True),  # make-up Saturday
    (date(2026, 1, 4), DayKind.MAKEUP_WORKDAY, "元旦", True, True),  # make-up Sunday
    # 2027 has no notice yet: 第二条's days are holidays, the rest is weekends only.
    (date(2027, 1, 1), DayKind.HOLIDAY, "元旦", False, False),
    (date(2027, 1, 2), DayKind.WEEKEND, None, False, False),
    (date(2027, 1, 4), DayKind.WORKDAY, None, True, False),
]


@pytest.mark.parametrize(("day", "kind", "name", "working", "official"), DAYS)
def test_day_info(
    day: date, kind: DayKind, name: str | None, working: bool, official: bool
) -> None:
    info = CALENDAR.info(day)
    assert (info.kind, info.name, info.working, info.official) == (kind, name, working, official)
    assert CALENDAR.is_working_day(day) is working


# --- labels ----------------------------------------------------------------------------------

# (day, label, phrase) — phrase is how the label reads after 为 in a DueDate summary
LABELS = [
    # 第二条（七）: 10-01..10-03 are the statutory days of 国庆节.
    (date(2026, 10, 1), "国庆节 法定节假日", "国庆节法定节假日"),
    # A weekday the 2026 notice adds to the block (第七条 调休).
    (date(2026, 10, 7), "国庆节 调休休息日", "国庆节调休休息日"),
    # An ordinary Sunday inside the block is a weekend rest day, not a 调休 day.
    (date(2026, 10, 4), "周日，周末（国庆节假期）", "周日（国庆节假期）"),
    # 第二条（二） (2024 revision): 除夕 is a statutory day from 2025.
    (date(2026, 2, 16), "春节 法定节假日", "春节法定节假日"),
    (date(2026, 2, 20), "春节 调休休息日", "春节调休休息日"),
    (date(2026, 2, 15), "周日，周末（春节假期）", "周日（春节假期）"),
    # A make-up working day (调休上班).
    (date(2026, 2, 14), "调休上班日（春节）", "调休上班日（春节）"),
    (date(2026, 3, 7), "周六，周末", "周六"),
    (date(2026, 3, 2), "周一，工作日", "周一，工作日"),
    # 第二条（六）: 中秋 keeps its own name inside the block the package names 国庆节.
    (date(2025, 10, 6), "中秋 法定节假日", "中秋法定节假日"),
    # 2012 端午 fell on a Saturday the package leaves out of its table: still statutory.
    (date(2012, 6, 23), "端午 法定节假日", "端午法定节假日"),
    # 2013 revision (2014–2024): 春节 was 初一至初三, so 除夕 2024-02-09 was a working day.
    (date(2024, 2, 9), "周五，工作日", "周五，工作日"),
    # 2013 revision: 劳动节 was 5-01 only; 2018-05-02 was a working day.
    (date(2018, 5, 2), "周三，工作日", "周三，工作日"),
    # Provisional 2027: 第二条's days are statutory holidays before the notice.
    (date(2027, 1, 1), "元旦 法定节假日", "元旦法定节假日"),
    (date(2027, 2, 5), "春节 法定节假日", "春节法定节假日"),
    (date(2027, 1, 2), "周六，周末", "周六"),
]


@pytest.mark.parametrize(("day", "label", "phrase"), LABELS)
def test_labels(day: date, label: str, phrase: str) -> None:
    info = CALENDAR.info(day)
    assert (info.label(), info.phrase()) == (label, phrase)


def test_a_statutory_day_in_a_calendar_without_it_is_labelled_as_that_calendar_says() -> None:
    # Package data alone says nothing about 2027; the label follows the day's kind.
    info = WorkingCalendar(chinesecalendar_data()).info(date(2027, 1, 1))
    assert (info.kind, info.statutory, info.label()) == (DayKind.WORKDAY, "元旦", "周五，工作日")


# --- data sources ----------------------------------------------------------------------------


def test_chinesecalendar_data_covers_2004_to_2026_with_chinese_names() -> None:
    data = chinesecalendar_data()
    assert data.official_years == frozenset(range(2004, 2027))
    assert "chinesecalendar 1.11.0" in data.sources[2026]
    assert set(data.holidays.values()) <= {
        "元旦",
        "春节",
        "清明",
        "劳动节",
        "端午",
        "国庆节",
        "中秋",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }
    # 2026: 248 working days (ECOSYSTEM.md §3.2).
    cal = WorkingCalendar(data)
    days = [
        date.fromordinal(o)
        for o in range(date(2026, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
    ]
    assert sum(cal.is_working_day(d) for d in days) == 248


def test_calendar_data_is_a_read_only_value() -> None:
    data = chinesecalendar_data()
    assert WorkingCalendar(data).data is data
    assert hash(data) == hash(chinesecalendar_data().merged(CalendarData({}, {}, frozenset())))
    with pytest.raises(TypeError):
        data.holidays[date(2026, 3, 2)] = "x"  # type: ignore[index]


def test_bundled_overrides_ship_no_invented_year() -> None:
    # The 2027 notice is not known; the fictitious sample must never be bundled.
    for override in bundled_overrides():
        assert all("FICTITIOUS" not in source for source in override.sources.values())
    assert not default_calendar().is_official(2027)


# --- merging ---------------------------------------------------------------------------------


def _year(year: int, holidays: dict[date, str], official: bool) -> CalendarData:
    return CalendarData(
        holidays=holidays,
        workdays={},
        official_years=frozenset({year}) if official else frozenset(),
        sources={year: "test"},
    )


def test_official_override_replaces_the_year_wholesale() -> None:
    # An erratum file for 2026 with a single holiday drops all package entries for 2026.
    fix = _year(2026, {date(2026, 3, 3): "测试"}, official=True)
    merged = chinesecalendar_data().merged(fix)
    assert [d for d in merged.holidays if d.year == 2026] == [date(2026, 3, 3)]
    assert not any(d.year == 2026 for d in merged.workdays)
    assert date(2025, 10, 1) in merged.holidays  # other years kept
    assert merged.sources[2026] == "test"
    assert 2026 in merged.official_years


def test_provisional_data_fills_a_missing_year_but_never_replaces_official() -> None:
    guess = _year(2027, {date(2027, 1, 1): "元旦"}, official=False)
    merged = chinesecalendar_data().merged(guess)
    cal = WorkingCalendar(merged)
    assert cal.info(date(2027, 1, 1)).kind is DayKind.HOLIDAY
    assert not cal.is_official(2027)
    stale = _year(2026, {}, official=False)
    assert chinesecalendar_data().merged(stale).holidays == chinesecalendar_data().holidays


def test_default_calendar_applies_extra_data() -> None:
    cal = default_calendar([parse_year_file(SAMPLE_TEXT)])
    assert cal.is_official(2027)
    assert cal.info(date(2027, 2, 20)).kind is DayKind.MAKEUP_WORKDAY
    assert cal.info(date(2027, 2, 8)).name == "春节"


# --- override files --------------------------------------------------------------------------


def test_sample_file_parses_and_round_trips() -> None:
    data = parse_year_file(SAMPLE_TEXT)
    assert data.official_years == frozenset({2027})
    assert len([d for d in data.holidays if d.year == 2027]) == 3 + 9 + 7
    assert dict(data.workdays) == {date(2027, 2, 20): "春节", date(2027, 10, 9): "国庆节"}
    assert parse_year_file(format_year_file(data, 2027)) == data


def test_package_year_round_trips_through_the_file_format() -> None:
    data = chinesecalendar_data()
    text = format_year_file(data, 2026)
    year = parse_year_file(text)
    assert dict(year.holidays) == {d: n for d, n in data.holidays.items() if d.year == 2026}
    assert dict(year.workdays) == {d: n for d, n in data.workdays.items() if d.year == 2026}


def test_provisional_file_does_not_make_the_year_official() -> None:
    data = parse_year_file(SAMPLE_TEXT.replace('status = "official"', 'status = "provisional"'))
    assert data.official_years == frozenset()
    assert data.sources[2027].startswith("虚构示例")


HEAD = 'year = 2027\nstatus = "official"\nsource = "test"\n'

# (file text, expected message fragment) — one row per validation rule
INVALID = [
    ("year = 2027\nstatus = ", "not valid TOML"),  # syntax error (message has line/column)
    (HEAD + "colour = 1\n", "unknown key(s) ['colour']"),  # unknown top-level key
    # a required key is missing
    ('year = 2027\nstatus = "official"\n', "missing key(s) ['source']"),
    # wrong type: the year as a string
    ('year = "2027"\nstatus = "official"\nsource = "x"\n', "year: must be an integer"),
    # status is neither official nor provisional
    ('year = 2027\nstatus = "final"\nsource = "x"\n', "status: must be one of"),
    # the source notice must be named
    ('year = 2027\nstatus = "official"\nsource = ""\n', "source: must be a non-empty string"),
    # holidays must be [[holidays]] tables
    (HEAD + 'holidays = "none"\n', "holidays: must be an array of tables"),
    # unknown key inside a block
    (
        HEAD + '[[holidays]]\nstart = 2027-01-01\nend = 2027-01-01\nname = "元旦"\nnote = "x"\n',
        "holidays[0]: unknown key(s) ['note']",
    ),
    # a block without its end
    (
        HEAD + '[[holidays]]\nstart = 2027-01-01\nname = "元旦"\n',
        "holidays[0]: missing key(s) ['end']",
    ),
    # a date written as a string
    (
        HEAD + '[[holidays]]\nstart = "2027-01-01"\nend = 2027-01-01\nname = "元旦"\n',
        "holidays[0].start: must be a date",
    ),
    # a date-time is not a date
    (
        HEAD + '[[holidays]]\nstart = 2027-01-01T00:00:00\nend = 2027-01-01\nname = "元旦"\n',
        "holidays[0].start: must be a date",
    ),
    # a date outside the file's year
    (
        HEAD + '[[holidays]]\nstart = 2026-12-31\nend = 2027-01-01\nname = "元旦"\n',
        "holidays[0].start: date 2026-12-31 is outside year 2027",
    ),
    # end before start
    (
        HEAD + '[[holidays]]\nstart = 2027-02-10\nend = 2027-02-06\nname = "春节"\n',
        "holidays[0]: end 2027-02-06 is before start 2027-02-10",
    ),
    # longer than any real holiday block (14 days)
    (
        HEAD + '[[holidays]]\nstart = 2027-02-01\nend = 2027-02-15\nname = "春节"\n',
        "is 15 days, more than 14",
    ),
    # overlapping blocks list 02-10 twice
    (
        HEAD
        + '[[holidays]]\nstart = 2027-02-06\nend = 2027-02-10\nname = "春节"\n'
        + '[[holidays]]\nstart = 2027-02-10\nend = 2027-02-12\nname = "春节"\n',
        "holidays[1]: duplicate date 2027-02-10",
    ),
    # a day both off and worked
    (
        HEAD
        + '[[holidays]]\nstart = 2027-02-06\nend = 2027-02-13\nname = "春节"\n'
        + '[[workdays]]\ndate = 2027-02-07\nname = "春节"\n',
        "workdays[0]: 2027-02-07 is both a workday and a holiday",
    ),
    # make-up workdays are weekend days by definition
    (
        HEAD + '[[workdays]]\ndate = 2027-02-19\nname = "春节"\n',
        "workdays[0]: make-up workday 2027-02-19 is not a Saturday or Sunday",
    ),
    # 第二条: 正月初一 (Sat 2027-02-06) is a statutory holiday, never a make-up day
    (
        HEAD + '[[workdays]]\ndate = 2027-02-06\nname = "春节"\n',
        "workdays[0]: make-up workday 2027-02-06 is a statutory holiday (春节)",
    ),
    # the same make-up workday twice
    (
        HEAD
        + '[[workdays]]\ndate = 2027-02-20\nname = "春节"\n'
        + '[[workdays]]\ndate = 2027-02-20\nname = "春节"\n',
        "workdays[1]: duplicate date 2027-02-20",
    ),
    # wrong type: a name that is not a string
    (HEAD + "[[workdays]]\ndate = 2027-02-20\nname = 3\n", "workdays[0].name: must be a non-empty"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_files_are_rejected_with_a_precise_message(text: str, message: str) -> None:
    with pytest.raises(CalendarFileInvalid) as caught:
        parse_year_file(text)
    assert message in str(caught.value)
