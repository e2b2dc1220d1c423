"""Schema migrations, programmatically: Alembic with its scripts shipped inside the package.

``ensure_schema(url)`` is what every process runs at start-up (``bootstrap``): an empty
database, SQLite or PostgreSQL, is brought to head by the migrations themselves, an
older one is upgraded, one already at head costs a single query. Production and tests
build the schema the same way, so the migrations are exercised by every test that
starts a container, not only by the migration tests.

Several processes may start at once against one PostgreSQL (API workers, schedulers):
the migrations take a transaction-scoped advisory lock (``migrations/env.py``), so one
process migrates and the others wait and then find the database at head.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from workflow.adapters.database import sqlite_file

SCRIPTS = Path(__file__).resolve().parents[1] / "migrations"
BASELINE = "0001_baseline"


def alembic_config(url: str | None = None) -> Config:
    """A Config pointing at the packaged scripts; ``url`` overrides Settings().database_url."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser escape
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@cache
def heads() -> tuple[str, ...]:
    """The head revision(s) of the packaged scripts (one, while the chain is linear)."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(url: str) -> tuple[str | None, bool]:
    """The database's revision (``None`` if unversioned) and whether it has any table."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                return None, bool(names)
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            versions = sorted(found)
            return (versions[0] if len(versions) == 1 else ",".join(versions)), True
    finally:
        engine.dispose()


@cache
def _sqlite_template() -> bytes:
    """An empty SQLite database at head, built by the migrations once per process."""
    with tempfile.TemporaryDirectory(prefix="petitionflow-schema-") as tmp:
        path = Path(tmp) / "head.db"
        upgrade(f"sqlite:///{path}")
        return path.read_bytes()


def _new_sqlite_file(url: str) -> Path | None:
    path = sqlite_file(url)
    if path is None:
        return None
    return path if not path.exists() or path.stat().st_size == 0 else None


def ensure_schema(url: str) -> None:
    """Bring the database to head; a no-op (one query) when it is there already.

    A new SQLite file receives a copy of a database the migrations built at head once in
    this process: the same bytes the migrations would write, without replaying them
    (SQLite alters tables by copying them, which made a test's set-up several times
    slower). A database whose tables were made by ``create_all`` before migrations
    existed has no version row; it is taken to be the baseline and upgraded from there.
    """
    fresh = _new_sqlite_file(url)
    if fresh is not None:
        fresh.write_bytes(_sqlite_template())
        return
    revision, has_tables = current(url)
    if revision is not None and (revision,) == heads():
        return
    if revision is None and has_tables:
        command.stamp(alembic_config(url), BASELINE)
    upgrade(url)
