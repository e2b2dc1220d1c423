"""The latest last day of a window whose year's holiday notice is not yet known.

API.md Contract 1.1: a petitioner's window never lapses on a provisional date; while
a year's notice is missing it lapses only after the latest last day any lawful
arrangement could give. This module computes that day (docs/calendar.md).

The windows (请求复查 《信访工作条例》第三十五条, 请求复核 第三十六条第一款: “自收到
书面答复之日起30日内”) count calendar days, so their nominal last day L does not
depend on the calendar; only the roll-forward over rest days does (《民法典》
第二百零三条, by analogy). A notice can do two things to the days after L: add rest
days around the statutory days (第七条 调休, 第六条 补假), which can only move the
end later, and turn weekend days into make-up working days, which can only move it
earlier. So the latest end is the first day on or after L that no notice can make a
rest day: a working day in the loaded calendar that lies neither ``REST_BEFORE``
days before nor ``REST_AFTER`` days after a statutory day (第二条) of a year whose
notice is missing.

``REST_BEFORE`` = 2 and ``REST_AFTER`` = 5 are the farthest any weekday rest day
reached from a statutory day in the official data of 2004–2026 (before: e.g. Mon
2008-09-29 before 国庆节; after: Thu 2009-10-08 after 中秋 on 10-03 and Thu
2020-10-08 after 国庆节 10-03). One-off decisions outside 第二条 (the 2015-09-03
anniversary) are not covered: loading the year recomputes every deadline and
reopens a window that lapsed too early. A test recomputes both limits from
chinesecalendar, so a data release that exceeds them fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rules.calendar import WorkingCalendar
from rules.deadlines import DayUnit
from rules.due_dates import DueDate, Step, StepKind
from rules.statutory import statutory_days
from rules.time import end_of_day

REST_BEFORE = 2
REST_AFTER = 5
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LatestLastDay:
    """The last day under the loaded calendar and the latest any notice could give."""

    due_on: date
    latest_on: date
    unknown_years: tuple[int, ...]
    """Years whose missing notice could still move the last day (empty: settled)."""
    steps: tuple[Step, ...]
    """One step per day from the nominal last day to ``latest_on``."""
    summary: str

    @property
    def settled(self) -> bool:
        """No missing notice can change the last day (then ``latest_on == due_on``)."""
        return not self.unknown_years

    @property
    def ends_at(self) -> datetime:
        """24:00 Asia/Shanghai of ``latest_on``, as UTC: the window is open until then."""
        return end_of_day(self.latest_on)

    def explain(self) -> list[str]:
        """The summary line, then one line per day."""
        return [self.summary, *(f"{step.day.isoformat()} {step.note}" for step in self.steps)]


def latest_last_day(due: DueDate, calendar: WorkingCalendar) -> LatestLastDay:
    """The latest last day any holiday arrangement could give ``due``.

    ``due`` must be a calendar-day period computed with ``calendar`` (both petitioner
    windows are). Where no missing notice can reach the days after its nominal last
    day, the answer is ``due.due_on`` itself.

    Raises:
        ValueError: for a working-day period (its count, not only its end, would move).
    """
    if due.unit is not DayUnit.CALENDAR:
        raise ValueError(f"{due.rule_id}: only calendar-day periods have a roll-forward bound")
    steps: list[Step] = []
    unknown: set[int] = set()
    day = due.nominal_due_on
    while True:
        info = calendar.info(day)
        near = _unknown_statutory_near(day, calendar)
        if info.working:
            if near is None:
                break  # no notice can make it a rest day
            unknown.add(near.year)
            note = _possible_rest(info.label(), day, near)
        else:
            note = info.label()
            if info.statutory is None and not calendar.is_official(day.year):
                unknown.add(day.year)  # a weekend the notice may make a make-up day
                note += f"（{day.year}年放假安排尚未公布）"
        steps.append(Step(day, StepKind.SHIFT, f"{note}，顺延"))
        day += _DAY
    years = tuple(sorted(unknown))
    last = "无论放假安排如何均为工作日，最晚届满日" if years else "届满日"
    steps.append(Step(day, StepKind.DUE, f"{info.label()}，{last}"))
    return LatestLastDay(due.due_on, day, years, tuple(steps), _summary(due, day, years))


def _unknown_statutory_near(day: date, calendar: WorkingCalendar) -> date | None:
    """The statutory day of a year without official data whose possible block holds ``day``.

    The last such day on or before ``day`` if any (a block runs on after it), else the
    first after it.
    """
    near = [
        holiday
        for year in (day.year - 1, day.year, day.year + 1)
        if not calendar.is_official(year)
        for holiday in statutory_days(year)
        if -REST_AFTER <= (holiday - day).days <= REST_BEFORE
    ]
    before = [holiday for holiday in near if holiday <= day]
    return max(before) if before else min(near, default=None)


def _possible_rest(label: str, day: date, holiday: date) -> str:
    name = statutory_days(holiday.year)[holiday]
    offset = (day - holiday).days
    if offset == 0:  # rest by law whatever the notice says, even in a calendar without it
        return f"{name} 法定节假日（《全国年节及纪念日放假办法》第二条）"
    side = "后" if offset > 0 else "前"
    return (
        f"{label}，为{name}（{holiday}）{side}第{abs(offset)}日，"
        f"{holiday.year}年放假安排尚未公布，可能调休放假"
    )


def _summary(due: DueDate, latest: date, years: tuple[int, ...]) -> str:
    head = f"{due.article}（{due.title}）" if due.title else due.article
    if not years:
        return f"{head}：届满日 {due.due_on} 不受尚未公布的放假安排影响"
    listed = "、".join(str(year) for year in years)
    return (
        f"{head}：按已载日历届满日为 {due.due_on}；{listed}年放假安排尚未公布，"
        f"以《全国年节及纪念日放假办法》第二条规定的法定节假日为休息日，并以2004—2026年"
        f"各年放假安排中调休休息日最远在法定节假日前{REST_BEFORE}日、后{REST_AFTER}日以内推算，"
        f"任何放假安排下最晚届满日为 {latest}；该日二十四时前不认定期限已过"
    )
