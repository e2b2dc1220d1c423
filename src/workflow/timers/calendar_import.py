"""Load a year's working-day calendar and recompute the deadlines that guessed it.

A deadline whose days touch a year without official data was computed on weekends and
the statutory days of 《全国年节及纪念日放假办法》第二条 only, and marked provisional.
Once the year's arrangement is imported, every such deadline is computed again, the
windows that already lapsed included, and the change is recorded as a system event on
its matter (``deadline_recomputed``), which also moves its timers; a petitioner's
window that lapsed too early opens again (``window_reopened``, Contract 1.1). A running
API or scheduler process reads the calendar at start-up: restart it to use the new year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from rules import CalendarData, CalendarFileInvalid, parse_year_file
from workflow.adapters import repository as repo
from workflow.adapters import timer_store as store
from workflow.commands.record import record
from workflow.runtime.bootstrap import Container, bootstrap, build_calendar
from workflow.runtime.config import Settings
from workflow.services.timer_events import decide_recompute, recomputed_moves

CALENDAR_YEARS = repo.CALENDAR_YEARS


@dataclass
class Recomputed:
    year: int
    reason: str
    cases: list[str] = field(default_factory=list)
    moves: list[dict[str, object]] = field(default_factory=list)


def year_of(data: CalendarData) -> int:
    (year,) = data.sources  # a year file describes exactly one year
    return year


def store_year(container: Container, text: str) -> tuple[int, str]:
    """Validate and upsert one year file, then rebuild the engine's calendar."""
    data = parse_year_file(text)
    year = year_of(data)
    row = {
        "status": "official" if year in data.official_years else "provisional",
        "source": data.sources[year],
        "text": text,
        "imported_at": container.clock.now(),
    }
    with container.db.write() as conn:
        known = conn.execute(
            select(CALENDAR_YEARS.c.year).where(CALENDAR_YEARS.c.year == year)
        ).first()
        if known is None:
            conn.execute(insert(CALENDAR_YEARS).values(year=year, **row))
        else:
            conn.execute(update(CALENDAR_YEARS).where(CALENDAR_YEARS.c.year == year).values(**row))
    container.engine.calendar = build_calendar(container.settings, container.db)
    return year, str(row["source"])


def recompute_provisional(container: Container, year: int, reason: str | None = None) -> Recomputed:
    """Recompute open provisional deadlines touching ``year``, one transaction per matter."""
    result = Recomputed(year, reason or f"calendar for {year} imported")
    with container.db.read() as conn:
        affected = store.provisional_deadlines(conn, year)
    for case_id, deadline_ids in affected.items():
        now = container.clock.now()
        with container.db.write() as conn:
            case = repo.load_case(conn, case_id)
            if case is None:
                continue  # a deadline row outlived its matter: nothing to recompute
            event = decide_recompute(container.engine, case, deadline_ids, result.reason, now)
            if event is None:
                continue
            record(conn, container.engine, case, event, now)
        result.cases.append(case_id)
        result.moves += recomputed_moves(event)
        for listener in container.petitions.listeners:
            listener(case, [event])
    return result


def load_calendar_year(container: Container, text: str) -> Recomputed:
    """Import a year file in-process; raises CalendarFileInvalid and writes nothing if bad."""
    year, source = store_year(container, text)
    return recompute_provisional(container, year, f"calendar for {year} imported: {source}")


def import_calendar(settings: Settings, text: str) -> str:
    """``petitionflow calendar import FILE``: a summary line, or a clear exit on a bad file.

    The file is validated before anything is opened, so a bad file changes nothing.
    """
    try:
        parse_year_file(text)
    except CalendarFileInvalid as exc:
        raise SystemExit(f"calendar file invalid: {exc}") from None
    container = bootstrap(settings)
    try:
        result = load_calendar_year(container, text)
    finally:
        container.db.dispose()
    return (
        f"calendar {result.year} imported ({result.reason}); "
        f"{len(result.moves)} provisional deadline(s) recomputed on {len(result.cases)} matter(s)"
    )
