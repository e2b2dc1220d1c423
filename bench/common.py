"""What every benchmark shares: a fresh database, a container with a unit tree, figures.

A benchmark gets SQLite in a temporary directory unless ``--database-url`` names another
database; a PostgreSQL URL gets a fresh schema that is dropped afterwards, so runs never
see each other's rows.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from tests.support import UNITS

from workflow.adapters.database import SQLITE_PRAGMAS
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.runtime.config import Settings

SH = ZoneInfo("Asia/Shanghai")


def parser(description: str, *, runs: int = 5) -> argparse.ArgumentParser:
    args = argparse.ArgumentParser(description=description)
    args.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    args.add_argument("--runs", type=int, default=runs, help="repetitions (min/median/max)")
    args.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: a SQLite file in a temporary directory); "
        "a postgresql URL gets a fresh schema per run",
    )
    args.add_argument("--json", type=Path, default=None, help="also write the figures here")
    return args


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A URL for an empty database that lives as long as the context."""
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="pf-bench-") as tmp:
            yield url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    if not url.startswith("postgresql"):
        yield url
        return
    schema = f"pf_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            # A connection left inside a transaction (a benchmark that failed) would make
            # the drop wait for ever: give up after a while and leave the schema.
            conn.execute(text("SET lock_timeout = '20s'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def container(url: str, start: datetime, **settings: Any) -> Container:
    """The real composition root on ``url``, a simulated clock and the test unit tree."""
    config = Settings(database_url=url, scheduler=False, **settings)
    built = bootstrap(config, clock=SimulatedClock(start))
    with built.db.write() as conn:
        for unit in UNITS:
            built.units.create(conn, unit)
    return built


@dataclass(frozen=True)
class Raw:
    """A plain DB-API connection on the same database, for the floors."""

    conn: Any
    placeholder: str
    begin: str

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)


def raw_connect(url: str) -> Raw:
    """sqlite3 with the file settings of workflow.adapters.database, or psycopg."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], timeout=10, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        return Raw(conn, "?", "BEGIN IMMEDIATE")
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    options = ""
    if "options=" in plain:
        plain, _, query = plain.partition("?")
        options = query.split("options=", 1)[1].replace("%3D", "=")
    pg = psycopg.connect(plain, options=options, autocommit=True)
    return Raw(pg, "%s", "BEGIN")


def spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def fmt(values: Sequence[float], digits: int = 0) -> str:
    s = spread(values)
    return f"{s['min']:.{digits}f} / {s['median']:.{digits}f} / {s['max']:.{digits}f}"


def versions(*packages: str) -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("petitionflow", "sqlalchemy", "transitions", *packages):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform(terse=True)}"


def report(path: Path | None, name: str, figures: dict[str, Any]) -> None:
    """Print the figures as JSON (and write them to ``path`` when given)."""
    figures = {"benchmark": name, "machine": machine(), **figures}
    out = json.dumps(figures, indent=2, ensure_ascii=False, default=str)
    print(out)
    if path is not None:
        path.write_text(out + "\n", encoding="utf-8")
