"""The sweep's claim: whole matters, in the order their first timer falls due."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from tests.postgres import backend_url
from tests.support import at, make_container, register
from workflow.adapters import timer_store as store
from workflow.adapters.repository import TIMERS

NOW = at("2026-10-09 00:00")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_matter_with_many_due_timers_does_not_hide_the_next_matters(
    backend: str, tmp_path: Path
) -> None:
    """Matter A has six due timers before B's and C's: a claim of two matters reads past
    them (the first read of twice the limit holds only A's) and takes A and B whole."""
    with backend_url(backend, tmp_path) as url:
        c = make_container(tmp_path, NOW, database_url=url)
        # Real matters (PostgreSQL locks their rows); their own timers fall due weeks on.
        # Registered d first: ids sort d < c < b < a, against the order they fall due in.
        matters = {}
        for name in "dcba":
            matters[name] = register(c).id
            c.clock.advance(seconds=1)  # type: ignore[attr-defined]
        due = [("a", n) for n in range(6)] + [("b", 10), ("b", 11), ("c", 12), ("d", 13)]
        rows = [
            {
                "id": f"{case}-{minute}",
                "case_id": matters[case],
                "deadline_id": f"{case}-d",
                "kind": "breach",
                "due_at": NOW - timedelta(hours=1) + timedelta(minutes=minute),
                "status": "pending",
                "attempts": 0,
            }
            for case, minute in due
        ]
        rows.append({**rows[-1], "id": "late", "due_at": NOW + timedelta(days=1)})
        with c.db.write() as conn:
            conn.execute(insert(TIMERS), rows)
            claimed, complete = store.claim_due(conn, NOW, 2)
            assert [t.id for t in claimed] == [f"a-{n}" for n in range(6)] + ["b-10", "b-11"]
            assert not complete
            store.mark_fired(conn, [t.id for t in claimed], NOW)
            rest, complete = store.claim_due(conn, NOW, 2)
            assert [t.id for t in rest] == ["c-12", "d-13"]
            assert not complete  # two matters for a claim of two: maybe more
            store.mark_fired(conn, [t.id for t in rest], NOW)
            assert store.claim_due(conn, NOW, 2) == ([], True)
            skipped, complete = store.claim_due(conn, NOW + timedelta(days=2), 2, skip={"late"})
            assert (skipped, complete) == ([], True)
            last, complete = store.claim_due(conn, NOW + timedelta(days=2), 2)
            assert [t.id for t in last] == ["late"] and complete
        c.db.dispose()
