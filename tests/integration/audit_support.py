"""A small log over three days, anchored: what the audit tests tamper with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from tests.support import act, at, make_container, register
from workflow.audit import anchors
from workflow.runtime.bootstrap import Container


@dataclass
class Log:
    c: Container
    first: str  # five events over two days
    second: str  # registered on day one, classified on day three
    third: str  # registered after the last anchor


def other(n: int) -> dict[str, object]:
    """A different petitioner and subject: not a repeat of the first matter."""
    return {
        "petitioners": [{"name": f"李{n}", "id_number": f"11010119900101{n:04d}"}],
        "subject": f"道路破损{n}",
        "content": f"第{n}号路段破损。",
    }


def build_log(tmp_path: Path) -> Log:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    first = register(c, received_at="2026-09-22T09:00:00+08:00")
    second = register(c, **other(1))
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    act(c, first, "C1-XF", "classify", type="claim", route="petition")
    act(c, first, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign", feedback_days=10)
    act(c, first, "C1-ZJ", "accept")
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    act(c, second, "C1-XF", "classify", type="claim", route="petition")
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    made = anchors.create_due(c.db, c.clock.now())
    assert [a.day.isoformat() for a in made] == ["2026-09-22", "2026-09-23", "2026-09-24"]
    third = register(c, **other(2))
    return Log(c, first.id, second.id, third.id)


def sql(container: Container, statement: str, **params: object) -> None:
    with container.db.write() as conn:
        conn.execute(text(statement), params)


def scalar(container: Container, statement: str, **params: object) -> object:
    with container.db.read() as conn:
        return conn.execute(text(statement), params).scalar_one()
