"""The latest last day of a petitioner's window while a year's notice is missing
(API.md Contract 1.1, docs/calendar.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import (
    CalendarData,
    StepKind,
    WorkingCalendar,
    chinesecalendar_data,
    compute_due,
    default_calendar,
    default_rule_book,
    latest_last_day,
    parse_year_file,
    with_statutory_days,
)
from rules.provisional import LatestLastDay

CALENDAR = default_calendar()
RULES = default_rule_book().get("xinfang-2022")
SAMPLE_2027 = parse_year_file((Path(__file__).parent / "data" / "2027-sample.toml").read_text())


def bound(rule_id: str, received: date, calendar: WorkingCalendar = CALENDAR) -> LatestLastDay:
    due = compute_due(RULES.rule(rule_id), RULES.id, received, calendar)
    return latest_last_day(due, calendar)


# (rule, written reply received, last day under the loaded calendar, latest last day)
CASES = [
    # 第三十五条: 12-01 + 30 = Thu 2026-12-31, official, but within 2 days before 元旦 2027
    # whose notice is missing (2019's block began 2018-12-30): -> 01-01..01-06 -> Thu 01-07.
    ("review_request", date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 7)),
    # 第三十五条: 01-06 + 30 = 除夕 02-05 (第二条（二）) -> Tue 02-09 as loaded; a notice may
    # add up to 5 days after 初三 (02-08), to Sat 02-13, then Sun 02-14 -> Mon 02-15.
    ("review_request", date(2027, 1, 6), date(2027, 2, 9), date(2027, 2, 15)),
    # 第三十五条: 09-01 + 30 = 国庆节 10-01 -> Mon 10-04 as loaded; possible block to
    # Fri 10-08 (10-03 + 5), weekend -> Mon 10-11.
    ("review_request", date(2027, 9, 1), date(2027, 10, 4), date(2027, 10, 11)),
    # 第三十五条: 03-06 + 30 = 清明 Mon 04-05 -> Tue 04-06; possible to Sat 04-10 -> Mon 04-12.
    ("review_request", date(2027, 3, 6), date(2027, 4, 6), date(2027, 4, 12)),
    # 第三十六条第一款: 04-20 + 30 = Thu 05-20, far from any festival: nothing can move it.
    ("re_review_request", date(2027, 4, 20), date(2027, 5, 20), date(2027, 5, 20)),
    # 第三十六条第一款: 08-11 + 30 = Fri 09-10, 5 days before 中秋 (Wed 09-15): a notice
    # adds days at most 2 before a statutory day, so Fri 09-10 stands.
    ("re_review_request", date(2027, 8, 11), date(2027, 9, 10), date(2027, 9, 10)),
    # 第三十五条, official year: 09-05 + 30 = 10-05 (调休) -> 10-08, as the notice says.
    ("review_request", date(2026, 9, 5), date(2026, 10, 8), date(2026, 10, 8)),
]


@pytest.mark.parametrize(("rule_id", "received", "due_on", "latest"), CASES)
def test_latest_last_day(rule_id: str, received: date, due_on: date, latest: date) -> None:
    result = bound(rule_id, received)
    assert (result.due_on, result.latest_on) == (due_on, latest)
    assert result.settled is (latest == due_on)
    assert result.unknown_years == (() if result.settled else (2027,))


def test_the_explanation_goes_day_by_day_and_cites_the_law() -> None:
    result = bound("review_request", date(2027, 9, 1))
    lines = result.explain()
    assert lines[0].startswith(
        "《信访工作条例》第三十五条（请求复查）：按已载日历届满日为 2027-10-04"
    )
    assert "《全国年节及纪念日放假办法》第二条" in lines[0]
    assert "前2日、后5日" in lines[0]
    assert "最晚届满日为 2027-10-11；该日二十四时前不认定期限已过" in lines[0]
    assert lines[1:] == [
        "2027-10-01 国庆节 法定节假日，顺延",
        "2027-10-02 国庆节 法定节假日，顺延",
        "2027-10-03 国庆节 法定节假日，顺延",
        "2027-10-04 周一，工作日，为国庆节（2027-10-03）后第1日，"
        "2027年放假安排尚未公布，可能调休放假，顺延",
        "2027-10-05 周二，工作日，为国庆节（2027-10-03）后第2日，"
        "2027年放假安排尚未公布，可能调休放假，顺延",
        "2027-10-06 周三，工作日，为国庆节（2027-10-03）后第3日，"
        "2027年放假安排尚未公布，可能调休放假，顺延",
        "2027-10-07 周四，工作日，为国庆节（2027-10-03）后第4日，"
        "2027年放假安排尚未公布，可能调休放假，顺延",
        "2027-10-08 周五，工作日，为国庆节（2027-10-03）后第5日，"
        "2027年放假安排尚未公布，可能调休放假，顺延",
        "2027-10-09 周六，周末（2027年放假安排尚未公布），顺延",
        "2027-10-10 周日，周末（2027年放假安排尚未公布），顺延",
        "2027-10-11 周一，工作日，无论放假安排如何均为工作日，最晚届满日",
    ]
    assert result.ends_at.isoformat() == "2027-10-11T16:00:00+00:00"


def test_a_settled_day_says_so() -> None:
    result = bound("re_review_request", date(2027, 4, 20))
    assert result.explain() == [
        "《信访工作条例》第三十六条第一款（请求复核）："
        "届满日 2027-05-20 不受尚未公布的放假安排影响",
        "2027-05-20 周四，工作日，届满日",
    ]


def test_statutory_days_count_even_in_a_calendar_without_them() -> None:
    # Package data only: 2027-10-01 looks like a working day there, but it is 国庆节 by law.
    plain = WorkingCalendar(chinesecalendar_data())
    result = bound("review_request", date(2027, 9, 1), plain)
    assert (result.due_on, result.latest_on) == (date(2027, 10, 1), date(2027, 10, 11))
    assert result.steps[0].note == "国庆节 法定节假日（《全国年节及纪念日放假办法》第二条），顺延"


def test_loading_the_notice_settles_the_day_within_the_bound() -> None:
    # The fictitious sample: 春节 02-05..02-13, 国庆节 10-01..10-07.
    loaded = default_calendar([SAMPLE_2027])
    for received in (date(2027, 1, 6), date(2027, 9, 1)):
        before, after = bound("review_request", received), bound("review_request", received, loaded)
        assert after.settled and after.latest_on == after.due_on
        assert before.due_on <= after.due_on <= before.latest_on


def test_working_day_periods_are_refused() -> None:
    due = compute_due(RULES.rule("object"), RULES.id, date(2027, 9, 27), CALENDAR)
    with pytest.raises(ValueError, match="calendar-day"):
        latest_last_day(due, CALENDAR)


# --- properties ------------------------------------------------------------------------------

WINDOWS = st.sampled_from(["review_request", "re_review_request"])


@given(WINDOWS, st.dates(min_value=date(2026, 6, 1), max_value=date(2031, 12, 31)))
def test_the_bound_is_never_before_the_loaded_day(rule_id: str, received: date) -> None:
    result = bound(rule_id, received)
    due = compute_due(RULES.rule(rule_id), RULES.id, received, CALENDAR)
    assert result.due_on <= result.latest_on
    assert CALENDAR.is_working_day(result.latest_on)
    span = (result.latest_on - due.nominal_due_on).days
    assert [s.day for s in result.steps] == [
        due.nominal_due_on + timedelta(days=i) for i in range(span + 1)
    ]
    assert result.steps[-1].kind is StepKind.DUE
    if result.settled:
        assert result.latest_on == result.due_on


def _without_notice(data: CalendarData, year: int) -> CalendarData:
    # What ``year``'s notice decided: its dates, except late-December days of the next
    # year's 元旦 block, plus its own 元旦 block's days in the previous December.
    def decided(day: date, name: str) -> bool:
        return (day.year + (day.month == 12 and name == "元旦")) == year

    return CalendarData(
        {d: n for d, n in data.holidays.items() if not decided(d, n)},
        {d: n for d, n in data.workdays.items() if not decided(d, n)},
        data.official_years - {year},
    )


@pytest.mark.parametrize("year", range(2005, 2027))
def test_the_bound_holds_against_every_real_notice(year: int) -> None:
    # Pretend each year's notice were still missing: for every last day in that year the
    # latest last day is never before the day the real notice gave. The only exception is
    # the one-off 2015-09-03 anniversary decision, outside 第二条 (reopened on load).
    real = WorkingCalendar(chinesecalendar_data())
    guess = WorkingCalendar(with_statutory_days(_without_notice(chinesecalendar_data(), year)))
    one_day = replace(RULES.rule("review_request"), period_days=1)
    for offset in range(-3, 368):
        received = date(year, 1, 1) + timedelta(days=offset - 1)
        actual = compute_due(one_day, RULES.id, received, real).due_on
        latest = latest_last_day(compute_due(one_day, RULES.id, received, guess), guess)
        if date(2015, 9, 3) <= actual <= date(2015, 9, 6):
            continue
        assert actual <= latest.latest_on, (received, actual, latest.explain())
