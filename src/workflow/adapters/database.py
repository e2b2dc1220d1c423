"""The database: one SQLite file by default, PostgreSQL by URL.

SQLite writes use ``BEGIN IMMEDIATE`` so a read-then-write transaction takes the write
lock up front instead of failing on upgrade with "database is locked" (a deferred BEGIN
ignores busy_timeout in that case); reads use a second engine with a plain BEGIN so
readers never queue behind the writer in WAL mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from workflow.adapters import tables  # noqa: F401  (registers the tables)
from workflow.adapters.commit_order import forget_unsealed, seal
from workflow.adapters.types import JsonText
from workflow.domain.events import canonical_text


def column_json(value: Any) -> str:
    """JSON columns are written in the events' canonical form (sorted keys, compact,
    UTF-8), so a stored payload is byte for byte what was hashed and chain verification
    can hash the stored text without decoding and re-encoding every payload. A value
    that is already that text (JsonText) is written as it is."""
    if isinstance(value, JsonText):
        return str(value)
    return canonical_text(value)


# Every SQLite connection's settings (the benchmarks' plain sqlite3 floors use them too).
SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself
    cursor = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    # Every use goes through a Connection that ends its own transaction (commit or
    # rollback) before it returns to the pool, so the pool's extra rollback on check-in
    # only costs time (about 20 µs of a 100 µs empty write transaction here).
    engine = create_engine(
        url,
        connect_args={"timeout": 10, "check_same_thread": False},
        json_serializer=column_json,
        pool_reset_on_return=None,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    def begin(conn: Connection) -> None:
        # On the driver connection: exec_driver_sql would run SQLAlchemy's whole statement
        # path (events, result set-up) for a statement that returns nothing, about half of
        # an empty transaction's cost.
        try:
            conn.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
        except sqlite3.Error as exc:  # raised as SQLAlchemy would ("database is locked")
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc

    event.listen(engine, "begin", begin)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for another database, and for SQLite in memory
    (there is no file: nothing to copy a schema into, nothing another process can open)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("mode") == "memory":  # a URI filename (uri=true), shared in memory
        return None
    return Path(parsed.database)


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.writer = _sqlite_engine(url, immediate=True)
            self.reader = _sqlite_engine(url, immediate=False)
        else:
            self.writer = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                json_serializer=column_json,
            )
            self.reader = self.writer

    @classmethod
    def unpooled(cls, url: str) -> Database:
        """For short-lived tools (CLI verify, migrations) that must not keep connections."""
        db = cls.__new__(cls)
        db.url = url
        db.is_sqlite = url.startswith("sqlite")
        db.writer = create_engine(url, poolclass=NullPool, json_serializer=column_json)
        db.reader = db.writer
        return db

    def create_all(self) -> None:
        """Create missing tables (tests, the zero-set-up default); Alembic owns upgrades."""
        SQLModel.metadata.create_all(self.writer)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.writer.begin() as conn:
            try:
                yield conn
            except BaseException:
                forget_unsealed(conn)
                raise
            # Last statement before COMMIT: numbers the events in commit order.
            seal(conn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.reader.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
