"""The Alembic baseline builds exactly the schema of the SQLModel tables, and undoes it."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Index, UniqueConstraint, create_engine, inspect
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from tests.support import UNITS, at, register
from workflow.adapters import tables  # noqa: F401  (registers the tables)
from workflow.adapters.database import Database
from workflow.domain.clock import SimulatedClock
from workflow.runtime import migrate
from workflow.runtime.bootstrap import bootstrap
from workflow.runtime.config import Settings

REPO = Path(__file__).resolve().parents[2]


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def inspected(db_url: str) -> dict[str, Any]:
    engine = create_engine(db_url, poolclass=NullPool)
    try:
        insp = inspect(engine)
        schema: dict[str, Any] = {}
        for table in insp.get_table_names():
            if table == "alembic_version":
                continue
            schema[table] = {
                "columns": {c["name"]: c["nullable"] for c in insp.get_columns(table)},
                "primary_key": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
                "indexes": {
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in insp.get_indexes(table)
                },
                "unique": {tuple(u["column_names"]) for u in insp.get_unique_constraints(table)},
            }
        return schema
    finally:
        engine.dispose()


def declared() -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for name, table in SQLModel.metadata.tables.items():
        schema[name] = {
            "columns": {c.name: c.nullable for c in table.columns},
            "primary_key": tuple(c.name for c in table.primary_key.columns),
            "indexes": {
                (i.name, tuple(c.name for c in i.columns), bool(i.unique))
                for i in table.indexes
                if isinstance(i, Index)
            },
            "unique": {
                tuple(c.name for c in u.columns)
                for u in table.constraints
                if isinstance(u, UniqueConstraint)
            }
            | {(c.name,) for c in table.columns if c.unique},
        }
    return schema


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    db_url = url(tmp_path / "migrated.db")
    migrate.upgrade(db_url)
    return db_url


def test_upgrade_to_head_gives_exactly_the_declared_schema(migrated: str) -> None:
    assert inspected(migrated) == declared()


def test_upgrade_matches_create_all(migrated: str, tmp_path: Path) -> None:
    created = url(tmp_path / "created.db")
    Database(created).create_all()
    assert inspected(migrated) == inspected(created)


def test_autogenerate_finds_nothing_to_change_after_the_baseline(migrated: str) -> None:
    engine = create_engine(migrated, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_everything(migrated: str) -> None:
    migrate.downgrade(migrated, "base")
    assert inspected(migrated) == {}
    engine = create_engine(migrated, poolclass=NullPool)
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert names <= {"alembic_version"}
    migrate.upgrade(migrated)  # and back up again
    assert inspected(migrated) == declared()


def test_the_engine_runs_on_a_migrated_file(migrated: str, tmp_path: Path) -> None:
    settings = Settings(database_url=migrated)
    c = bootstrap(settings, clock=SimulatedClock(at("2026-09-22 09:00")), create_schema=False)
    try:
        with c.db.write() as conn:
            for unit in UNITS:
                c.units.create(conn, unit)
        case = register(c)
        assert case.version == 1
        assert c.petitions.replay(case.id).matches_projection
    finally:
        c.db.dispose()


def test_package_data_ships_every_migration_file() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["workflow"]
    package = REPO / "src" / "workflow"
    files = [
        p.relative_to(package).as_posix()
        for p in (package / "migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert "migrations/env.py" in files and "migrations/script.py.mako" in files
    assert any(f.startswith("migrations/versions/") for f in files)
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
    assert "alembic.ini" in patterns and (package / "alembic.ini").is_file()
