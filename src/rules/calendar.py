"""The working-day calendar: which days are working days in mainland China.

Holidays and make-up working days (调休上班) are explicit exceptions to the rule
"Monday to Friday work, Saturday and Sunday rest"; the exceptions for each year
come from the 国务院办公厅 annual notice. A year without official data is reported
as not official, so callers mark any deadline that touches it as provisional
(DESIGN.md "Deadlines"); :func:`rules.calendar_sources.default_calendar` still makes
the statutory days of 第二条 rest days in such a year (:mod:`rules.statutory`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from rules.statutory import statutory_days

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class DayKind(StrEnum):
    """What kind of day a date is for counting purposes."""

    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class DayInfo:
    """One day of the calendar; ``official`` is False for a year without official data.

    ``name`` is the holiday block (or make-up day) the calendar data gives the day;
    ``statutory`` is the festival when the day is itself a statutory holiday under
    《全国年节及纪念日放假办法》第二条, which holds whatever the year's notice says.
    """

    day: date
    kind: DayKind
    name: str | None
    official: bool
    statutory: str | None = None

    @property
    def working(self) -> bool:
        """Make-up working days (调休上班) are working days."""
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    def label(self) -> str:
        """A short Chinese description of the day, for one step of a period.

        ``国庆节 法定节假日`` (a day 第二条 fixes), ``国庆节 调休休息日`` (a weekday the
        notice adds to the block), ``周六，周末（国庆节假期）`` (an ordinary weekend
        inside the block), ``周六，周末``, ``调休上班日（国庆节）`` or ``周一，工作日``.
        """
        weekday = WEEKDAY_NAMES[self.day.weekday()]
        if self.kind is DayKind.MAKEUP_WORKDAY:
            return f"调休上班日（{self.name}）"
        if self.statutory is not None and not self.working:
            return f"{self.statutory} 法定节假日"
        if self.kind is DayKind.HOLIDAY:
            if self.day.weekday() < 5:
                return f"{self.name} 调休休息日"
            return f"{weekday}，周末（{self.name}假期）"
        return f"{weekday}，周末" if self.kind is DayKind.WEEKEND else f"{weekday}，工作日"

    def phrase(self) -> str:
        """The description as it reads after 为 in a sentence.

        ``国庆节法定节假日``, ``国庆节调休休息日``, ``周六（国庆节假期）``, ``周六``.
        """
        if self.working or self.statutory is not None or self.day.weekday() < 5:
            return self.label().replace(" ", "")
        weekday = WEEKDAY_NAMES[self.day.weekday()]
        return f"{weekday}（{self.name}假期）" if self.kind is DayKind.HOLIDAY else weekday


def _frozen(mapping: Mapping[date, str]) -> Mapping[date, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class CalendarData:
    """Holiday and make-up-workday tables, and which years they officially cover."""

    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    official_years: frozenset[int]
    sources: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views: a calendar shared by every request must not be mutated.
        object.__setattr__(self, "holidays", _frozen(self.holidays))
        object.__setattr__(self, "workdays", _frozen(self.workdays))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    def __hash__(self) -> int:
        # Consistent with field equality; the mappings themselves are unhashable.
        return hash((self.official_years, len(self.holidays), len(self.workdays)))

    def __reduce__(self) -> tuple[type[CalendarData], tuple[object, ...]]:
        # Pickled as plain dicts (read-only views cannot be pickled): sweep worker
        # processes decide with the calendar of the process that starts them.
        plain = (dict(self.holidays), dict(self.workdays), self.official_years)
        return CalendarData, (*plain, dict(self.sources))

    @property
    def years(self) -> frozenset[int]:
        """Every year this data says something about (official or provisional)."""
        entries = {d.year for d in self.holidays} | {d.year for d in self.workdays}
        return self.official_years | frozenset(self.sources) | frozenset(entries)

    def merged(self, other: CalendarData) -> CalendarData:
        """Overlay ``other`` on this data, year by year.

        A year that ``other`` marks official replaces this data's year wholesale,
        so an override file fixes errata. Provisional data in ``other`` only fills
        years that are not official here: it never downgrades official data.
        """
        replaced = other.official_years | (other.years - self.official_years)
        return CalendarData(
            holidays=_pick(self.holidays, other.holidays, replaced),
            workdays=_pick(self.workdays, other.workdays, replaced),
            official_years=(self.official_years - replaced) | other.official_years,
            sources={
                **{y: s for y, s in self.sources.items() if y not in replaced},
                **{y: s for y, s in other.sources.items() if y in replaced},
            },
        )


def _pick(
    mine: Mapping[date, str], theirs: Mapping[date, str], replaced: frozenset[int]
) -> dict[date, str]:
    kept = {d: n for d, n in mine.items() if d.year not in replaced}
    kept.update({d: n for d, n in theirs.items() if d.year in replaced})
    return kept


class WorkingCalendar:
    """Answers "is this a working day?" from :class:`CalendarData`.

    Lookups are two dict probes and ``weekday()``: deadline sweeps call this
    millions of times. Provisional entries for a non-official year are honoured
    (they are a better guess than weekends only) but the day stays ``official=False``.
    """

    __slots__ = ("_data", "_holidays", "_infos", "_official", "_workdays")

    def __init__(self, data: CalendarData) -> None:
        self._data = data
        self._holidays: dict[date, str] = dict(data.holidays)
        self._workdays: dict[date, str] = dict(data.workdays)
        self._official: frozenset[int] = data.official_years
        # Memo of built DayInfo values: the calendar is immutable, and deadline
        # walks ask about the same few thousand days over and over.
        self._infos: dict[date, DayInfo] = {}

    @property
    def data(self) -> CalendarData:
        """The tables this calendar was built from."""
        return self._data

    def is_official(self, year: int) -> bool:
        """Whether the year's 调休 arrangement is known from an official notice."""
        return year in self._official

    def is_working_day(self, d: date) -> bool:
        """True on Monday–Friday that are not holidays, and on make-up working days."""
        if d in self._holidays:
            return False
        if d in self._workdays:
            return True
        return d.weekday() < 5

    def info(self, d: date) -> DayInfo:
        """Describe a day: its kind, the holiday it belongs to, and whether official."""
        known = self._infos.get(d)
        if known is None:
            known = self._infos[d] = self._describe(d)
        return known

    def _describe(self, d: date) -> DayInfo:
        official = d.year in self._official
        # The law, not the data: a statutory day keeps its festival's name even inside a
        # block the notice names after another festival (中秋 within 国庆节).
        statutory = statutory_days(d.year).get(d)
        name = self._holidays.get(d)
        if name is not None:
            return DayInfo(d, DayKind.HOLIDAY, name, official, statutory)
        name = self._workdays.get(d)
        if name is not None:
            return DayInfo(d, DayKind.MAKEUP_WORKDAY, name, official, statutory)
        kind = DayKind.WORKDAY if d.weekday() < 5 else DayKind.WEEKEND
        return DayInfo(d, kind, None, official, statutory)
