"""An UPDATE sets only the columns an event changed, and the rows stay what a full
rewrite would make them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support import act, at, make_container, register
from workflow.adapters import prepared, rows
from workflow.adapters import repository as repo
from workflow.runtime.bootstrap import Container
from workflow.timers.sweep import advance_clock

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("C1-XF", "classify", {"type": "claim", "route": "petition"}),
    ("C1-XF", "transfer", {"to_unit": "C1-ZJ"}),
    ("C1-ZJ", "accept", {}),
    ("C1-ZJ", "reply", {"outcome": "support", "opinion": "支持"}),
    ("C1-XF", "evaluate", {"satisfied": True}),
]


def _assert_rows_match(c: Container, case_id: str) -> None:
    case = c.petitions.get(case_id)
    with c.db.read() as conn:

        def path(code: str) -> str:
            return repo.unit_path(conn, code)

        row = conn.execute(select(repo.CASES).where(repo.CASES.c.id == case_id)).one()._mapping
        expected = rows.case_columns(path, case)
        assert {k: row[k] for k in expected} == expected
        for deadline in case.deadlines:
            stored = (
                conn.execute(select(repo.DEADLINES).where(repo.DEADLINES.c.id == deadline.id))
                .one()
                ._mapping
            )
            wanted = rows.deadline_columns(path, case.id, deadline)
            assert {k: stored[k] for k in wanted} == wanted, deadline.id


def test_rows_follow_the_matter_and_updates_set_only_what_changed(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"), scheduler=False)
    case = register(c)
    sent: list[str] = []
    prepared.observers.append(lambda sql, _params, _many: sent.append(sql))
    try:
        for unit, action, fields in STEPS:
            sent.clear()
            act(c, case, unit, action, **fields)
            updates = [s for s in sent if s.startswith("UPDATE cases")]
            assert len(updates) == 1
            # The holder moves only on transfer: no other step rewrites its columns.
            assert ("holder_path" in updates[0]) == (action == "transfer"), action
            assert "number=" not in updates[0] and "intake_path" not in updates[0]
            _assert_rows_match(c, case.id)
        late = register(c)
        advance_clock(c, advance_days=60)  # its deadlines breach: changed by timers
        _assert_rows_match(c, late.id)
        assert any(d.status == "breached" for d in c.petitions.get(late.id).deadlines)
    finally:
        prepared.observers.pop()
