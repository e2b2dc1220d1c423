"""The engine: everything a decision needs, built once by bootstrap and shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules import NoRuleSetInForce, RuleBook, RuleSet, WorkingCalendar
from workflow.domain.errors import InvalidCommand
from workflow.domain.units import Unit, UnitDirectory
from workflow.statechart import Chart, ChartMachine


@dataclass(frozen=True)
class EngineSettings:
    warning_days: int = 3
    timezone: str = "Asia/Shanghai"


class Engine:
    def __init__(
        self,
        chart: Chart,
        rule_book: RuleBook,
        calendar: WorkingCalendar,
        units: UnitDirectory,
        supervision_chart: Chart,
        settings: EngineSettings | None = None,
    ) -> None:
        self.chart = chart
        self.supervision_chart = supervision_chart
        self.machine = ChartMachine(chart, {"supervision": ChartMachine(supervision_chart)})
        self.rule_book = rule_book
        self.calendar = calendar
        self.units = units
        self.settings = settings or EngineSettings()

    def rule_set_for(self, day: date) -> RuleSet:
        try:
            return self.rule_book.for_date(day)
        except NoRuleSetInForce:
            raise InvalidCommand(
                f"no petition regulation was in force on {day.isoformat()} "
                "(信访条例 took effect on 2005-05-01)",
                field="date",
            ) from None

    def unit(self, code: str) -> Unit:
        found = self.units.get(code)
        if found is None:
            raise InvalidCommand(f"unknown unit {code}", field="unit", unit=code)
        return found

    def find_unit(self, code: str | None) -> Unit | None:
        return None if code is None else self.units.get(code)
