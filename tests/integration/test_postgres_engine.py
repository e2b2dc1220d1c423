"""The same engine on PostgreSQL: a lifecycle, the chain, replay and a stale version."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import postgres_schema_url
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.errors import VersionConflict

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


def test_lifecycle_on_postgres(tmp_path: Path, pg_url: str) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"), database_url=pg_url)
    try:
        case = register(c, received_at="2026-09-22T09:00:00+08:00")
        case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
        case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
        case = act(c, case, "C1-ZJ", "accept")
        case = act(c, case, "C1-ZJ", "reply", outcome="support", opinion="支持")
        assert case.state == "replied"
        model = ACTION_ADAPTER.validate_python({"action": "evaluate", "satisfied": True})
        with pytest.raises(VersionConflict):
            c.petitions.act(case.id, model, actor("C1-ZJ"), if_match=1)
        events = c.petitions.history(case.id)
        assert [e.seq for e in events] == [1, 2, 3, 4, 5]
        assert all(e.hash == e.computed_hash() for e in events)
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert c.petitions.replay(case.id).matches_projection
    finally:
        c.db.dispose()
