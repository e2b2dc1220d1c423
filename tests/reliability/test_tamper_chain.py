"""R6, issue 22 F10: a broken chain is a finding with its place on every path, never a 500.

Each edit below breaks one matter's log directly in the database (SQLite and
PostgreSQL). Every way of looking at the log then reports the break with its case and
seq, and none of them fails with a server error:

- ``workflow.audit.verify`` (``petitionflow verify``, ``GET /v1/audit/verify``): the
  first broken link;
- ``workflow.audit.projection`` (``verify --projections``, ``?projections=true``): a
  ``chain`` finding for the matter instead of an exception from folding a broken
  history;
- ``GET /v1/petitions/{id}/replay``: a 409 ``integrity-failure`` problem naming the
  case, seq and reason, for the edits that change what the history folds to.

The timer id and the commit number are outside the hash (``workflow.audit.verify``,
"Limits"); they are checked against what is hashed: a timer event's ``timer_id`` must be
the id its hashed payload names, and a matter's commit numbers must be set, rise with
its seqs and lie within the feed's counter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from api.cli import app as cli
from tests.e2e.conftest import Api, problem
from tests.postgres import backend_url
from tests.reliability.conftest import open_api
from tests.reliability.test_tamper import _matters
from workflow.adapters.repository import EVENTS
from workflow.audit.projection import audit_projections
from workflow.audit.verify import verify_log
from workflow.runtime.bootstrap import Container


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tampered(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    with backend_url(request.param, tmp_path, "chain.db") as url:
        api, close = open_api(url)
        try:
            yield api
        finally:
            close()


def _set(c: Container, case_id: str, at_seq: int, **values: Any) -> None:
    where = (EVENTS.c.case_id == case_id, EVENTS.c.seq == at_seq)
    with c.db.write() as conn:
        conn.execute(update(EVENTS).where(*where).values(**values))


def _get(c: Container, case_id: str, seq: int, column: str) -> Any:
    with c.db.read() as conn:
        return conn.execute(
            select(EVENTS.c[column]).where(EVENTS.c.case_id == case_id, EVENTS.c.seq == seq)
        ).scalar_one()


def _payload(c: Container, case_id: str) -> int:
    payload = _get(c, case_id, 3, "payload")
    _set(c, case_id, 3, payload={**payload, "to_unit": "C2-ZJ"})
    return 3


def _deleted(c: Container, case_id: str) -> int:
    with c.db.write() as conn:
        conn.execute(EVENTS.delete().where(EVENTS.c.case_id == case_id, EVENTS.c.seq == 3))
    return 4


def _swapped(c: Container, case_id: str) -> int:
    _set(c, case_id, 2, seq=-2)
    _set(c, case_id, 3, seq=2)
    _set(c, case_id, -2, seq=3)
    return 2


def _timer_edited(c: Container, case_id: str) -> int:
    # The breach timer's id with another due day: the sweep's once-only key no longer
    # names the timer that fired.
    timer_id = _get(c, case_id, 6, "timer_id")
    _set(c, case_id, 6, timer_id=timer_id.rsplit(":", 1)[0] + ":2027-01-01")
    return 6


def _timer_removed(c: Container, case_id: str) -> int:
    _set(c, case_id, 6, timer_id=None)
    return 6


def _timers_swapped(c: Container, case_id: str) -> int:
    warning, breach = _get(c, case_id, 5, "timer_id"), _get(c, case_id, 6, "timer_id")
    _set(c, case_id, 5, timer_id=None)
    _set(c, case_id, 6, timer_id=warning)
    _set(c, case_id, 5, timer_id=breach)
    return 5


def _commit_moved(c: Container, case_id: str) -> int:
    # Later than everything committed: the feed would hand the event out again, last.
    _set(c, case_id, 3, commit_seq=10_000)
    return 3


def _commit_reordered(c: Container, case_id: str) -> int:
    # Before the matter's own earlier events: the feed would show seq 3 before seq 2.
    _set(c, case_id, 3, commit_seq=_get(c, case_id, 2, "commit_seq") - 1)
    return 3


def _commit_removed(c: Container, case_id: str) -> int:
    _set(c, case_id, 3, commit_seq=None)
    return 3


# name: (edit returning the seq it breaks, whether the fold of the history changes)
CHAIN_EDITS: dict[str, tuple[Callable[[Container, str], int], bool]] = {
    "payload-edited": (_payload, True),
    "middle-event-deleted": (_deleted, True),
    "seqs-swapped": (_swapped, True),
    "timer-id-edited": (_timer_edited, False),
    "timer-id-removed": (_timer_removed, False),
    "timer-ids-swapped": (_timers_swapped, False),
    "commit-seq-moved": (_commit_moved, False),
    "commit-seq-reordered": (_commit_reordered, False),
    "commit-seq-removed": (_commit_removed, False),
}


@pytest.mark.parametrize("edit", sorted(CHAIN_EDITS))
def test_a_broken_chain_is_reported_with_its_place(tampered: Api, edit: str) -> None:
    api = tampered
    c = api.container
    ids = _matters(c)
    late = ids["late"]
    change, folds = CHAIN_EDITS[edit]
    seq = change(c, late)

    result = verify_log(c.db)
    assert result.first_broken is not None, f"{edit} went unnoticed"
    assert (result.first_broken.case_id, result.first_broken.seq) == (late, seq), result

    findings = audit_projections(c.db, c.engine)  # never raises
    if folds:
        chain = [f for f in findings if f.kind == "chain"]
        assert chain and chain[0].case_id == late and f"seq {seq}" in chain[0].detail, findings
    assert {f.case_id for f in findings} <= {late}

    h = api.auth("auditor", "P")
    body = api.client.get("/v1/audit/verify?projections=true", headers=h)
    assert body.status_code == 200, body.text
    report = body.json()
    assert not report["ok"]
    assert (report["first_broken"]["case_id"], report["first_broken"]["seq"]) == (late, seq)

    replay = api.client.get(f"/v1/petitions/{late}/replay", headers=h)
    if folds:
        found = problem(replay, 409, "integrity-failure")
        assert (found["case_id"], found["seq"]) == (late, seq), found
        assert found["reason"]
    else:
        assert replay.status_code == 200, replay.text
    assert api.client.get(f"/v1/petitions/{ids['handling']}/replay", headers=h).status_code == 200

    runner = CliRunner()
    url = api.settings.database_url
    for args in (["verify"], ["verify", "--projections"]):
        run = runner.invoke(cli, [*args, "--database-url", url])
        assert run.exit_code == 1, run.output
        assert f"BROKEN: case {late} seq {seq}" in run.output, run.output


def test_an_untouched_log_passes_every_path(tampered: Api) -> None:
    api = tampered
    c = api.container
    ids = _matters(c)
    assert verify_log(c.db).ok
    assert audit_projections(c.db, c.engine) == []
    h = api.auth("auditor", "P")
    report = api.client.get("/v1/audit/verify?projections=true", headers=h).json()
    assert report["ok"] and report["projection_findings"] == []
    for case_id in ids.values():
        replay = api.client.get(f"/v1/petitions/{case_id}/replay", headers=h)
        assert replay.status_code == 200 and replay.json()["matches_projection"]
