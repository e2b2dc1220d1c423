"""Migrations on both databases: from empty, between versions with data, down and up,
several processes at once; and the revision chain stays one line."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from tests.integration.test_migrations import declared
from tests.postgres import postgres_schema_url
from tests.support import UNITS, act, at, register
from workflow.adapters.repository import COUNTERS, EVENTS
from workflow.domain.clock import SimulatedClock
from workflow.feed import changes as feed
from workflow.runtime import migrate
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.runtime.config import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'paths.db'}"
    else:
        yield from postgres_schema_url()


def inspected(url: str) -> dict[str, Any]:
    """As test_migrations.inspected, on either database: PostgreSQL also lists the
    index behind each unique constraint, which the constraints already account for."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        insp = inspect(engine)
        return {
            table: {
                "columns": {c["name"]: c["nullable"] for c in insp.get_columns(table)},
                "primary_key": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
                "indexes": {
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in insp.get_indexes(table)
                    if "duplicates_constraint" not in i
                },
                "unique": {tuple(u["column_names"]) for u in insp.get_unique_constraints(table)},
            }
            for table in insp.get_table_names()
            if table != "alembic_version"
        }
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> Any:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def container(url: str) -> Container:
    return bootstrap(Settings(database_url=url), clock=SimulatedClock(at("2026-09-22 09:00")))


def test_the_revision_chain_is_one_line_from_the_baseline() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1
    chain = list(scripts.walk_revisions())  # head first
    assert chain[-1].revision == migrate.BASELINE and chain[-1].down_revision is None
    for newer, older in itertools.pairwise(chain):
        assert newer.down_revision == older.revision
    assert migrate.heads() == (chain[0].revision,)


def test_an_empty_database_is_brought_to_head_by_the_migrations(empty_url: str) -> None:
    migrate.ensure_schema(empty_url)
    assert inspected(empty_url) == declared()
    assert migrate.current(empty_url) == (migrate.heads()[0], True)
    migrate.ensure_schema(empty_url)  # at head: nothing to do
    assert inspected(empty_url) == declared()


def test_upgrade_from_the_baseline_with_data_then_down_and_up_again(empty_url: str) -> None:
    # Matters written at head, then the database taken back to the baseline: the feed's
    # column goes, the events stay.
    c = container(empty_url)
    with c.db.write() as conn:
        for unit in UNITS:
            c.units.create(conn, unit)
    old = [register(c) for _ in range(3)]
    act(c, old[0], "C1-XF", "classify", type="claim", route="petition")
    c.db.dispose()
    migrate.downgrade(empty_url, migrate.BASELINE)
    assert "commit_seq" not in columns(empty_url, "events")
    assert scalar(empty_url, "SELECT COUNT(*) FROM events") == 4

    migrate.upgrade(empty_url)
    assert inspected(empty_url) == declared()
    # Older events are numbered by id and the counter starts above them.
    assert scalar(empty_url, "SELECT COUNT(*) FROM events WHERE commit_seq = id") == 4
    last_id = scalar(empty_url, "SELECT MAX(id) FROM events")

    c = container(empty_url)
    try:
        assert all(c.petitions.replay(case.id).matches_projection for case in old)
        act(c, old[1], "C1-XF", "classify", type="claim", route="petition")
        with c.db.read() as conn:
            counter = conn.execute(
                select(COUNTERS.c.value).where(COUNTERS.c.name == "feed-commit")
            ).scalar_one()
            newest = conn.execute(
                select(EVENTS.c.commit_seq).order_by(EVENTS.c.id.desc()).limit(1)
            ).scalar_one()
            assert newest == counter == last_id + 1
            # A cursor of the old feed (a bare event id) resumes right after that event.
            page = feed.read_page(
                conn, feed.parse_cursor(str(last_id - 1)), 10, lambda _c, ids: set(ids)
            )
        assert [(r["case_id"], r["seq"]) for r in page.rows] == [
            (old[0].id, 2),
            (old[1].id, 2),
        ]
    finally:
        c.db.dispose()

    migrate.downgrade(empty_url, "base")
    assert inspected(empty_url) == {}


def test_a_new_sqlite_file_gets_what_the_migrations_build(tmp_path: Path) -> None:
    copied, migrated = (f"sqlite:///{tmp_path / name}" for name in ("copied.db", "migrated.db"))
    migrate.ensure_schema(copied)
    migrate.upgrade(migrated)
    assert inspected(copied) == inspected(migrated) == declared()
    assert migrate.current(copied) == migrate.current(migrated) == (migrate.heads()[0], True)


def test_a_database_made_before_migrations_is_taken_as_the_baseline(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    migrate.upgrade(url, migrate.BASELINE)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    assert migrate.current(url) == (None, True)
    migrate.ensure_schema(url)
    assert inspected(url) == declared()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.mark.postgres
def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    code = (
        "import sys; from workflow.runtime.migrate import ensure_schema; ensure_schema(sys.argv[1])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    outcomes = [(p.wait(120), p.communicate()[1].decode()) for p in procs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert inspected(pg_url) == declared()
