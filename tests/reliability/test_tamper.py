"""R6: direct database edits the hash chains cannot see are reported by the projection audit.

Edits of the events and of the case heads (payload, deleted or reordered events, deleted
cases, rewritten histories) are covered by tests/integration/test_audit_verify.py,
tests/e2e/test_audit_api.py and tests/reliability/test_tamper_chain.py. These are the
remaining kinds: the case document and its query columns (including the paths, days and
evaluation columns the boards and the rates count by), deadline rows, deadline versions
(current and past), supervision items, timer rows and personal data, each edited
directly in the database on SQLite and PostgreSQL, each reported with its kind by
``workflow.audit.projection``; an untouched database after a lifecycle with fired timers
reports nothing. The supervision, version and wider column edits (issue 22 F10) went
unreported before the audit compared those rows with the replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from tests.postgres import backend_url
from tests.support import act, at, make_container, register
from workflow.adapters.repository import CASES, DEADLINES, PERSONAL, TIMERS
from workflow.adapters.tables import DEADLINE_VERSIONS, SUPERVISION_ITEMS
from workflow.audit.projection import audit_projections
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container
from workflow.timers.sweep import advance_clock


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def c(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    with backend_url(request.param, tmp_path, "tamper.db") as url:
        container = make_container(tmp_path, at("2026-09-22 09:00"), database_url=url)
        try:
            yield container
        finally:
            container.db.dispose()


def _matters(c: Container) -> dict[str, str]:
    """One matter being handled (a pending obligation and its timers), one replied and
    evaluated after a warning and a breach fired (fired timers, a breached deadline)."""
    clock = c.clock
    assert isinstance(clock, SimulatedClock)
    late = register(c, received_at="2026-09-22T09:00:00+08:00")
    act(c, late, "C1-XF", "classify", type="claim", route="petition")
    act(c, late, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    act(c, late, "C1-ZJ", "accept")
    advance_clock(c, now=clock.now() + timedelta(days=75))
    act(c, late, "C1-ZJ", "reply", outcome="explain", opinion="解释说明")
    act(c, late, "C1-XF", "evaluate", satisfied=True)
    person = {"name": "周八", "id_number": "110101198502020022"}
    handling = register(c, subject="另一件事", petitioners=[person])
    act(c, handling, "C1-XF", "classify", type="claim", route="petition")
    act(c, handling, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    act(c, handling, "C1-ZJ", "accept")
    return {"late": late.id, "handling": handling.id}


def _first(c: Container, table: Any, *where: Any) -> Any:
    with c.db.read() as conn:
        return conn.execute(
            select(table).where(*where).order_by(table.c[table.primary_key.columns.keys()[0]])
        ).first()


def _doc_state(c: Container, ids: dict[str, str]) -> None:
    with c.db.write() as conn:
        doc = conn.execute(select(CASES.c.doc).where(CASES.c.id == ids["handling"])).scalar_one()
        conn.execute(
            update(CASES)
            .where(CASES.c.id == ids["handling"])
            .values(doc={**doc, "state": "closed"})
        )


def _column(name: str, value: Any) -> Callable[[Container, dict[str, str]], None]:
    def edit(c: Container, ids: dict[str, str]) -> None:
        with c.db.write() as conn:
            conn.execute(update(CASES).where(CASES.c.id == ids["handling"]).values({name: value}))

    return edit


def _deadline(**values: Any) -> Callable[[Container, dict[str, str]], None]:
    def edit(c: Container, ids: dict[str, str]) -> None:
        row = _first(
            c, DEADLINES, DEADLINES.c.case_id == ids["handling"], DEADLINES.c.status == "pending"
        )
        with c.db.write() as conn:
            if values:
                conn.execute(update(DEADLINES).where(DEADLINES.c.id == row.id).values(**values))
            else:
                conn.execute(delete(DEADLINES).where(DEADLINES.c.id == row.id))

    return edit


def _timer(**values: Any) -> Callable[[Container, dict[str, str]], None]:
    def edit(c: Container, ids: dict[str, str]) -> None:
        row = _first(c, TIMERS, TIMERS.c.case_id == ids["handling"], TIMERS.c.status == "pending")
        with c.db.write() as conn:
            if "shift" in values:
                moved = row.due_at + timedelta(days=values["shift"])
                conn.execute(update(TIMERS).where(TIMERS.c.id == row.id).values(due_at=moved))
            elif values:
                conn.execute(update(TIMERS).where(TIMERS.c.id == row.id).values(**values))
            else:
                conn.execute(delete(TIMERS).where(TIMERS.c.id == row.id))

    return edit


def _invented_timer(c: Container, ids: dict[str, str]) -> None:
    row = _first(c, TIMERS, TIMERS.c.case_id == ids["handling"], TIMERS.c.status == "pending")
    values = dict(row._mapping)
    values["id"] = values["id"] + ":extra"
    with c.db.write() as conn:
        conn.execute(TIMERS.insert().values(**values))


def _personal(kind: str) -> Callable[[Container, dict[str, str]], None]:
    def edit(c: Container, ids: dict[str, str]) -> None:
        where = (PERSONAL.c.case_id == ids["late"], PERSONAL.c.ref == "p1")
        with c.db.write() as conn:
            row = conn.execute(select(PERSONAL).where(*where)).one()
            if kind == "data":
                altered = {**row.data, "id_number": "110101199909099999"}
                conn.execute(update(PERSONAL).where(*where).values(data=altered))
            elif kind == "digest":
                # Data and a digest recomputed for it: the event still holds the original.
                import hashlib

                from workflow.domain.events import canonical_json

                altered = {**row.data, "name": "冒名"}
                digest = hashlib.sha256(row.salt.encode() + canonical_json(altered)).hexdigest()
                conn.execute(update(PERSONAL).where(*where).values(data=altered, digest=digest))
            else:
                conn.execute(delete(PERSONAL).where(*where))

    return edit


def _late_column(name: str, value: Any) -> Callable[[Container, dict[str, str]], None]:
    def edit(c: Container, ids: dict[str, str]) -> None:
        with c.db.write() as conn:
            conn.execute(update(CASES).where(CASES.c.id == ids["late"]).values({name: value}))

    return edit


def _items(**values: Any) -> Callable[[Container, dict[str, str]], None]:
    """Every supervision item of the late matter (two, opened by breaches) edited, or
    deleted: what the supervision boards read."""

    def edit(c: Container, ids: dict[str, str]) -> None:
        where = SUPERVISION_ITEMS.c.case_id == ids["late"]
        with c.db.write() as conn:
            if values:
                conn.execute(update(SUPERVISION_ITEMS).where(where).values(**values))
            else:
                conn.execute(delete(SUPERVISION_ITEMS).where(where))

    return edit


def _versions(current: bool, **values: Any) -> Callable[[Container, dict[str, str]], None]:
    """A deadline version of the handling matter (the current one, or one closed before
    it) edited or deleted: what "as of" reads of the boards and the rates answer from."""

    def edit(c: Container, ids: dict[str, str]) -> None:
        t = DEADLINE_VERSIONS
        which = t.c.recorded_to.is_(None) if current else t.c.recorded_to.is_not(None)
        row = _first(c, t, t.c.case_id == ids["handling"], which)
        with c.db.write() as conn:
            if values:
                conn.execute(update(t).where(t.c.id == row.id).values(**values))
            else:
                conn.execute(delete(t).where(t.c.id == row.id))

    return edit


EDITS: dict[str, tuple[Callable[[Container, dict[str, str]], None], str]] = {
    "doc-state": (_doc_state, "doc"),
    "state-column": (_column("state", "closed"), "column"),
    "holder-column": (_column("holder_unit", "C2-XF"), "column"),
    "overdue-column": (_column("overdue", True), "column"),
    "number-column": (_column("number", "XF209900000001"), "column"),
    "deadline-moved": (_deadline(due_on=at("2027-06-30 00:00").date()), "deadline"),
    "deadline-marked-met": (_deadline(status="met"), "deadline"),
    "deadline-deleted": (_deadline(), "deadline"),
    "timer-moved": (_timer(shift=30), "timer"),
    "timer-disarmed": (_timer(status="cancelled"), "timer"),
    "timer-marked-fired": (_timer(status="fired"), "timer"),
    "timer-deleted": (_timer(), "timer"),
    "timer-invented": (_invented_timer, "timer"),
    "personal-data-altered": (_personal("data"), "personal-data"),
    "personal-digest-replaced": (_personal("digest"), "personal-data"),
    "personal-data-deleted": (_personal("delete"), "personal-data"),
    # Issue 22 F10: the projections the boards and the rates read beyond these.
    "holder-path-column": (_column("holder_path", "/P/C2/C2-XF/"), "column"),
    "received-day-column": (_column("received_day", 1), "column"),
    "evaluation-column": (_late_column("satisfied", False), "column"),
    "evaluation-source-column": (_late_column("evaluation_source", "petitioner"), "column"),
    "replied-on-column": (_late_column("replied_on", at("2026-09-23 00:00").date()), "column"),
    "ended-day-column": (_column("ended_day", 740_000), "column"),
    "deadline-path-moved": (_deadline(responsible_path="/P/C2/C2-XF/"), "deadline"),
    "deadline-obligation-cleared": (_deadline(open_obligation=False), "deadline"),
    "items-closed": (_items(state="closed"), "supervision"),
    "items-supervisor-changed": (_items(supervising_unit="C2-XF"), "supervision"),
    "items-ground-changed": (_items(ground="manual"), "supervision"),
    "items-path-moved": (_items(responsible_path="/P/C2/C2-XF/"), "supervision"),
    "items-deleted": (_items(), "supervision"),
    "version-current-moved": (
        _versions(True, due_on=at("2027-06-30 00:00").date()),
        "deadline-version",
    ),
    "version-current-breached": (_versions(True, status="breached"), "deadline-version"),
    "version-past-moved": (
        _versions(False, due_on=at("2027-06-30 00:00").date()),
        "deadline-version",
    ),
    "version-current-deleted": (_versions(True), "deadline-version"),
    "version-past-deleted": (_versions(False), "deadline-version"),
}
# Edits of the late matter (replied, evaluated, breached twice); the others edit the
# matter being handled.
_LATE = {"personal-data", "supervision"}


def test_an_untouched_database_has_no_findings(c: Container) -> None:
    ids = _matters(c)
    assert audit_projections(c.db, c.engine) == []
    assert all(c.petitions.replay(i).matches_projection for i in ids.values())


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_every_direct_edit_is_reported(c: Container, edit: str) -> None:
    ids = _matters(c)
    change, kind = EDITS[edit]
    change(c, ids)
    findings = audit_projections(c.db, c.engine)
    assert findings, f"{edit} went unnoticed"
    # An edited document also disagrees with the columns written from it; nothing else.
    assert kind in {f.kind for f in findings} <= {kind, "column"}, findings
    late = kind in _LATE or edit.startswith(("evaluation", "replied"))
    edited = ids["late"] if late else ids["handling"]
    assert {f.case_id for f in findings} == {edited}
    if edit == "doc-state":
        assert not c.petitions.replay(ids["handling"]).matches_projection
