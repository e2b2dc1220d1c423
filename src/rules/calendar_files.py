"""Calendar override files: one TOML file per year (format in calendars/README.md).

The State Council publishes each year's holiday arrangement in November; the
``chinesecalendar`` package lags behind it. An override file lets an operator add
the new year (or fix an erratum) without a release. Parsing is strict: a wrong
file must stop the load with a message that names the field and the date, never
half-apply.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from rules.calendar import CalendarData
from rules.errors import CalendarFileInvalid
from rules.statutory import statutory_days

STATUSES = ("official", "provisional")
MAX_BLOCK_DAYS = 14
_TOP_KEYS = {"year": True, "status": True, "source": True, "holidays": False, "workdays": False}
_HOLIDAY_KEYS = {"start": True, "end": True, "name": True}
_WORKDAY_KEYS = {"date": True, "name": True}


def parse_year_file(text: str) -> CalendarData:
    """Parse and validate one year's override file.

    Raises:
        CalendarFileInvalid: on a TOML syntax error, an unknown or missing key, a
            wrong type, a date outside ``year``, ``end`` before ``start``, a block
            longer than 14 days, a duplicate date, a date that is both a holiday
            and a workday, or a make-up workday that is not a Saturday or Sunday or
            is a statutory holiday of 《全国年节及纪念日放假办法》第二条.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileInvalid(f"not valid TOML: {exc}") from None
    _check_keys(doc, _TOP_KEYS, "file")
    year = _int(doc["year"], "year")
    status = _str(doc["status"], "status")
    if status not in STATUSES:
        raise CalendarFileInvalid(f"must be one of {STATUSES}, got {status!r}", where="status")
    source = _str(doc["source"], "source")
    holidays = _holidays(_tables(doc.get("holidays", []), "holidays"), year)
    workdays = _workdays(_tables(doc.get("workdays", []), "workdays"), year, holidays)
    return CalendarData(
        holidays=holidays,
        workdays=workdays,
        official_years=frozenset({year}) if status == "official" else frozenset(),
        sources={year: source},
    )


def _holidays(blocks: list[Mapping[str, object]], year: int) -> dict[date, str]:
    days: dict[date, str] = {}
    for index, block in enumerate(blocks):
        where = f"holidays[{index}]"
        _check_keys(block, _HOLIDAY_KEYS, where)
        name = _str(block["name"], f"{where}.name")
        start = _date(block["start"], f"{where}.start", year)
        end = _date(block["end"], f"{where}.end", year)
        if end < start:
            raise CalendarFileInvalid(f"end {end} is before start {start} ({name})", where=where)
        length = (end - start).days + 1
        if length > MAX_BLOCK_DAYS:
            raise CalendarFileInvalid(
                f"block {start}..{end} ({name}) is {length} days, more than {MAX_BLOCK_DAYS}",
                where=where,
            )
        for offset in range(length):
            day = start + timedelta(days=offset)
            if day in days:
                raise CalendarFileInvalid(f"duplicate date {day} ({days[day]})", where=where)
            days[day] = name
    return days


def _workdays(
    entries: list[Mapping[str, object]], year: int, holidays: Mapping[date, str]
) -> dict[date, str]:
    days: dict[date, str] = {}
    for index, entry in enumerate(entries):
        where = f"workdays[{index}]"
        _check_keys(entry, _WORKDAY_KEYS, where)
        name = _str(entry["name"], f"{where}.name")
        day = _date(entry["date"], f"{where}.date", year)
        if day in days:
            raise CalendarFileInvalid(f"duplicate date {day}", where=where)
        if day in holidays:
            raise CalendarFileInvalid(
                f"{day} is both a workday and a holiday ({holidays[day]})", where=where
            )
        if day.weekday() < 5:
            raise CalendarFileInvalid(
                f"make-up workday {day} is not a Saturday or Sunday", where=where
            )
        if day in statutory_days(year):
            # No notice can make a day of 第二条 a working day; this file is wrong.
            raise CalendarFileInvalid(
                f"make-up workday {day} is a statutory holiday ({statutory_days(year)[day]})",
                where=where,
            )
        days[day] = name
    return days


def _check_keys(table: Mapping[str, object], keys: Mapping[str, bool], where: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise CalendarFileInvalid(f"unknown key(s) {unknown}; allowed {sorted(keys)}", where=where)
    missing = sorted(key for key, required in keys.items() if required and key not in table)
    if missing:
        raise CalendarFileInvalid(f"missing key(s) {missing}", where=where)


def _tables(value: object, where: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CalendarFileInvalid("must be an array of tables ([[...]])", where=where)
    return value


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalendarFileInvalid(f"must be an integer, got {value!r}", where=where)
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CalendarFileInvalid(f"must be a non-empty string, got {value!r}", where=where)
    return value


def _date(value: object, where: str, year: int) -> date:
    # TOML local dates parse to ``date``; a date-time is a different type and rejected.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarFileInvalid(f"must be a date like 2027-01-01, got {value!r}", where=where)
    if value.year != year:
        raise CalendarFileInvalid(f"date {value} is outside year {year}", where=where)
    return value


def format_year_file(data: CalendarData, year: int) -> str:
    """Write one year of ``data`` in the override-file format (inverse of parsing).

    Consecutive holiday dates with the same name become one block.
    """
    status = "official" if year in data.official_years else "provisional"
    source = data.sources.get(year, "unknown source")
    lines = [f"year = {year}", f"status = {_quote(status)}", f"source = {_quote(source)}"]
    for start, end, name in _blocks(data.holidays, year):
        lines += ["", "[[holidays]]", f"start = {start}", f"end = {end}", f"name = {_quote(name)}"]
    for day, name in sorted((d, n) for d, n in data.workdays.items() if d.year == year):
        lines += ["", "[[workdays]]", f"date = {day}", f"name = {_quote(name)}"]
    return "\n".join(lines) + "\n"


def _blocks(holidays: Mapping[date, str], year: int) -> list[tuple[date, date, str]]:
    blocks: list[tuple[date, date, str]] = []
    for day, name in sorted((d, n) for d, n in holidays.items() if d.year == year):
        if blocks and blocks[-1][2] == name and blocks[-1][1] + timedelta(days=1) == day:
            blocks[-1] = (blocks[-1][0], day, name)
        else:
            blocks.append((day, day, name))
    return blocks


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
