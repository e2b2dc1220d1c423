"""Statements compiled once per dialect and run on the transaction's own DB-API cursor.

Why not ``Connection.execute``: SQLAlchemy Core spends 50-80 µs per execution on this
machine (execution context, cache-key lookup, result set-up, events) against 5-20 µs for
the driver to run the statement; a transition sends about ten statements, so Core alone
was about half of a request (BENCHMARKS.md, "Where the time goes"). Only the hot path
(``repository.save``, loading a matter, numbering, sealing) goes this way; everything
else stays on Core.

What is kept from SQLAlchemy: the SQL text is Core's own compilation for the
connection's dialect, and every parameter goes through its column type's bind processor
for that dialect (the canonical JSON serializer, UTC datetimes, dates), so the bytes
written are exactly those ``Connection.execute`` would write and every reader decodes
them the same way. The statement runs on the DB-API connection of the ``Connection``
passed in, inside its transaction: commit, rollback and savepoints are SQLAlchemy's as
before, and driver errors are raised as the same SQLAlchemy exceptions
(``IntegrityError``, ``OperationalError``), so callers catch what they always caught.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

# Observers of every statement sent (SQL, driver parameters, executemany?): the
# benchmarks record the engine's writes with it. Empty in the service.
Observer = Callable[[str, Any, bool], None]
observers: list[Observer] = []

Row = Mapping[str, Any]


class _Compiled:
    """One compiled statement and how a parameter dict becomes the driver's parameters.

    Binding runs for every row written, so it is laid out for speed: one C-level
    ``itemgetter`` takes the parameters in the driver's order, then only the slots that
    have a bind processor are converted and the statement's own constants (such as
    ``status == "pending"``) are put in place.
    """

    __slots__ = ("constants", "getter", "names", "positional", "processors", "single", "sql")

    def __init__(
        self,
        sql: str,
        names: tuple[str, ...],
        slots: list[tuple[Callable[[Any], Any] | None, Any]],
        positional: bool,
    ) -> None:
        self.sql = sql
        self.names = names  # every bind name, in the order the driver takes them
        self.positional = positional
        given = [
            name for name, (_, constant) in zip(names, slots, strict=True) if constant is _PARAM
        ]
        self.single = len(given) == 1
        self.getter = itemgetter(*given) if given else None
        # Indexes into the given parameters, and into the final list for constants.
        param_slots = [slot for slot in slots if slot[1] is _PARAM]
        self.processors = [(i, p) for i, (p, _) in enumerate(param_slots) if p is not None]
        self.constants = [(i, c) for i, (_, c) in enumerate(slots) if c is not _PARAM]

    def bind(self, params: Row) -> Any:
        if self.getter is None:
            values: list[Any] = []
        elif self.single:
            values = [self.getter(params)]
        else:
            values = list(self.getter(params))
        for i, process in self.processors:
            values[i] = process(values[i])
        for i, constant in self.constants:
            values.insert(i, constant)
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


_PARAM = object()  # a slot filled from the call's parameters, not a constant


class Prepared:
    """One statement: ``build(dialect_name)`` gives the Core construct (a dialect's
    upsert differs), compiled on first use per dialect and set of parameter names."""

    def __init__(self, build: ClauseElement | Callable[[str], ClauseElement]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get((dialect.name, keys))
        if found is None:
            build = self._build
            statement = build if isinstance(build, ClauseElement) else build(dialect.name)
            compiled = statement.compile(dialect=dialect, column_keys=list(keys))
            assert isinstance(compiled, SQLCompiler)
            names = (
                tuple(compiled.positiontup or ())
                if compiled.positional
                else tuple(compiled.bind_names.values())
            )
            slots = [_slot(compiled.binds[name], dialect, name in keys) for name in names]
            found = _Compiled(compiled.string, names, slots, compiled.positional)
            self._compiled[(dialect.name, keys)] = found
        return found

    def execute(self, conn: Connection, params: Row) -> int:
        """Run once; the number of rows it changed."""
        cursor = self._cursor(conn, params)
        count: int = cursor.rowcount
        cursor.close()
        return count

    def _cursor(self, conn: Connection, params: Row) -> Any:
        compiled = self._for(conn.dialect, tuple(params))
        return _run(conn, compiled.sql, compiled.bind(params), many=False)

    def executemany(self, conn: Connection, rows: Sequence[Row]) -> int:
        """Run once per row; the number of rows changed in all (-1 where the driver
        cannot tell)."""
        if not rows:
            return 0
        sql, params = self.bind_many(conn.dialect, rows)
        return send(conn, sql, params)

    def bind_many(self, dialect: Dialect, rows: Sequence[Row]) -> tuple[str, list[Any]]:
        """The SQL for ``dialect`` and every row as the driver takes it. Needs no
        connection: a sweep worker binds the rows it planned, the writer sends them."""
        compiled = self._for(dialect, tuple(rows[0]))
        return compiled.sql, [compiled.bind(row) for row in rows]

    def scalar(self, conn: Connection, params: Row) -> Any:
        """The first column of the first row, or None."""
        rows = self.rows(conn, params)
        return rows[0][0] if rows else None

    def rows(self, conn: Connection, params: Row) -> list[Any]:
        # Fetched to the end and closed: an SQLite statement left open would hold its
        # read until the cursor is collected.
        cursor = self._cursor(conn, params)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()


def json_value(stored: Any) -> Any:
    """A JSON column's value as a prepared statement returns it. The driver gives raw
    results (no SQLAlchemy result processing): SQLite hands back the stored text,
    psycopg decodes JSON columns itself. orjson reads what the engine wrote (documents,
    personal data: no floats, no integers beyond 64 bits) as the standard library does,
    in half the time."""
    return orjson.loads(stored) if isinstance(stored, str) else stored


def _slot(bind: Any, dialect: Dialect, given: bool) -> tuple[Callable[[Any], Any] | None, Any]:
    process = bind.type.dialect_impl(dialect).bind_processor(dialect)
    if given:
        return process, _PARAM
    if bind.required:
        raise KeyError(f"parameter {bind.key!r} is missing")
    value = bind.effective_value
    return None, value if process is None else process(value)


def send(conn: Connection, sql: str, params: Sequence[Any]) -> int:
    """Run bound rows (``bind_many``): once per row; the number of rows changed in all
    (-1 where the driver cannot tell)."""
    if not params:
        return 0
    many = len(params) > 1
    cursor = _run(conn, sql, params if many else params[0], many=many)
    count: int = cursor.rowcount
    cursor.close()
    return count


def _run(conn: Connection, sql: str, params: Any, *, many: bool) -> Any:
    for observe in observers:
        observe(sql, params, many)
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    return cursor
