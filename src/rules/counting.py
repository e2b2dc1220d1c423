"""Counting a period: from a triggering event to the due date, day by day.

The regulations contain no counting clause, so the 民法典 rules apply by analogy
(regulations.md §4.1, DESIGN.md "Deadlines"):

* 《民法典》第二百零一条: “开始的当日不计入，自下一日开始计算” — day 1 is the
  day after the triggering event.
* 《民法典》第二百零三条: if the last day is a 法定休假日 the period ends on the
  day after the rest days; weekends count as rest days and 调休 make-up working
  days as working days.
* 《民法典》第一千二百五十九条: “以内、届满” include the number itself, so day 15
  of “15日内” is still in time.

A working-day period (e.g. “5个工作日”) counts only working days, so its last
day is always a working day and never rolls forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from rules.calendar import DayInfo, DayKind, WorkingCalendar
from rules.deadlines import DayUnit, DeadlineRule
from rules.due_dates import DueDate, Pause, Step, StepKind
from rules.errors import RuleViolation

__all__ = ["DueDate", "Pause", "Step", "StepKind", "check_within", "compute_due"]

_DAY = timedelta(days=1)


def compute_due(
    rule: DeadlineRule,
    rule_set_id: str,
    trigger_on: date,
    calendar: WorkingCalendar,
    *,
    period_days: int | None = None,
    extension_days: int = 0,
    pauses: Sequence[Pause] = (),
    chosen_because: str = "",
) -> DueDate:
    """Compute the due date of ``rule`` for an event on ``trigger_on``.

    Args:
        rule: the deadline rule.
        rule_set_id: the id of the rule set the rule was taken from (recorded).
        trigger_on: the day of the triggering event (not counted).
        calendar: the working-day calendar.
        period_days: the per-case period, required when ``rule.period_days`` is None.
        extension_days: approved extension, in the rule's unit.
        pauses: excluded intervals (hearings), for pausable rules only.
        chosen_because: why the rule set applies (``RuleSetChoice.because``), put
            first in the explanation; the counting itself does not depend on it.

    Raises:
        RuleViolation: ``period-required`` / ``period-invalid`` / ``period-fixed``
            for a missing, non-positive or conflicting period; ``extension-limit``
            for an extension the rule does not allow; ``pause-not-allowed`` /
            ``pause-invalid`` for pauses the rule or the dates do not allow.
    """
    return _computed(
        rule,
        rule_set_id,
        trigger_on,
        calendar,
        period_days,
        extension_days,
        tuple(pauses),
        chosen_because,
    )


# Memoised: the result depends on nothing but the arguments (the calendar is immutable,
# a new import builds a new one), DueDate is frozen, and a day's registrations all walk
# the same days under the same rules. Refusals (RuleViolation) are not cached. A
# DueDate keeps a step per day (a few KB for a 60-day period), so the cache is kept to a
# few days' worth of distinct questions: a few MB at most, whatever the number of matters.
@lru_cache(maxsize=512)
def _computed(
    rule: DeadlineRule,
    rule_set_id: str,
    trigger_on: date,
    calendar: WorkingCalendar,
    period_days: int | None,
    extension_days: int,
    pauses: tuple[Pause, ...],
    chosen_because: str,
) -> DueDate:
    period = _period(rule, period_days)
    _check_extension(rule, extension_days)
    ordered = _check_pauses(rule, trigger_on, pauses)
    walk = _Walk(rule, calendar, period, extension_days, ordered)
    walk.count(trigger_on)
    nominal = walk.steps[-1].day
    _check_pauses_used(rule, ordered, nominal)
    rolled = walk.finish()
    due = _due_date(rule, rule_set_id, walk, period, extension_days, nominal, rolled)
    return replace(due, chosen_because=chosen_because) if chosen_because else due


def check_within(due: DueDate, day: date) -> bool:
    """Whether an act on ``day`` meets the deadline (the due day itself is in time)."""
    return day <= due.due_on


def _period(rule: DeadlineRule, given: int | None) -> int:
    period = rule.period_days if given is None else given
    if period is None:
        raise RuleViolation(
            "period-required", f"规则“{rule.title}”的期限须逐案指定", rule.citation, rule=rule.id
        )
    if given is not None and rule.period_days is not None and given != rule.period_days:
        # A statutory period is not a per-case choice; local variants are overlays.
        raise RuleViolation(
            "period-fixed",
            f"规则“{rule.title}”的法定期限为{rule.period_days}日，不得逐案改为{given}日",
            rule.citation,
            rule=rule.id,
        )
    if period <= 0:
        raise RuleViolation("period-invalid", f"期限须为正数，得到{period}", rule.citation)
    return period


def _check_extension(rule: DeadlineRule, days: int) -> None:
    if days == 0:
        return
    policy = rule.extension
    if days < 0:
        raise RuleViolation("extension-limit", f"延长天数不得为负数：{days}", rule.citation)
    if policy is None:
        raise RuleViolation(
            "extension-limit", f"“{rule.title}”无延长规定，不得延长", rule.citation, rule=rule.id
        )
    if days > policy.max_total_days:
        raise RuleViolation(
            "extension-limit",
            f"延长期限不得超过{policy.max_total_days}日，申请延长{days}日",
            policy.citation,
            rule=rule.id,
        )


def _check_pauses(rule: DeadlineRule, trigger_on: date, pauses: Sequence[Pause]) -> list[Pause]:
    if not pauses:
        return []
    if not rule.pausable:
        raise RuleViolation(
            "pause-not-allowed", f"“{rule.title}”的期限不因听证等暂停计算", rule.citation
        )
    ordered = sorted(pauses, key=lambda pause: pause.start)
    for index, pause in enumerate(ordered):
        if pause.end < pause.start:
            raise _pause_invalid(rule, f"暂停结束日 {pause.end} 早于开始日 {pause.start}")
        if pause.start <= trigger_on:
            raise _pause_invalid(rule, f"暂停开始日 {pause.start} 不晚于起算事件日 {trigger_on}")
        if index and pause.start <= ordered[index - 1].end:
            raise _pause_invalid(rule, f"暂停期间重叠：{ordered[index - 1]} 与 {pause}")
    return ordered


def _check_pauses_used(rule: DeadlineRule, pauses: list[Pause], last_counted: date) -> None:
    for pause in pauses:
        if pause.start > last_counted:
            raise _pause_invalid(
                rule, f"暂停开始日 {pause.start} 在期限届满（{last_counted}）之后，无从暂停"
            )


def _pause_invalid(rule: DeadlineRule, reason: str) -> RuleViolation:
    return RuleViolation("pause-invalid", reason, rule.pause_citation or rule.citation)


@dataclass
class _Walk:
    """Walks the calendar from the trigger day, recording one step per day."""

    rule: DeadlineRule
    calendar: WorkingCalendar
    period: int
    extension: int
    pauses: list[Pause]

    def __post_init__(self) -> None:
        self.steps: list[Step] = []
        self.paused = 0

    def count(self, trigger_on: date) -> None:
        """Record steps until the period and the extension are used up."""
        self.steps.append(Step(trigger_on, StepKind.TRIGGER, _trigger_note(self.rule)))
        counted, day = 0, trigger_on
        while counted < self.period + self.extension:
            day += _DAY
            info = self.calendar.info(day)
            if self._paused(info):
                continue
            if self.rule.unit is DayUnit.WORKING and not info.working:
                self.steps.append(Step(day, StepKind.SKIP, f"{info.label()}，不计入"))
                continue
            counted += 1
            self.steps.append(self._counted_step(info, counted))

    def _paused(self, info: DayInfo) -> bool:
        if not any(pause.covers(info.day) for pause in self.pauses):
            return False
        if self.rule.unit is DayUnit.CALENDAR or info.working:
            self.paused += 1
        note = f"暂停计算，不计入（{self.rule.pause_citation}）"
        self.steps.append(Step(info.day, StepKind.PAUSE, note))
        return True

    def _counted_step(self, info: DayInfo, counted: int) -> Step:
        unit = "日" if self.rule.unit is DayUnit.CALENDAR else "个工作日"
        if counted <= self.period:
            kind, text = StepKind.COUNT, f"第{counted}{unit}"
        else:
            kind, text = StepKind.EXTEND, f"延长期第{counted - self.period}{unit}"
        if info.kind is not DayKind.WORKDAY:
            text += f"，{info.label()}，计入"
        return Step(info.day, kind, text)

    def finish(self) -> bool:
        """Mark the due day, rolling forward over rest days if the rule says so."""
        last = self.steps[-1]
        if not self.rule.roll_forward or self.calendar.is_working_day(last.day):
            self.steps[-1] = Step(last.day, StepKind.DUE, f"{last.note}，届满日")
            return False
        self.steps[-1] = Step(last.day, last.kind, f"{last.note}，届满日为休息日，顺延")
        day = last.day + _DAY
        while not self.calendar.is_working_day(day):
            self.steps.append(Step(day, StepKind.SHIFT, f"{self.calendar.info(day).label()}，顺延"))
            day += _DAY
        info = self.calendar.info(day)
        self.steps.append(Step(day, StepKind.DUE, f"{info.label()}，顺延后的届满日"))
        return True


def _trigger_note(rule: DeadlineRule) -> str:
    return f"起算事件：{rule.starts_from}（当日不计入，次日起算）"


def _due_date(
    rule: DeadlineRule,
    rule_set_id: str,
    walk: _Walk,
    period: int,
    extension: int,
    nominal: date,
    rolled: bool,
) -> DueDate:
    trigger_on, due_on = walk.steps[0].day, walk.steps[-1].day
    years = tuple(
        year
        for year in range(trigger_on.year, due_on.year + 1)
        if not walk.calendar.is_official(year)
    )
    due = DueDate(
        rule_id=rule.id,
        rule_set=rule_set_id,
        article=str(rule.citation),
        trigger_on=trigger_on,
        starts_on=trigger_on + _DAY,
        period_days=period,
        unit=rule.unit,
        extension_days=extension,
        paused_days=walk.paused,
        nominal_due_on=nominal,
        due_on=due_on,
        rolled_forward=rolled,
        provisional=bool(years),
        provisional_years=years,
        steps=tuple(walk.steps),
        title=rule.title,
        citation=rule.citation,
    )
    summary = _summary(rule, due, walk.calendar.info(nominal))
    return replace(due, summary=summary)


def _summary(rule: DeadlineRule, due: DueDate, nominal: DayInfo) -> str:
    unit = "日" if due.unit is DayUnit.CALENDAR else "个工作日"
    text = f"{due.article}（{rule.title}）：{due.trigger_on} {rule.starts_from}，"
    text += f"次日起算{due.period_days}{unit}"
    if due.extension_days:
        text += f"，经批准延长{due.extension_days}{unit}"
    if due.paused_days:
        text += f"，暂停计算{due.paused_days}{unit}不计入"
    if due.rolled_forward:
        text += f"，届满日 {due.nominal_due_on} 为{nominal.phrase()}，顺延至 {due.due_on}"
    else:
        text += f"，届满日 {due.due_on}"
    if due.provisional:
        years = "、".join(str(year) for year in due.provisional_years)
        text += f"（{years}年节假日安排尚无官方数据，届满日为暂定）"
    return text
