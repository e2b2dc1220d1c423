"""Backlog (积案): matters open too long, or petitioned about too often.

Policy, not law (each province sets its own; the defaults are settings): a matter joins
the backlog on the day it has been open ``age_days`` days, or on the day of its
``repeats``-th repeat petition (重复信访, linked at registration), whichever comes first.
It leaves the backlog when it ends (closed, concluded, withdrawn, declined, diverted):
that is its resolution (化解). Days are ``date.toordinal()`` integers in the ``cases``
table, so "open past N days" is integer arithmetic in SQL on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from workflow.adapters.repository import CASES
from workflow.oversight.board import Scope


@dataclass(frozen=True)
class BacklogPolicy:
    age_days: int
    repeats: int


@dataclass(frozen=True)
class BacklogMatter:
    case_id: str
    number: str
    state: str
    holder_unit: str
    leader: str | None
    received_on: date
    flagged_on: date
    reasons: tuple[str, ...]
    repeats: int
    ended_on: date | None


def _nth_repeat(n: int) -> Any:
    """Per earlier matter with at least ``n`` repeats: its repeat count and the day of
    the ``n``-th repeat."""
    c = CASES
    ranked = (
        select(
            c.c.repeat_of.label("root"),
            c.c.received_day.label("day"),
            func.row_number()
            .over(partition_by=c.c.repeat_of, order_by=(c.c.received_day, c.c.id))
            .label("rank"),
            func.count().over(partition_by=c.c.repeat_of).label("total"),
        )
        .where(c.c.repeat_of.is_not(None))
        .subquery()
    )
    return select(ranked.c.root, ranked.c.day, ranked.c.total).where(ranked.c.rank == n).subquery()


def matters(
    conn: Connection,
    scope: Scope,
    policy: BacklogPolicy,
    *,
    until: date,
    since: date | None = None,
    open_only: bool = True,
    limit: int | None = None,
) -> list[BacklogMatter]:
    """Matters in the backlog at some moment of [since, until] (at ``until`` if no since).

    ``open_only`` keeps those still unresolved at ``until``.
    """
    c = CASES
    nth = _nth_repeat(policy.repeats)
    age_day = c.c.received_day + policy.age_days
    aged = and_(age_day <= until.toordinal(), or_(c.c.ended_day.is_(None), c.c.ended_day > age_day))
    # A repeat after the matter ended does not bring it back: it left the backlog then.
    repeated = and_(
        nth.c.day <= until.toordinal(), or_(c.c.ended_day.is_(None), c.c.ended_day >= nth.c.day)
    )
    query = (
        select(
            c.c.id,
            c.c.number,
            c.c.state,
            c.c.holder_unit,
            c.c.leader,
            c.c.received_day,
            c.c.ended_day,
            case((aged, age_day), else_=None).label("age_flag"),
            case((repeated, nth.c.day), else_=None).label("repeat_flag"),
            func.coalesce(nth.c.total, 0).label("repeats"),
        )
        .select_from(c.outerjoin(nth, nth.c.root == c.c.id))
        .where(or_(aged, repeated), scope.on(c, "holder_unit", "holder_path"))
        .order_by(c.c.received_day, c.c.id)
    )
    first_day = (since or until).toordinal()
    if open_only:
        query = query.where(or_(c.c.ended_day.is_(None), c.c.ended_day > until.toordinal()))
    else:
        query = query.where(or_(c.c.ended_day.is_(None), c.c.ended_day >= first_day))
    if limit is not None:
        query = query.limit(limit)
    out = []
    for r in conn.execute(query).mappings():
        flags = {
            reason: day
            for reason, day in (("age", r["age_flag"]), ("repeats", r["repeat_flag"]))
            if day is not None
        }
        out.append(
            BacklogMatter(
                case_id=r["id"],
                number=r["number"],
                state=r["state"],
                holder_unit=r["holder_unit"],
                leader=r["leader"],
                received_on=date.fromordinal(r["received_day"]),
                flagged_on=date.fromordinal(min(flags.values())),
                reasons=tuple(flags),
                repeats=int(r["repeats"]),
                ended_on=date.fromordinal(r["ended_day"]) if r["ended_day"] is not None else None,
            )
        )
    return out
