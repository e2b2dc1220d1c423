"""As-of replays across a series of actions; redaction erases data and keeps every chain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from tests.integration.audit_support import build_log, other
from tests.support import act, actor, at, make_container, register
from workflow.adapters.repository import PERSONAL
from workflow.audit.redaction import redact_before, redact_case
from workflow.audit.verify import verify_log
from workflow.domain.actor import Role


def test_replays_as_of_each_moment_return_the_state_of_that_moment(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    moments = [c.clock.now()]
    seen = [(case.state, case.holder_unit)]
    for unit, action, fields in (
        ("C1-XF", "classify", {"type": "claim", "route": "petition"}),
        ("C1-XF", "transfer", {"to_unit": "C1-ZJ", "mode": "assign", "feedback_days": 10}),
        ("C1-ZJ", "accept", {}),
        ("C1-ZJ", "reply", {"outcome": "support", "opinion": "予以支持"}),
    ):
        c.clock.advance(days=1)  # type: ignore[attr-defined]
        now = act(c, case, unit, action, **fields)
        moments.append(c.clock.now())
        seen.append((now.state, now.holder_unit))
    # What the system said at each moment, and what the chart says it must have been.
    expected = [
        ("registered", "C1-XF"),
        ("classified", "C1-XF"),
        ("transferred", "C1-ZJ"),
        ("handling", "C1-ZJ"),
        (seen[4][0], "C1-ZJ"),
    ]
    assert seen == expected and seen[4][0] not in ("handling", "transferred")
    before = c.petitions.replay(case.id, moments[0] - timedelta(seconds=1))
    assert (before.case, before.events) == (None, 0)
    for index, moment in enumerate(moments):
        for probe in (moment, moment + timedelta(hours=12)):
            result = c.petitions.replay(case.id, probe)
            assert result.case is not None
            assert result.events == index + 1
            assert (result.case.state, result.case.holder_unit) == expected[index]
            assert result.matches_projection
    # Deadlines as the system knew them then: the handling clock did not exist before accept.
    then = c.petitions.replay(case.id, moments[2]).case
    later = c.petitions.replay(case.id, moments[3]).case
    assert then is not None and later is not None
    assert len(later.deadlines) > len(then.deadlines) or any(
        a.status != b.status for a, b in zip(then.deadlines, later.deadlines, strict=False)
    )


def _personal(c: object, case_id: str) -> list[tuple[object, object]]:
    db = c.db  # type: ignore[attr-defined]
    with db.read() as conn:
        return [
            (r.data, r.redacted_at)
            for r in conn.execute(select(PERSONAL).where(PERSONAL.c.case_id == case_id))
        ]


def test_redacting_a_case_erases_its_data_and_every_chain_still_verifies(tmp_path: Path) -> None:
    log = build_log(tmp_path)
    c = log.c
    before = c.petitions.get(log.first)
    done = redact_case(c, log.first, actor("ROOT", Role.ADMIN, "admin"), "retention")
    assert done is not None and done.refs == ["p1"] and done.seq == before.version + 1
    rows = _personal(c, log.first)
    assert rows and all(data is None and when is not None for data, when in rows)
    with c.db.read() as conn:
        raw = conn.execute(select(PERSONAL.c.data).where(PERSONAL.c.case_id == log.first))
        assert all(value is None for value in raw.scalars())
    assert _personal(c, log.second)[0][0] is not None  # other matters untouched
    after = c.petitions.get(log.first)
    assert (after.state, after.holder_unit) == (before.state, before.holder_unit)
    assert "ROOT" not in after.units_involved
    events = c.petitions.history(log.first)
    assert events[-1].type == "personal_data_redacted"
    assert events[-1].payload == {"refs": ["p1"], "reason": "retention"}
    assert c.petitions.replay(log.first).matches_projection
    result = verify_log(c.db)
    assert result.ok, result.first_broken
    assert redact_case(c, log.first, actor("ROOT", Role.ADMIN, "admin"), "again") is None


def test_retention_redacts_only_finished_matters_before_the_day(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    open_case = register(c)
    finished = register(c, **other(1))
    act(c, finished, "C1-XF", "withdraw")
    c.clock.advance(days=3)  # type: ignore[attr-defined]
    late = register(c, **other(2))
    act(c, late, "C1-XF", "withdraw")
    done = redact_before(c, at("2026-09-24 00:00").date(), actor("ROOT", Role.ADMIN), "retention")
    assert [d.case_id for d in done] == [finished.id]
    assert _personal(c, open_case.id)[0][0] is not None
    assert _personal(c, late.id)[0][0] is not None
    assert verify_log(c.db).ok

    runner = CliRunner()
    url = c.settings.database_url
    outcome = runner.invoke(app, ["redact", "--case", late.id, "--database-url", url])
    assert outcome.exit_code == 0, outcome.output
    assert _personal(c, late.id)[0][0] is None
    assert runner.invoke(app, ["redact", "--database-url", url]).exit_code == 2
    bad_day = runner.invoke(app, ["redact", "--before", "24/09/2026", "--database-url", url])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output
    assert runner.invoke(app, ["verify", "--database-url", url]).exit_code == 0
