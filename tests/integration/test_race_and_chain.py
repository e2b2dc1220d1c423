"""Two service instances on one SQLite file: the stale writer is refused; chains verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import SQLModel

from tests.integration.engine_support import assert_chain, snapshot
from tests.support import act, actor, at, make_container, register
from workflow.adapters import repository as repo
from workflow.adapters.database import Database
from workflow.commands.petitions import PetitionService
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.errors import VersionConflict
from workflow.services.decide import decide_action
from workflow.services.fold import apply


def test_a_stale_version_is_refused_when_two_services_race(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c)
    other_db = Database(c.settings.database_url)
    other = PetitionService(other_db, c.engine, c.clock)
    try:
        # Both load version 1 and decide different things.
        mine = c.petitions.get(case.id)
        theirs = other.get(case.id)
        now = c.clock.now()
        classify = ACTION_ADAPTER.validate_python(
            {"action": "classify", "type": "claim", "route": "petition"}
        )
        withdraw = ACTION_ADAPTER.validate_python({"action": "withdraw"})
        my_event = decide_action(c.engine, mine, classify, actor("C1-XF"), now)
        their_event = decide_action(c.engine, theirs, withdraw, actor("C1-XF"), now)
        apply(c.engine.machine, mine, my_event)
        apply(c.engine.machine, theirs, their_event)
        assert my_event.seq == their_event.seq == 2

        with c.db.write() as conn:
            repo.save(conn, mine, [my_event], expected_version=1, now=now, warning_days=3)
        before = snapshot(c.db)
        with pytest.raises(VersionConflict), other_db.write() as conn:
            repo.save(conn, theirs, [their_event], expected_version=1, now=now, warning_days=3)
        assert snapshot(c.db) == before

        stored = other.get(case.id)
        assert (stored.state, stored.version) == ("classified", 2)
        assert [e.type for e in other.history(case.id)] == ["registered", "classified"]
        assert other.replay(case.id).matches_projection
        # The loser retries on the fresh version and goes through.
        retried = other.act(case.id, withdraw, actor("C1-XF"))
        assert (retried.state, retried.version) == ("withdrawn", 3)
        assert_chain(c.petitions.history(case.id))
    finally:
        other_db.dispose()


def test_if_match_with_a_stale_version_writes_nothing(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    model = ACTION_ADAPTER.validate_python({"action": "transfer", "to_unit": "C1-ZJ"})
    before = snapshot(c.db)
    with pytest.raises(VersionConflict) as caught:
        c.petitions.act(case.id, model, actor("C1-XF"), if_match=1)
    assert caught.value.status == 412
    assert snapshot(c.db) == before


def test_chain_verifies_on_the_file_after_a_lifecycle_and_detects_tampering(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign", feedback_days=10)
    act(c, case, "C1-ZJ", "accept")
    c.clock.advance(days=5)  # type: ignore[attr-defined]
    act(c, case, "C1-ZJ", "reply", outcome="support", opinion="予以支持")
    act(c, case, "C1-XF", "evaluate", satisfied=True)
    c.db.dispose()

    # A fresh Database on the same file reads back exactly what was hashed.
    fresh = Database(c.settings.database_url)
    try:
        service = PetitionService(fresh, c.engine, c.clock)
        events = service.history(case.id)
        assert [e.type for e in events] == [
            "registered",
            "classified",
            "transferred",
            "accepted",
            "replied",
            "evaluated",
        ]
        assert_chain(events)
        assert service.replay(case.id).matches_projection

        events_table = SQLModel.metadata.tables["events"]
        with fresh.write() as conn:
            conn.execute(
                update(events_table)
                .where(events_table.c.case_id == case.id, events_table.c.seq == 3)
                .values(unit="C2-XF")
            )
        with pytest.raises(AssertionError, match="event 3 was altered"):
            assert_chain(service.history(case.id))
    finally:
        fresh.dispose()
