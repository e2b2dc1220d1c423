"""The composition root: the one place that builds and wires everything.

Called by the API's lifespan, the scheduler process and the CLI; nothing connects or
loads at import time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime

from rules import RuleBook, RuleViolation, WorkingCalendar, default_calendar, default_rule_book
from rules.calendar_sources import parse_year_file
from rules.rulesets import load_overlay
from workflow.adapters import repository as repo
from workflow.adapters.database import Database
from workflow.adapters.units import SqlUnitDirectory
from workflow.commands.petitions import PetitionService
from workflow.domain.clock import Clock, SimulatedClock, SystemClock
from workflow.domain.units import UnitDirectory
from workflow.runtime.config import Settings
from workflow.runtime.migrate import ensure_schema
from workflow.services.conditions import CONDITIONS
from workflow.services.engine import Engine, EngineSettings
from workflow.services.guards import GUARDS
from workflow.statechart import Chart, NameRegistry, load_chart


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: Clock
    chart: Chart
    engine: Engine
    units: SqlUnitDirectory
    petitions: PetitionService


def build_rule_book(settings: Settings) -> RuleBook:
    """The national rule sets and the overlays of ``settings.rule_overlays`` (TOML files,
    format in ``rules.overlays``); a malformed overlay stops the start, naming its file."""
    book = default_rule_book()
    sets = list(book.all)
    for path in settings.rule_overlays:
        overlay = tomllib.loads(path.read_text(encoding="utf-8"))
        try:
            sets.append(load_overlay(book, overlay))
        except RuleViolation as error:
            raise RuleViolation(error.rule_id, f"{path}: {error.reason}", error.citation) from error
    return RuleBook(sets)


def build_calendar(settings: Settings, db: Database) -> WorkingCalendar:
    extra = []
    if settings.calendar_dir is not None:
        for path in sorted(settings.calendar_dir.glob("*.toml")):
            extra.append(parse_year_file(path.read_text(encoding="utf-8")))
    with db.read() as conn:
        extra.extend(parse_year_file(text) for text in repo.imported_calendar_texts(conn))
    return default_calendar(extra)


def registry(rule_book: RuleBook) -> NameRegistry:
    rule_ids = {r for rs in rule_book.all for r in rs.rules}
    return NameRegistry(
        guards=frozenset(GUARDS), conditions=frozenset(CONDITIONS), rules=frozenset(rule_ids)
    )


def build_clock(settings: Settings) -> Clock:
    if settings.clock == "simulated":
        start = (
            datetime.fromisoformat(settings.simulated_start)
            if settings.simulated_start
            else SystemClock().now()
        )
        return SimulatedClock(start if start.tzinfo else start.replace(tzinfo=UTC))
    return SystemClock()


def bootstrap(
    settings: Settings, *, clock: Clock | None = None, create_schema: bool = True
) -> Container:
    if create_schema:
        # Through the migrations, also for an empty database: the schema a test runs
        # on is the one a deployment gets (workflow.runtime.migrate).
        ensure_schema(settings.database_url)
    db = Database(settings.database_url)
    units = SqlUnitDirectory(db)
    engine = build_engine(settings, units, build_calendar(settings, db))
    clock = clock or build_clock(settings)
    petitions = PetitionService(
        db, engine, clock, repeat_key=settings.petitioner_key_secret or settings.jwt_secret
    )
    return Container(settings, db, clock, engine.chart, engine, units, petitions)


def build_engine(
    settings: Settings,
    units: UnitDirectory,
    calendar: WorkingCalendar,
    engine_settings: EngineSettings | None = None,
) -> Engine:
    """The engine the settings describe (charts, rule sets), on ``calendar``."""
    rule_book = build_rule_book(settings)
    names = registry(rule_book)
    return Engine(
        load_chart(settings.statechart, names),
        rule_book,
        calendar,
        units,
        load_chart(settings.supervision_chart, names),
        engine_settings or EngineSettings(warning_days=settings.warning_days),
    )
