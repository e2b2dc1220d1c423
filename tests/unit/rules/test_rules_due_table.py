"""Worked deadline examples, one row per legal edge case (regulations.md §4.3).

Each row: (rule set, rule, triggering day, expected due day) and a comment with
the reason. Counting: start day excluded (民法典第二百零一条); a calendar-day period
whose last day is a rest day rolls to the next working day (民法典第二百零三条, by
analogy); 调休 make-up days are working days.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rules import (
    DayUnit,
    NoRuleSetInForce,
    Pause,
    StepKind,
    compute_due,
    default_calendar,
    default_rule_book,
    parse_year_file,
)

CALENDAR = default_calendar()
BOOK = default_rule_book()
SAMPLE_2027 = parse_year_file((Path(__file__).parent / "data" / "2027-sample.toml").read_text())
CALENDAR_WITH_2027 = default_calendar([SAMPLE_2027])

# (rule_set, rule, trigger, expected due, rolled forward?)
CASES = [
    # §4.3: Fri 2026-02-13 + 15 = Sat 02-28, a 调休 make-up working day: no roll-forward.
    ("xinfang-2022", "route", date(2026, 2, 13), date(2026, 2, 28), False),
    # §4.3: Tue 2026-09-22 + 15 = 10-07, 国庆节 holiday -> first working day Thu 10-08.
    ("xinfang-2022", "route", date(2026, 9, 22), date(2026, 10, 8), True),
    # §4.3: Tue 2025-09-16 + 15 = 10-01; 国庆+中秋 run to 10-08 -> Thu 10-09.
    ("xinfang-2022", "route", date(2025, 9, 16), date(2025, 10, 9), True),
    # §4.3: Mon 2026-04-20 + 15 = 05-05, 劳动节 holiday -> Wed 05-06.
    ("xinfang-2022", "route", date(2026, 4, 20), date(2026, 5, 6), True),
    # §4.3: 5 working days from Thu 2026-02-12: 02-13, 02-14 (make-up Sat), 02-24, 02-25, 02-26.
    ("xinfang-2022", "object", date(2026, 2, 12), date(2026, 2, 26), False),
    # §4.3: 5 working days from Tue 2026-09-29: 09-30, 10-08, 10-09, 10-10 (make-up Sat), Mon 10-12.
    ("xinfang-2022", "object", date(2026, 9, 29), date(2026, 10, 12), False),
    # Ordinary week: 5 working days from Mon 2026-03-02 skip one weekend -> Mon 03-09.
    ("xinfang-2022", "object", date(2026, 3, 2), date(2026, 3, 9), False),
    # Spring Festival 2026: Sat 01-31 + 15 = 02-15 (春节, 02-15..02-23) -> Tue 02-24.
    ("xinfang-2022", "route", date(2026, 1, 31), date(2026, 2, 24), True),
    # Ordinary weekend: Fri 03-06 + 15 = Sat 03-21 -> Mon 03-23.
    ("xinfang-2022", "route", date(2026, 3, 6), date(2026, 3, 23), True),
    # Weekday last day: Mon 03-02 + 15 = Tue 03-17, no roll.
    ("xinfang-2022", "notice_direct", date(2026, 3, 2), date(2026, 3, 17), False),
    # Make-up Sunday 2026-01-04 (元旦) as the last day, across the year boundary: no roll.
    ("xinfang-2022", "notice_transfer", date(2025, 12, 20), date(2026, 1, 4), False),
    # Make-up Saturday 2026-10-10 (国庆节) as the last day: no roll.
    ("xinfang-2022", "notice_transfer", date(2026, 9, 25), date(2026, 10, 10), False),
    # Make-up Saturday 2026-02-14 (春节) as the last day, the day before the holiday: no roll.
    ("xinfang-2022", "route", date(2026, 1, 30), date(2026, 2, 14), False),
    # 60-day handling (art 34): Mon 03-02 + 60 = 05-01 (劳动节 05-01..05-05) -> Wed 05-06.
    ("xinfang-2022", "handle", date(2026, 3, 2), date(2026, 5, 6), True),
    # 60 days crossing Spring Festival 2026: holidays inside a calendar-day period still count.
    ("xinfang-2022", "handle", date(2026, 1, 5), date(2026, 3, 6), False),
    # Review window (art 35): Thu 09-10 + 30 = make-up Sat 10-10, in time that day.
    ("xinfang-2022", "review_request", date(2026, 9, 10), date(2026, 10, 10), False),
    # 2005 regulation (art 21): Mon 2021-09-20 + 15 = 10-05 (国庆节) -> Fri 10-08.
    ("xinfang-2005", "route", date(2021, 9, 20), date(2021, 10, 8), True),
    # 2005 art 36: 2020-01-10 + 30 = Sun 02-09 (after the extended 2020 春节) -> Mon 02-10.
    ("xinfang-2005", "supervise_feedback", date(2020, 1, 10), date(2020, 2, 10), True),
    # First day of the 2005 regulation, itself a 劳动节 holiday: the trigger day never counts.
    ("xinfang-2005", "route", date(2005, 5, 1), date(2005, 5, 16), False),
    # 2005 handling (art 33), just before the switch: 2022-04-29 + 60 = Tue 06-28.
    ("xinfang-2005", "handle", date(2022, 4, 29), date(2022, 6, 28), False),
]


@pytest.mark.parametrize(("rule_set_id", "rule_id", "trigger", "expected", "rolled"), CASES)
def test_worked_examples(
    rule_set_id: str, rule_id: str, trigger: date, expected: date, rolled: bool
) -> None:
    rule_set = BOOK.get(rule_set_id)
    due = compute_due(rule_set.rule(rule_id), rule_set.id, trigger, CALENDAR)
    assert due.due_on == expected
    assert due.rolled_forward is rolled
    assert due.provisional is False
    assert due.starts_on.toordinal() == trigger.toordinal() + 1


def test_explanation_names_the_holiday_and_the_article() -> None:
    rule_set = BOOK.get("xinfang-2022")
    due = compute_due(rule_set.rule("route"), rule_set.id, date(2026, 9, 22), CALENDAR)
    summary = due.explain()[0]
    assert summary.startswith("《信访工作条例》第二十二条第一款")
    assert "次日起算15日" in summary
    # 10-07 is not one of 第二条's 国庆节 days (10-01..10-03): the notice added it.
    assert "届满日 2026-10-07 为国庆节调休休息日，顺延至 2026-10-08" in summary
    assert due.nominal_due_on == date(2026, 10, 7)


def test_working_day_steps_explain_skipped_rest_days() -> None:
    rule_set = BOOK.get("xinfang-2022")
    due = compute_due(rule_set.rule("object"), rule_set.id, date(2026, 2, 12), CALENDAR)
    kinds = {step.day: step.kind for step in due.steps}
    assert kinds[date(2026, 2, 14)] is StepKind.COUNT  # make-up Saturday counts
    assert kinds[date(2026, 2, 17)] is StepKind.SKIP  # 春节
    notes = {step.day: step.note for step in due.steps}
    assert "调休上班日（春节），计入" in notes[date(2026, 2, 14)]
    assert notes[date(2026, 2, 17)] == "春节 法定节假日，不计入"  # 正月初一 (第二条（二）)
    assert notes[date(2026, 2, 21)] == "周六，周末（春节假期），不计入"
    assert notes[date(2026, 2, 23)] == "春节 调休休息日，不计入"
    assert due.unit is DayUnit.WORKING and due.rolled_forward is False


# --- 2005 / 2022 switch (信访工作条例第五十条: 2022-05-01 施行) -----------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2005, 5, 1), "xinfang-2005"),  # 《信访条例》第五十一条: 2005-05-01 施行
        (date(2022, 4, 30), "xinfang-2005"),  # last day before the new regulation
        (date(2022, 5, 1), "xinfang-2022"),  # 《信访工作条例》第五十条
        (date(2026, 9, 22), "xinfang-2022"),
    ],
)
def test_rule_set_in_force(day: date, expected: str) -> None:
    assert BOOK.for_date(day).id == expected


@pytest.mark.parametrize("day", [date(2004, 6, 1), date(2005, 4, 30)])
def test_no_rule_set_before_2005_05_01(day: date) -> None:
    # 2004 is in the calendar data, but no petition regulation in this engine covers it.
    with pytest.raises(NoRuleSetInForce, match="2005-05-01"):
        BOOK.for_date(day)


def test_objection_window_exists_only_from_2022() -> None:
    assert BOOK.for_date(date(2022, 5, 1)).has_rule("object")
    assert not BOOK.for_date(date(2022, 4, 30)).has_rule("object")


# --- extensions and pauses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "expected"),
    [
        (0, date(2026, 5, 6)),  # 60 days: 05-01 holiday -> 05-06
        (10, date(2026, 5, 11)),  # 70 days: Mon 05-11
        (30, date(2026, 6, 1)),  # art 34 maximum: 90 days = Sun 05-31 -> Mon 06-01
    ],
)
def test_handling_extension(extension: int, expected: date) -> None:
    rule_set = BOOK.get("xinfang-2022")
    due = compute_due(
        rule_set.rule("handle"), rule_set.id, date(2026, 3, 2), CALENDAR, extension_days=extension
    )
    assert due.due_on == expected
    # The last extended day may be the DUE step itself, so count by note.
    assert sum(step.note.startswith("延长期") for step in due.steps) == extension


def test_hearing_pause_adds_its_days_then_rolls_forward() -> None:
    # 信访工作条例第三十六条第二款: hearing time is not counted. 03-02 + 30 + 3 = Sat 04-04,
    # 清明 (04-04..04-06) -> Tue 04-07.
    rule_set = BOOK.get("xinfang-2022")
    hearing = Pause(date(2026, 3, 10), date(2026, 3, 12))
    due = compute_due(
        rule_set.rule("re_review"), rule_set.id, date(2026, 3, 2), CALENDAR, pauses=[hearing]
    )
    assert due.paused_days == 3
    assert due.nominal_due_on == date(2026, 4, 4)
    assert due.due_on == date(2026, 4, 7)
    assert [step.day for step in due.steps if step.kind is StepKind.PAUSE] == [
        date(2026, 3, 10),
        date(2026, 3, 11),
        date(2026, 3, 12),
    ]


# --- provisional years and recomputation -----------------------------------------------------


def test_handling_into_2027_is_provisional() -> None:
    rule_set = BOOK.get("xinfang-2022")
    due = compute_due(rule_set.rule("handle"), rule_set.id, date(2026, 11, 20), CALENDAR)
    assert due.due_on == date(2027, 1, 19)
    assert due.provisional is True
    assert due.provisional_years == (2027,)
    assert "2027年节假日安排尚无官方数据" in due.explain()[0]


@pytest.mark.parametrize(
    ("rule_id", "trigger", "before", "after"),
    [
        # Same date, but the year becomes official once the (sample) notice is loaded.
        ("handle", date(2026, 11, 20), date(2027, 1, 19), date(2027, 1, 19)),
        # Nominal Mon 2027-02-08 is 正月初三, a statutory day (第二条（二）) even before the
        # notice -> Tue 02-09; the sample 春节 block (02-05..02-13) moves it to Mon 02-15.
        ("handle", date(2026, 12, 10), date(2027, 2, 9), date(2027, 2, 15)),
        # Working days: Fri 2027-01-01 is 元旦 (第二条（一）) with or without the notice,
        # so the provisional count already ends Tue 01-05; loading only confirms it.
        ("object", date(2026, 12, 28), date(2027, 1, 5), date(2027, 1, 5)),
    ],
)
def test_loading_2027_makes_it_official(
    rule_id: str, trigger: date, before: date, after: date
) -> None:
    rule_set = BOOK.get("xinfang-2022")
    rule = rule_set.rule(rule_id)
    provisional = compute_due(rule, rule_set.id, trigger, CALENDAR)
    recomputed = compute_due(rule, rule_set.id, trigger, CALENDAR_WITH_2027)
    assert (provisional.due_on, provisional.provisional) == (before, True)
    assert (recomputed.due_on, recomputed.provisional) == (after, False)
    assert recomputed.provisional_years == ()
