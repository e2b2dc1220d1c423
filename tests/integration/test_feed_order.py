"""The change feed's commit order: a late commit is never skipped, nothing is repeated."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from tests.postgres import backend_url, postgres_schema_url
from tests.support import act, actor, at, make_container, register
from workflow.adapters.repository import CASES, EVENTS
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.case import Case
from workflow.domain.errors import InvalidCommand, WorkflowError
from workflow.feed import changes as feed
from workflow.runtime.bootstrap import Container


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    with backend_url(request.param, tmp_path) as url:
        c = make_container(tmp_path, at("2026-09-22 09:00"), database_url=url)
        try:
            yield c
        finally:
            c.db.dispose()


def everyone(_conn: Connection, case_ids: Any) -> set[str]:
    return set(case_ids)


def drain(c: Container, cursor: feed.Cursor, limit: int = 2) -> tuple[list[Any], feed.Cursor]:
    rows: list[Any] = []
    while True:
        with c.db.read() as conn:
            page = feed.read_page(conn, cursor, limit, everyone)
        rows.extend(page.rows)
        if not page.rows:
            return rows, page.next_cursor
        cursor = page.next_cursor


def classify(case: Case) -> Any:
    return ACTION_ADAPTER.validate_python(
        {"action": "classify", "type": "claim", "route": "petition"}
    )


def test_every_committed_event_is_numbered_and_pages_follow_commit_order(
    container: Container,
) -> None:
    cases = [register(container) for _ in range(3)]
    for case in cases:
        act(container, case, "C1-XF", "classify", type="claim", route="petition")
    with container.db.read() as conn:
        unsealed = conn.execute(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.commit_seq.is_(None))
        ).scalar_one()
    assert unsealed == 0
    rows, end = drain(container, feed.START)
    assert len(rows) == 6
    keys = [feed.FeedPage.cursor_of(r) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == 6
    # one commit number per transaction here: each command wrote one event
    assert len({k.commit_seq for k in keys}) == 6
    assert drain(container, end) == ([], end)


def max_seq(c: Container) -> int:
    with c.db.read() as conn:
        return int(conn.execute(select(func.max(EVENTS.c.commit_seq))).scalar_one())


def test_a_rolled_back_write_leaves_no_number_and_no_mark_behind(container: Container) -> None:
    case = register(container)
    before = max_seq(container)

    def fail(_conn: Connection, _case: Case) -> None:
        raise RuntimeError("after the events were inserted")

    with pytest.raises(RuntimeError):
        container.petitions.act(case.id, classify(case), actor("C1-XF"), on_commit_tx=fail)
    with pytest.raises(WorkflowError):
        act(container, case, "C1-XF", "accept")  # not before classify
    with container.db.write() as conn:  # writes no event: must not take a number
        container.units.create(
            conn,
            {
                "code": "C2-ZJ",
                "name": "丙市住建局",
                "level": "municipal",
                "kind": "agency",
                "parent": "C2",
            },
        )
    act(container, case, "C1-XF", "classify", type="claim", route="petition")
    assert max_seq(container) == before + 1
    rows, _ = drain(container, feed.START)
    assert [r["seq"] for r in rows] == [1, 2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.mark.postgres
def test_an_event_committed_late_is_delivered_after_the_cursor_passed_its_id(
    tmp_path: Path, pg_url: str
) -> None:
    """T1 inserts first (smaller id) and commits last: the id-ordered feed skipped it."""
    c = make_container(tmp_path, at("2026-09-22 09:00"), database_url=pg_url)
    first, second = register(c), register(c)
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold(_conn: Connection, _case: Case) -> None:
        inserted.set()
        assert release.wait(30)

    def slow() -> None:
        try:
            c.petitions.act(first.id, classify(first), actor("C1-XF"), on_commit_tx=hold)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=slow)
    try:
        thread.start()
        assert inserted.wait(30)
        act(c, second, "C1-XF", "classify", type="claim", route="petition")
        seen, cursor = drain(c, feed.START)
        assert [(r["case_id"], r["seq"]) for r in seen] == [
            (first.id, 1),
            (second.id, 1),
            (second.id, 2),
        ]
        release.set()
        thread.join(30)
        assert not errors
        late, _ = drain(c, cursor)
        assert [(r["case_id"], r["seq"]) for r in late] == [(first.id, 2)]
        # the late event has the smaller id: paging by id would have passed it
        assert late[0]["id"] < seen[-1]["id"]
    finally:
        release.set()
        thread.join(30)
        c.db.dispose()


def test_cursors_are_opaque_strings_and_old_ids_still_resume(container: Container) -> None:
    assert feed.parse_cursor(None) == feed.parse_cursor("") == feed.START
    assert feed.parse_cursor("12-40") == feed.Cursor(12, 40)
    assert str(feed.Cursor(12, 40)) == "12-40"
    assert feed.parse_cursor("7") == feed.Cursor(7, 7)
    for bad in ("abc", "1-", "-1", "1-2-3", "1" * 19):
        with pytest.raises(InvalidCommand):
            feed.parse_cursor(bad)


def test_a_page_skips_matters_out_of_scope_but_still_moves_on(container: Container) -> None:
    mine, other = register(container), register(container, unit="C2-XF")
    for _ in range(3):
        register(container, unit="C2-XF")
    act(container, mine, "C1-XF", "classify", type="claim", route="petition")

    def only_mine(_conn: Connection, case_ids: Any) -> set[str]:
        return {i for i in case_ids if i == mine.id}

    with container.db.read() as conn:
        page = feed.read_page(conn, feed.START, 2, only_mine)
        assert [(r["case_id"], r["seq"]) for r in page.rows] == [(mine.id, 1), (mine.id, 2)]
        rest = feed.read_page(conn, page.next_cursor, 2, only_mine)
        assert rest.rows == [] and rest.next_cursor == page.next_cursor
        assert conn.execute(select(func.count()).select_from(CASES)).scalar_one() == 5
    everything, _ = drain(container, feed.START)
    assert other.id in {r["case_id"] for r in everything}
