"""Commit order for the change feed: number a transaction's events just before it commits.

``repository.save`` calls :func:`mark_unsealed` after inserting events; ``Database.write`` calls
:func:`seal` as the last statement of the transaction. ``seal`` bumps one counter row
and stamps the transaction's events with the new value. The counter's row lock is held
until commit, so a second transaction's ``seal`` waits until the first has committed:
the numbers are handed out in commit order, and no transaction can commit a number
below one a reader has already seen. Why this design (and not ids or transaction ids)
is argued in :mod:`workflow.feed.changes`.

Events must be written through ``repository.save`` (or the writer must call
:func:`mark_unsealed`): an event committed without a number is not in the feed.

Taking the lock last keeps it short: a sweep batch that fires hundreds of timers holds
it only for this one UPDATE and its commit, never while it fires them.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import ClauseElement
from sqlmodel import SQLModel

from workflow.adapters import tables  # noqa: F401  (registers the tables first)
from workflow.adapters.prepared import Prepared

EVENTS: Table = SQLModel.metadata.tables["events"]
COUNTERS: Table = SQLModel.metadata.tables["counters"]
COUNTER = "feed-commit"
_UNSEALED = "petitionflow.unsealed_events"


def mark_unsealed(conn: Connection) -> None:
    """This transaction inserted events: ``seal`` must number them before commit."""
    conn.info[_UNSEALED] = True


def forget_unsealed(conn: Connection) -> None:
    """The transaction rolls back: nothing to number (the flag lives on the pooled
    DB-API connection and must not leak into its next transaction)."""
    conn.info.pop(_UNSEALED, None)


def seal(conn: Connection) -> int | None:
    """Give the transaction's events the next commit number; ``None`` if it wrote none.

    Events of a savepoint that rolled back are gone and simply not stamped; the number
    they would have used is a gap, which readers never wait for.
    """
    if not conn.info.pop(_UNSEALED, False):
        return None
    # An upsert, so a database built without the migration's seed row works too; the
    # row it locks stays locked until this transaction ends.
    number = int(_NEXT.scalar(conn, {}))
    # Only this transaction's own events can be unnumbered: every committed event was
    # sealed before its commit, and other open transactions' rows are invisible here.
    _STAMP.execute(conn, {"commit_seq": number})
    return number


def _next(dialect: str) -> ClauseElement:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(COUNTERS)
        .values(name=COUNTER, value=1)
        .on_conflict_do_update(
            index_elements=[COUNTERS.c.name], set_={"value": COUNTERS.c.value + 1}
        )
        .returning(COUNTERS.c.value)
    )


# Run on the driver cursor (workflow.adapters.prepared): every write transaction ends here.
_NEXT = Prepared(_next)
_STAMP = Prepared(update(EVENTS).where(EVENTS.c.commit_seq.is_(None)))
