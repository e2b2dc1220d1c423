"""Where calendar data comes from: the law, the chinesecalendar package, override files.

All are *data shipped with the code*, read the same way every time; nothing here
depends on the clock or on the machine's state.

Layers, last wins for its years: chinesecalendar (official 2004–2026), the bundled
override files, the caller's ``extra`` files. Then every year 2000–2100 that is
still not official gets the statutory days of 《全国年节及纪念日放假办法》第二条 as
holidays (:func:`with_statutory_days`): they are rest days whatever the notice
says, so a year without a notice is no longer counted as weekends only. The days
are computed eagerly for the whole range (about 0.3 s once per process, cached),
so that :meth:`WorkingCalendar.is_working_day` stays two dict probes and sweep
workers receive the same tables; a lazy per-year fill would add a year check to
every lookup. Outside 2000–2100 a year without data is weekends only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import chinese_calendar
from chinese_calendar import constants

from rules.calendar import CalendarData, WorkingCalendar
from rules.calendar_files import format_year_file, parse_year_file
from rules.statutory import FIRST_YEAR, LAST_YEAR, revision_for, statutory_days

__all__ = [
    "bundled_overrides",
    "chinesecalendar_data",
    "default_calendar",
    "format_year_file",
    "parse_year_file",
    "with_statutory_days",
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
    return with_statutory_days(data)


def with_statutory_days(
    data: CalendarData, years: Iterable[int] = range(FIRST_YEAR, LAST_YEAR + 1)
) -> CalendarData:
    """``data`` with the statutory days of 第二条 as holidays in each non-official year.

    A provisional override file's entries are kept (its name for a day wins), but a
    statutory day is never a make-up working day. Official years are left alone:
    their notice already lists the statutory days (the tests check 2004–2026). The
    year stays provisional: make-up working days are unknown until the notice.
    """
    holidays, workdays, sources = dict(data.holidays), dict(data.workdays), dict(data.sources)
    for year in years:
        revision = revision_for(year)
        if year in data.official_years or revision is None:
            continue
        for day, name in statutory_days(year).items():
            holidays.setdefault(day, name)
            workdays.pop(day, None)
        note = "仅法定节假日；无该年放假通知数据，调休未知"
        sources.setdefault(year, f"{revision.citation}（{note}）")
    return CalendarData(holidays, workdays, data.official_years, sources)


def default_calendar(extra: Sequence[CalendarData] = ()) -> WorkingCalendar:
    """chinesecalendar data, the bundled override files, each of ``extra``, then the
    statutory days of every year 2000–2100 that none of them covers officially."""
    data = _bundled_data()
    if not extra:
        return WorkingCalendar(data)
    for override in extra:
        data = data.merged(override)
    # Again: a provisional file replaces its year's entries, statutory days included.
    return WorkingCalendar(with_statutory_days(data))
