"""The supervision board: what is overdue where, what is about to be, and since when.

Read-only queries over the projections (``deadlines``, ``deadline_versions``,
``supervision_items``, ``cases``), written for a million matters: every subtree filter is
a range on a materialised unit path (``/GD/HZ/`` .. ``/GD/HZ0``: ``0`` is the character
after ``/``), so it uses an index on both SQLite and PostgreSQL, and pages are keyset
pages (due day, deadline id), never OFFSET.

Overdue means: an obligation (kind ``obligation``) not met, running or breached, whose
due day has passed. It does not wait for the breach timer: a matter the sweep has not
reached yet is overdue all the same (its ``status`` then still says ``pending``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    func,
    null,
    or_,
    select,
    true,
)

from rules.time import end_of_day
from workflow.adapters.repository import (
    CASES,
    DEADLINE_VERSIONS,
    DEADLINES,
    SUPERVISION_ITEMS,
)
from workflow.domain.units import Unit, UnitLevel


@dataclass(frozen=True)
class Scope:
    """A unit alone, or the unit and everything below it (its materialised path)."""

    unit: str
    path: str
    subtree: bool = True
    # A province or city holds most of the overdue rows below it: walking the due-day
    # index and testing the path row by row stops after one page, where a range on the
    # path index reads (and sorts) every overdue row of the subtree. Measured in
    # BENCHMARKS.md (Supervision): province page 1.7 s -> 0.2 ms at 450,000 matters.
    wide: bool = False

    @classmethod
    def of(cls, unit: Unit, subtree: bool = True) -> Scope:
        return cls(unit.code, unit.path, subtree, subtree and unit.level in _WIDE_LEVELS)

    def on(self, table: Table, unit_column: str | None, path_column: str) -> ColumnElement[bool]:
        """Rows of this scope; without a unit column, "the unit alone" matches its path."""
        if not self.subtree:
            if unit_column is None:
                return table.c[path_column] == self.path
            return table.c[unit_column] == self.unit
        path = table.c[path_column]
        return and_(path >= self.path, path < upper(self.path))

    def on_page(self, table: Table, unit_column: str, path_column: str) -> ColumnElement[bool]:
        """The scope for an ordered page: for a wide scope the path is written so that no
        index serves it (``path || ''``), which leaves the planner the due-day index."""
        if not self.wide:
            return self.on(table, unit_column, path_column)
        path = table.c[path_column].concat("")
        return and_(path >= self.path, path < upper(self.path))


_WIDE_LEVELS = frozenset({UnitLevel.NATIONAL, UnitLevel.PROVINCIAL, UnitLevel.MUNICIPAL})


def upper(path: str) -> str:
    """The smallest string after every path below ``path`` ("/" + 1 is "0")."""
    return path[:-1] + "0" if path.endswith("/") else path + "0"


@dataclass(frozen=True)
class BoardRow:
    deadline_id: str
    case_id: str
    number: str
    state: str
    holder_unit: str
    leader: str | None
    rule: str
    article: str
    due_on: date
    days_overdue: int
    responsible_unit: str
    status: str
    item: dict[str, Any] | None

    def cursor(self) -> tuple[date, str]:
        return self.due_on, self.deadline_id


def _keyset(
    due_on: ColumnElement[date], ident: ColumnElement[str], after: tuple[date, str] | None
) -> ColumnElement[bool]:
    """Rows after the cursor ``(due day, deadline id)`` in page order."""
    if after is None:
        return true()
    due, last = after
    return or_(due_on > due, and_(due_on == due, ident > last))


def _rows(conn: Connection, query: Any, today: date) -> list[BoardRow]:
    out = []
    for r in conn.execute(query).mappings():
        item = (
            {"id": r["item_id"], "state": r["item_state"], "supervising_unit": r["supervising"]}
            if r["item_id"] is not None
            else None
        )
        out.append(
            BoardRow(
                deadline_id=r["id"],
                case_id=r["case_id"],
                number=r["number"],
                state=r["state"],
                holder_unit=r["holder_unit"],
                leader=r["leader"],
                rule=r["rule"],
                article=r["article"],
                due_on=r["due_on"],
                days_overdue=(today - r["due_on"]).days,
                responsible_unit=r["responsible_unit"],
                status=r["status"],
                item=item,
            )
        )
    return out


def _board_page(conditions: Sequence[ColumnElement[bool]], limit: int) -> Any:
    """Keys first: order and cut the deadline keys alone, then join the page's rows (so
    a large subtree never joins rows the LIMIT throws away)."""
    d, c, s = DEADLINES, CASES, SUPERVISION_ITEMS
    keys = (
        select(d.c.id.label("key"), d.c.due_on.label("key_due"))
        .where(*conditions)
        .order_by(d.c.due_on, d.c.id)
        .limit(limit)
        .subquery()
    )
    return (
        select(
            d.c.id,
            d.c.case_id,
            c.c.number,
            c.c.state,
            c.c.holder_unit,
            c.c.leader,
            d.c.rule,
            d.c.article,
            d.c.due_on,
            d.c.responsible_unit,
            d.c.status,
            s.c.id.label("item_id"),
            s.c.state.label("item_state"),
            s.c.supervising_unit.label("supervising"),
        )
        .select_from(
            keys.join(d, d.c.id == keys.c.key)
            .join(c, c.c.id == d.c.case_id)
            .outerjoin(s, s.c.deadline_id == d.c.id)
        )
        .order_by(keys.c.key_due, keys.c.key)
    )


def _rules(rules: Sequence[str] | None) -> ColumnElement[bool]:
    return DEADLINES.c.rule.in_(list(rules)) if rules else true()


def _open_obligations(
    conn: Connection,
    scope: Scope,
    today: date,
    window: Sequence[ColumnElement[bool]],
    limit: int,
    after: tuple[date, str] | None,
    rules: Sequence[str] | None,
) -> list[BoardRow]:
    """A keyset page of the open obligations of ``scope`` whose due day is in ``window``."""
    d = DEADLINES
    conditions = [
        d.c.open_obligation == true(),
        *window,
        scope.on_page(d, "responsible_unit", "responsible_path"),
        _keyset(d.c.due_on, d.c.id, after),
        _rules(rules),
    ]
    return _rows(conn, _board_page(conditions, limit), today)


def overdue(
    conn: Connection,
    scope: Scope,
    today: date,
    *,
    limit: int,
    after: tuple[date, str] | None = None,
    rules: Sequence[str] | None = None,
    min_days: int = 1,
) -> list[BoardRow]:
    """Open breaches, most overdue first (earliest due day), at least ``min_days`` late."""
    late = [DEADLINES.c.due_on <= today - timedelta(days=min_days)]
    return _open_obligations(conn, scope, today, late, limit, after, rules)


def overdue_count(
    conn: Connection, scope: Scope, today: date, rules: Sequence[str] | None = None
) -> int:
    d = DEADLINES
    query = (
        select(func.count())
        .select_from(d)
        .where(
            d.c.open_obligation == true(),
            d.c.due_on < today,
            scope.on(d, "responsible_unit", "responsible_path"),
            _rules(rules),
        )
    )
    return int(conn.execute(query).scalar_one())


def due_soon(
    conn: Connection,
    scope: Scope,
    today: date,
    within_days: int,
    *,
    limit: int,
    after: tuple[date, str] | None = None,
    rules: Sequence[str] | None = None,
) -> list[BoardRow]:
    """Running obligations due from today to ``within_days`` calendar days ahead."""
    d = DEADLINES
    running = [
        d.c.status == "pending",
        d.c.due_on >= today,
        d.c.due_on <= today + timedelta(days=within_days),
    ]
    return _open_obligations(conn, scope, today, running, limit, after, rules)


def overdue_as_of(
    conn: Connection,
    scope: Scope,
    day: date,
    *,
    now: datetime,
    limit: int,
    after: tuple[date, str] | None = None,
) -> list[BoardRow]:
    """What was overdue at the end of ``day``, as the system knew it then.

    Answered from the recorded versions of every deadline: a version counts when it was
    the deadline's current one at that moment (recorded before it, superseded after).
    A fact recorded later about that day (an action entered late with an earlier
    ``occurred_at``) does not change the answer: this is what supervisors saw.
    """
    moment = min(end_of_day(day), now)
    v, c = DEADLINE_VERSIONS, CASES
    query = (
        select(
            v.c.deadline_id.label("id"),
            v.c.case_id,
            c.c.number,
            c.c.state,
            c.c.holder_unit,
            c.c.leader,
            v.c.rule,
            v.c.article,
            v.c.due_on,
            v.c.responsible_unit,
            v.c.status,
            # Item states are not versioned: an as-of board shows none.
            null().label("item_id"),
            null().label("item_state"),
            null().label("supervising"),
        )
        .select_from(v.join(c, c.c.id == v.c.case_id))
        .where(
            v.c.open_obligation == true(),
            v.c.recorded_from <= moment,
            or_(v.c.recorded_to.is_(None), v.c.recorded_to > moment),
            v.c.due_on < day,
            scope.on(v, "responsible_unit", "responsible_path"),
        )
    )
    query = query.where(_keyset(v.c.due_on, v.c.deadline_id, after))
    return _rows(conn, query.order_by(v.c.due_on, v.c.deadline_id).limit(limit), day)


@dataclass(frozen=True)
class ItemRow:
    id: str
    case_id: str
    number: str
    deadline_id: str | None  # None: opened by hand on no obligation (第四十条)
    rule: str | None
    article: str
    ground: str
    responsible_unit: str
    supervising_unit: str | None
    state: str
    opened_on: date


def items(
    conn: Connection,
    scope: Scope,
    *,
    states: Sequence[str] | None,
    limit: int,
    after: str | None = None,
) -> list[ItemRow]:
    s, c = SUPERVISION_ITEMS, CASES
    query = (
        select(s, c.c.number)
        .select_from(s.join(c, c.c.id == s.c.case_id))
        .where(scope.on(s, "responsible_unit", "responsible_path"))
        .order_by(s.c.id)
        .limit(limit)
    )
    if states:
        query = query.where(s.c.state.in_(list(states)))
    if after is not None:
        query = query.where(s.c.id > after)
    return [
        ItemRow(
            id=r["id"],
            case_id=r["case_id"],
            number=r["number"],
            deadline_id=r["deadline_id"],
            rule=r["rule"],
            article=r["article"],
            ground=r["ground"],
            responsible_unit=r["responsible_unit"],
            supervising_unit=r["supervising_unit"],
            state=r["state"],
            opened_on=r["opened_on"],
        )
        for r in conn.execute(query).mappings()
    ]


def leaders(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """领导包案: each leader with the matters they answer for, open and ended."""
    c = CASES
    open_ = func.sum(case_when(c.c.ended_day.is_(None)))
    query = (
        select(c.c.leader, func.count().label("matters"), open_.label("open"))
        .where(c.c.leader.is_not(None), scope.on(c, "holder_unit", "holder_path"))
        .group_by(c.c.leader)
        .order_by(c.c.leader)
    )
    return [
        {"leader": r["leader"], "matters": int(r["matters"]), "open": int(r["open"] or 0)}
        for r in conn.execute(query).mappings()
    ]


def case_when(condition: ColumnElement[bool]) -> Any:
    """1 where ``condition`` holds, else 0: for portable conditional sums."""
    return case((condition, 1), else_=0)
