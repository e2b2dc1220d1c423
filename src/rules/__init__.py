"""Pure legal rules of petition (信访) work: deadlines, calendars, routing, guards.

No I/O, no clock, no framework: given facts and dates, this package answers
what is due, on which date, under which article, and why. See DESIGN.md.
"""

from __future__ import annotations

from rules.admissibility import (
    DeclineReason,
    Verdict,
    check_extension,
    check_not_finalized,
    check_representatives,
    check_window,
    decline_citation,
)
from rules.calendar import CalendarData, DayInfo, DayKind, WorkingCalendar
from rules.calendar_sources import (
    bundled_overrides,
    chinesecalendar_data,
    default_calendar,
    format_year_file,
    parse_year_file,
    with_statutory_days,
)
from rules.citations import Citation
from rules.classification import PetitionType, Route, RouteDecision, UnitKind, decide_route
from rules.counting import DueDate, Pause, Step, StepKind, check_within, compute_due
from rules.deadlines import ClockKind, DayUnit, DeadlineRule, ExtensionPolicy
from rules.errors import (
    AmbiguousRuleSet,
    CalendarFileInvalid,
    NoRuleSetInForce,
    RuleError,
    RuleViolation,
    UnknownRule,
)
from rules.provisional import LatestLastDay, latest_last_day
from rules.rulesets import (
    HandlingScope,
    RuleBook,
    RuleSet,
    RuleSetChoice,
    apply_overlay,
    builtin_rule_sets,
    default_rule_book,
    load_overlay,
)
from rules.statutory import statutory_days
from rules.time import SHANGHAI, end_of_day, local_date, start_of_day

__all__ = [
    "SHANGHAI",
    "AmbiguousRuleSet",
    "CalendarData",
    "CalendarFileInvalid",
    "Citation",
    "ClockKind",
    "DayInfo",
    "DayKind",
    "DayUnit",
    "DeadlineRule",
    "DeclineReason",
    "DueDate",
    "ExtensionPolicy",
    "HandlingScope",
    "LatestLastDay",
    "NoRuleSetInForce",
    "Pause",
    "PetitionType",
    "Route",
    "RouteDecision",
    "RuleBook",
    "RuleError",
    "RuleSet",
    "RuleSetChoice",
    "RuleViolation",
    "Step",
    "StepKind",
    "UnitKind",
    "UnknownRule",
    "Verdict",
    "WorkingCalendar",
    "apply_overlay",
    "builtin_rule_sets",
    "bundled_overrides",
    "check_extension",
    "check_not_finalized",
    "check_representatives",
    "check_window",
    "check_within",
    "chinesecalendar_data",
    "compute_due",
    "decide_route",
    "decline_citation",
    "default_calendar",
    "default_rule_book",
    "end_of_day",
    "format_year_file",
    "latest_last_day",
    "load_overlay",
    "local_date",
    "parse_year_file",
    "start_of_day",
    "statutory_days",
    "with_statutory_days",
]
