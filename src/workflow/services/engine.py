"""The engine: everything a decision needs, built once by bootstrap and shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules import NoRuleSetInForce, RuleBook, RuleSet, RuleSetChoice, WorkingCalendar
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

    def rule_set_for(self, day: date, unit_code: str | None = None) -> RuleSet:
        """The rule set in force on ``day``; with a unit, a local overlay over its subtree."""
        return self.choose_rule_set(day, unit_code).rule_set

    def choose_rule_set(self, day: date, unit_code: str | None = None) -> RuleSetChoice:
        """The rule set for a clock starting on ``day`` whose responsible unit is ``unit_code``,
        with the reason its explanation gives (``RuleBook.choose``)."""
        try:
            return self.rule_book.choose(day, self.lineage(unit_code))
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

    def lineage(self, code: str | None) -> tuple[str, ...]:
        """A unit's codes from the root down to it; () for none or an unknown code, which
        no overlay's ``units`` can then claim."""
        unit = self.find_unit(code)
        return () if unit is None else unit.lineage
