"""Where calendar data comes from: the chinesecalendar package and override files.

Both are *data shipped with the code*, read the same way every time; nothing
here depends on the clock or on the machine's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import chinese_calendar
from chinese_calendar import constants

from rules.calendar import CalendarData, WorkingCalendar
from rules.calendar_files import format_year_file, parse_year_file

__all__ = [
    "bundled_overrides",
    "chinesecalendar_data",
    "default_calendar",
    "format_year_file",
    "parse_year_file",
]


@cache
def chinesecalendar_data() -> CalendarData:
    """Holidays and make-up workdays from ``chinesecalendar`` (2004–2026 in 1.11.0).

    Only the dates are used: the package's ``Holiday`` enum still carries the
    pre-2025 day counts (春节 3, 劳动节 1), which 《全国年节及纪念日放假办法》
    (2024 revision) changed. Weekend days inside a holiday block stay holidays.
    """
    chinese = {holiday.value: holiday.chinese for holiday in constants.Holiday}
    holidays = {day: chinese.get(name, name) for day, name in constants.holidays.items()}
    workdays = {day: chinese.get(name, name) for day, name in constants.workdays.items()}
    years = [day.year for day in holidays]
    official = frozenset(range(min(years), max(years) + 1))
    source = f"chinesecalendar {chinese_calendar.__version__} (国务院办公厅 annual notices)"
    return CalendarData(holidays, workdays, official, dict.fromkeys(sorted(official), source))


@cache
def bundled_overrides() -> tuple[CalendarData, ...]:
    """Every ``rules/calendars/*.toml`` file, in file-name order.

    These files are package data versioned with the code (like chinesecalendar's
    constants module), not runtime I/O: the same release always reads the same
    files. Operators add years at runtime through ``extra`` in
    :func:`default_calendar` instead.
    """
    folder = resources.files("rules").joinpath("calendars")
    if not folder.is_dir():  # a wheel built while the directory held no *.toml
        return ()
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    return tuple(parse_year_file(entry.read_text(encoding="utf-8")) for entry in files)


@cache
def _bundled_data() -> CalendarData:
    data = chinesecalendar_data()
    for override in bundled_overrides():
        data = data.merged(override)
    return data


def default_calendar(extra: Sequence[CalendarData] = ()) -> WorkingCalendar:
    """chinesecalendar data, then the bundled override files, then each of ``extra``."""
    data = _bundled_data()
    for override in extra:
        data = data.merged(override)
    return WorkingCalendar(data)
