"""The change feed: every event in commit order, read page by page from an opaque cursor.

Why not page by ``events.id``: on PostgreSQL ids come from a sequence at INSERT time,
but transactions commit in any order. A transaction that took id 7 and commits after
another one that took id 8 is invisible to a reader who has just passed 8; the next
page starts after 8 and event 7 is skipped for good. (SQLite has one writer at a time,
so there ids happen to be commit order.)

Designs considered:

* Serve only events whose inserting transaction id (``pg_current_xact_id()``) lies
  below ``pg_snapshot_xmin(pg_current_snapshot())``, ordered by (xid, id). Gap-free, but
  the order is the order in which transactions *first wrote*, not commit order. A
  transaction takes its xid at its first write or row lock (a sweep locks its batch of
  matters up front) and may read a matter only after a later-starting transaction has
  committed to it; its event then follows that one in ``seq`` but precedes it in xid,
  so one matter's events could arrive out of order. Any long write transaction (a
  migration, a bulk import) also holds the whole feed back until it ends, and the
  design has no SQLite counterpart.
* A commit sequence (chosen). Each writing transaction, as its very last statement,
  bumps one counter row and stamps its events with the new value (``commit_seq``,
  :mod:`workflow.adapters.commit_order`). The bumped row stays locked until COMMIT, so
  the next transaction's bump waits for this commit: numbers are handed out in commit
  order. A reader that sees number *n* therefore already sees every transaction that
  got a smaller number (it committed earlier), and every transaction still running
  will get a larger one. Paging by (commit_seq, id) never skips and never repeats, and
  one matter's events stay in ``seq`` order because its transactions are serialised by
  its row and commit one after the other. The same code runs on SQLite, where the
  writer lock makes the counter uncontended.

The cost is that commits which wrote events pass one at a time through that row for one
UPDATE and the commit's WAL flush, about a millisecond: a ceiling near a thousand
event-writing commits a second on one primary. The planning volume is 10^8 events a
year, about 3 a second on average; a holiday's end that makes a province's deadlines
fall due at once is swept in batches of hundreds of timers per commit. The ceiling is
two orders of magnitude above need (docs/deployment.md).

Cursors are ``"<commit_seq>-<id>"``: opaque to clients, and each item's ``id`` is the
cursor just after it. A bare number N, the cursor of the feed before commit numbers,
still means "after event N": the migration numbered every older event by its id and
started the counter above them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, tuple_

from workflow.adapters.repository import EVENTS
from workflow.domain.errors import InvalidCommand

_CURSOR = re.compile(r"^(\d{1,18})(?:-(\d{1,18}))?$")
# Scope is decided per matter, so a page may have to read past events the caller may
# not see; bounded so that one call never scans the whole log.
MAX_SCANS = 20


@dataclass(frozen=True, order=True)
class Cursor:
    commit_seq: int
    event_id: int

    def __str__(self) -> str:
        return f"{self.commit_seq}-{self.event_id}"


START = Cursor(0, 0)


def parse_cursor(text: str | None) -> Cursor:
    """``None`` or empty is the start of the feed; anything malformed is refused."""
    if text is None or text == "":
        return START
    found = _CURSOR.match(text)
    if found is None:
        raise InvalidCommand("malformed cursor", field="after")
    if found.group(2) is None:  # a cursor of the id-ordered feed: after event N
        return Cursor(int(found.group(1)), int(found.group(1)))
    return Cursor(int(found.group(1)), int(found.group(2)))


@dataclass(frozen=True)
class FeedPage:
    rows: list[Any]  # event rows (mappings), in commit order
    next_cursor: Cursor

    @staticmethod
    def cursor_of(row: Any) -> Cursor:
        return Cursor(row["commit_seq"], row["id"])


# Given the matter ids of a batch, which of them the reader may see.
Visible = Callable[[Connection, Collection[str]], Collection[str]]


def read_page(conn: Connection, after: Cursor, limit: int, visible: Visible) -> FeedPage:
    """Up to ``limit`` visible events after ``after``, and the cursor to continue from.

    The cursor moves past invisible events too, so a caller who sees few matters still
    makes progress; a short page therefore does not mean the end of the feed, only an
    empty one with an unchanged cursor does.
    """
    rows: list[Any] = []
    position = after
    allowed: set[str] = set()
    judged: set[str] = set()
    for _ in range(MAX_SCANS):
        key = tuple_(EVENTS.c.commit_seq, EVENTS.c.id)
        batch = [
            r._mapping
            for r in conn.execute(
                select(EVENTS)
                .where(key > tuple_(position.commit_seq, position.event_id))
                .order_by(EVENTS.c.commit_seq, EVENTS.c.id)
                .limit(limit)
            )
        ]
        unknown = {r["case_id"] for r in batch} - judged
        if unknown:
            allowed.update(visible(conn, unknown))
            judged.update(unknown)
        for row in batch:
            position = FeedPage.cursor_of(row)
            if row["case_id"] in allowed:
                rows.append(row)
                if len(rows) == limit:
                    return FeedPage(rows, position)
        if len(batch) < limit:
            break
    return FeedPage(rows, position)
