"""Verify and anchors on PostgreSQL: the raw fast path (server-side cursor, to_char times)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.audit_support import other, sql
from tests.postgres import postgres_schema_url
from tests.support import act, at, make_container, register
from workflow.audit import anchors
from workflow.audit.redaction import redact_case
from workflow.audit.verify import verify_log
from workflow.domain.actor import SYSTEM_ACTOR


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


def test_verify_anchors_and_redaction_on_postgres(tmp_path: Path, pg_url: str) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"), database_url=pg_url)
    try:
        first = register(c)
        second = register(c, **other(1))
        c.clock.advance(days=1)  # type: ignore[attr-defined]
        act(c, first, "C1-XF", "classify", type="claim", route="petition")
        c.clock.advance(days=1)  # type: ignore[attr-defined]
        assert anchors.create_due(c.db, c.clock.now())
        assert redact_case(c, first.id, SYSTEM_ACTOR, "retention") is not None
        result = verify_log(c.db)
        assert result.ok, result.first_broken
        assert (result.cases, result.events, result.anchors) == (2, 4, 2)

        sql(c, "DELETE FROM events WHERE case_id = :c", c=second.id)
        sql(c, "DELETE FROM cases WHERE id = :c", c=second.id)
        broken = verify_log(c.db).first_broken
        assert broken is not None and (broken.case_id, broken.seq) == (second.id, 1)
    finally:
        c.db.dispose()
