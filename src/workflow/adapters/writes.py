"""The write path's statements, and the rows saves gather for them.

A save's rows are gathered in ``Writes`` per statement and sent in one fixed order
(``ORDER``): ``save`` sends its own at once, and a sweep batch sends the saves of many
matters with one executemany per statement. ``Bound`` is what a sweep worker process
hands the writer. Split from ``repository`` (which reads and saves) so that each module
holds one concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, bindparam, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect

from workflow.adapters import prepared
from workflow.adapters.commit_order import mark_unsealed
from workflow.adapters.prepared import Prepared
from workflow.adapters.tables import (
    CASES,
    DEADLINE_VERSIONS,
    DEADLINES,
    EVENTS,
    PERSONAL,
    PETITIONER_KEYS,
    QUERY_CODES,
    SUPERVISION_ITEMS,
    TIMERS,
)
from workflow.domain.errors import VersionConflict

# The write path's statements, compiled once per dialect and run on the driver cursor
# (``prepared``: why, and what is kept from SQLAlchemy). An UPDATE takes its SET columns
# from the parameter names; WHERE parameters are named ``w_*`` so they never meet a
# column.
CASE_INSERT = Prepared(insert(CASES))
CASE_UPDATE = Prepared(
    update(CASES).where(
        and_(CASES.c.id == bindparam("w_id"), CASES.c.version == bindparam("w_version"))
    )
)
EVENT_INSERT = Prepared(insert(EVENTS))
PERSONAL_INSERT = Prepared(insert(PERSONAL))
KEY_INSERT = Prepared(insert(PETITIONER_KEYS))
QUERY_CODE_INSERT = Prepared(insert(QUERY_CODES))
DEADLINE_INSERT = Prepared(insert(DEADLINES))
DEADLINE_UPDATE = Prepared(update(DEADLINES).where(DEADLINES.c.id == bindparam("w_id")))
VERSION_CLOSE = Prepared(
    update(DEADLINE_VERSIONS).where(
        and_(
            DEADLINE_VERSIONS.c.deadline_id == bindparam("w_deadline"),
            DEADLINE_VERSIONS.c.recorded_to.is_(None),
        )
    )
)
VERSION_INSERT = Prepared(insert(DEADLINE_VERSIONS))
ITEM_UPSERT = Prepared(lambda dialect: _upsert(dialect, SUPERVISION_ITEMS))
# A deadline has at most two timers (breach and warning, or one lapse): the ones still
# wanted are named, and the timer being fired (its sweep marks it fired itself); every
# other pending one of the deadline is cancelled.
TIMERS_CANCEL = Prepared(
    update(TIMERS)
    .where(
        and_(
            TIMERS.c.deadline_id == bindparam("w_deadline"),
            TIMERS.c.status == "pending",
            TIMERS.c.id != bindparam("w_keep_1"),
            TIMERS.c.id != bindparam("w_keep_2"),
            TIMERS.c.id != bindparam("w_firing"),
        )
    )
    .values(status="cancelled")
)
# A wanted timer that exists already (pending, fired or cancelled) stays as it is.
TIMER_INSERT = Prepared(
    lambda dialect: (pg_insert if dialect == "postgresql" else sqlite_insert)(
        TIMERS
    ).on_conflict_do_nothing(index_elements=[TIMERS.c.id])
)

# The order every save writes in (see Writes).
ORDER = (
    CASE_INSERT,
    CASE_UPDATE,
    EVENT_INSERT,
    PERSONAL_INSERT,
    KEY_INSERT,
    QUERY_CODE_INSERT,
    VERSION_CLOSE,
    VERSION_INSERT,
    DEADLINE_INSERT,
    DEADLINE_UPDATE,
    TIMERS_CANCEL,
    TIMER_INSERT,
    ITEM_UPSERT,
)


def _upsert(dialect: str, table: Table) -> Any:
    """INSERT, or UPDATE every column of the row with the same primary key."""
    insert_ = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return insert_.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={c.name: insert_.excluded[c.name] for c in table.columns if not c.primary_key},
    )


class Bound(NamedTuple):
    """One statement's rows, bound for the driver (``Writes.bound``): what a sweep
    worker process hands the writer, and what ``send`` runs. (A tuple: every request
    builds about ten, and a frozen dataclass costs several times as much to build.)"""

    sql: str
    params: list[Any]
    # A version-checked case update: the rows it must change, the matters it names
    # and, for one matter, the version it expects (for the VersionConflict).
    check: int | None = None
    matters: str = ""
    expected: int | None = None
    events: bool = False  # it inserts events: the transaction must seal them


class Writes:
    """The rows that saves write, per statement, run in the order ``save`` defines.

    ``save`` runs its own at once. The sweep gathers the saves of a batch of timers of
    distinct matters and runs each statement once with all their rows (executemany):
    per matter the statements keep their order, and matters do not share rows. Two saves
    of the same matter must not share a ``Writes`` (the second closes the deadline
    version the first records): the caller runs the first before planning the second.
    """

    def __init__(self) -> None:
        self._rows: dict[Prepared, list[dict[str, Any]]] = {}
        # Unit paths these saves read, each once. A unit move committed meanwhile (on
        # PostgreSQL) is the same race a single save has between its read and write.
        self.paths: dict[str, str] = {}

    def add(self, statement: Prepared, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._rows.setdefault(statement, []).extend(rows)

    def bound(self, dialect: Dialect) -> list[Bound]:
        """Everything gathered, bound for ``dialect``, in the order ``send`` runs it."""
        out: list[Bound] = []
        for statement in ORDER:
            rows = self._rows.get(statement)
            if not rows:
                continue
            # Rows that set different columns (an UPDATE sets what changed) are different
            # statements. Each row is a different table row (one matter's case row, one
            # deadline), so the order between the groups does not matter.
            by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:
                by_keys.setdefault(tuple(row), []).append(row)
            for group in by_keys.values():
                sql, params = statement.bind_many(dialect, group)
                if statement is CASE_UPDATE:
                    out.append(
                        Bound(
                            sql,
                            params,
                            check=len(group),
                            matters=", ".join(row["w_id"] for row in group),
                            expected=group[0]["w_version"] if len(group) == 1 else None,
                        )
                    )
                else:
                    out.append(Bound(sql, params, events=statement is EVENT_INSERT))
        return out

    def run(self, conn: Connection) -> None:
        """Send everything gathered; VersionConflict (and nothing kept, once the caller
        rolls back) if a matter changed since it was loaded."""
        if self._rows:
            send(conn, self.bound(conn.dialect))
            self._rows.clear()


def send(conn: Connection, bound: Sequence[Bound]) -> None:
    """Run bound statements in order; VersionConflict if a matter changed since it was
    loaded (its case update changed no row), and then the caller rolls back."""
    for statement in bound:
        changed = prepared.send(conn, statement.sql, statement.params)
        if statement.check is not None and changed != statement.check:
            raise VersionConflict(
                f"case changed meanwhile (one of {statement.matters})",
                expected_version=statement.expected,
            )
        if statement.events:
            mark_unsealed(conn)
