"""The supervision board: overdue and due-soon by subtree, counts, and overdue as of a day
(checked against replaying every matter to that moment)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.time import end_of_day
from tests.scenarios.helpers import advance_to
from tests.support import act, at, make_container, register
from workflow.oversight import board
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

PROVINCE = Scope(unit="P", path="/P/")
CITY = Scope(unit="C1", path="/P/C1/")
COUNTY = Scope(unit="K1", path="/P/C1/K1/")
WIDE_PROVINCE = Scope(unit="P", path="/P/", wide=True)
WIDE_CITY = Scope(unit="C1", path="/P/C1/", wide=True)
BUREAU_ALONE = Scope(unit="C1-XF", path="/P/C1/C1-XF/", subtree=False)


def _ids(rows: list[board.BoardRow]) -> list[str]:
    return [r.case_id for r in rows]


@pytest.fixture
def world(tmp_path: pytest.TempPathFactory) -> tuple[Container, dict[str, str], date]:
    c = make_container(tmp_path, at("2026-03-02 09:00"))  # type: ignore[arg-type]
    city = register(c, unit="C1-XF")
    county = register(c, unit="K1-XF")
    other = register(c, unit="C2-XF")
    due = city.latest("route")
    assert due is not None
    return c, {"city": city.id, "county": county.id, "other": other.id}, due.due_on


def test_overdue_by_subtree_most_overdue_first(
    world: tuple[Container, dict[str, str], date],
) -> None:
    c, m, due = world
    advance_to(c, at(f"{due.isoformat()} 12:00"))
    today = due
    with c.db.read() as conn:
        assert board.overdue(conn, PROVINCE, today, limit=10) == []
        soon = board.due_soon(conn, PROVINCE, today, 0, limit=10)
        assert sorted(_ids(soon)) == sorted(m.values())
    # The day after the due day: breached (the sweep opened supervision items).
    advance_to(c, at(f"{(due + timedelta(days=1)).isoformat()} 09:00"))
    today = due + timedelta(days=5)
    advance_to(c, at(f"{today.isoformat()} 09:00"))
    with c.db.read() as conn:
        rows = board.overdue(conn, PROVINCE, today, limit=10)
        assert sorted(_ids(rows)) == sorted(m.values())
        # The wide shape (due-day walk for a province or city) gives the same page.
        assert board.overdue(conn, WIDE_PROVINCE, today, limit=10) == rows
        assert board.overdue(conn, WIDE_CITY, today, limit=10) == board.overdue(
            conn, CITY, today, limit=10
        )
        assert all(r.days_overdue == 5 and r.rule == "route" for r in rows)
        assert all(r.status == "breached" and r.item and r.item["state"] == "opened" for r in rows)
        assert sorted(_ids(board.overdue(conn, CITY, today, limit=10))) == sorted(
            [m["city"], m["county"]]
        )
        assert _ids(board.overdue(conn, COUNTY, today, limit=10)) == [m["county"]]
        assert _ids(board.overdue(conn, BUREAU_ALONE, today, limit=10)) == [m["city"]]
        assert board.overdue_count(conn, PROVINCE, today) == 3
        assert board.overdue_count(conn, CITY, today) == 2
        assert board.overdue_count(conn, COUNTY, today) == 1
        assert board.overdue(conn, CITY, today, limit=10, min_days=6) == []
        # Keyset pages: one row at a time, in order, nothing twice.
        seen: list[str] = []
        after = None
        while page := board.overdue(conn, PROVINCE, today, limit=1, after=after):
            seen.append(page[0].case_id)
            after = page[0].cursor()
        assert sorted(seen) == sorted(m.values()) and len(seen) == 3
    # Met late (the bureau routes it on): no longer overdue, the breach stays on record.
    act(c, m["city"], "C1-XF", "classify", type="claim", route="petition")
    act(c, m["city"], "C1-XF", "transfer", to_unit="C1-ZJ")
    with c.db.read() as conn:
        assert sorted(_ids(board.overdue(conn, PROVINCE, today, limit=10))) == sorted(
            [m["county"], m["other"]]
        )


def test_overdue_before_the_sweep_runs(world: tuple[Container, dict[str, str], date]) -> None:
    """Overdue does not wait for the breach timer: a late sweep hides nothing."""
    c, m, due = world
    with c.db.read() as conn:
        rows = board.overdue(conn, PROVINCE, due + timedelta(days=2), limit=10)
    assert sorted(_ids(rows)) == sorted(m.values())
    assert {r.status for r in rows} == {"pending"} and all(r.item is None for r in rows)


def _replayed_overdue(c: Container, ids: list[str], day: date, now_: object) -> set[str]:
    """What replaying every matter to the end of ``day`` says was overdue."""
    found: set[str] = set()
    moment = min(end_of_day(day), c.clock.now())
    for case_id in ids:
        case = c.petitions.replay(case_id, moment).case
        if case is None:
            continue
        for d in case.deadlines:
            owed = d.kind == "obligation" and d.met_on is None
            if owed and d.status in ("pending", "breached") and d.due_on < day:
                found.add(d.id)
    return found


def test_overdue_as_of_equals_the_replay_of_every_matter(
    world: tuple[Container, dict[str, str], date],
) -> None:
    c, m, due = world
    start = date(2026, 3, 2)
    advance_to(c, at(f"{(due + timedelta(days=3)).isoformat()} 09:00"))
    act(c, m["city"], "C1-XF", "classify", type="claim", route="petition")
    act(c, m["city"], "C1-XF", "transfer", to_unit="C1-ZJ")
    advance_to(c, at(f"{(due + timedelta(days=30)).isoformat()} 09:00"))  # notice breached
    act(c, m["county"], "K1-XF", "decline", reason="duplicate")
    advance_to(c, at(f"{(due + timedelta(days=40)).isoformat()} 09:00"))
    ids = list(m.values())
    checked = 0
    day = start
    while day <= due + timedelta(days=40):
        with c.db.read() as conn:
            rows = board.overdue_as_of(conn, PROVINCE, day, now=c.clock.now(), limit=100)
        assert {r.deadline_id for r in rows} == _replayed_overdue(c, ids, day, None), day
        checked += len(rows)
        day += timedelta(days=1)
    assert checked > 0
    with c.db.read() as conn:
        before = board.overdue_as_of(conn, PROVINCE, due, now=c.clock.now(), limit=10)
        after = board.overdue_as_of(
            conn, PROVINCE, due + timedelta(days=1), now=c.clock.now(), limit=10
        )
        county_after = board.overdue_as_of(
            conn, COUNTY, due + timedelta(days=1), now=c.clock.now(), limit=10
        )
    assert before == []  # on the due day itself nothing is late yet
    assert sorted(_ids(after)) == sorted(ids)
    assert all(r.days_overdue == 1 for r in after)
    assert _ids(county_after) == [m["county"]]
