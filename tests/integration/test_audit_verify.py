"""Verify reports direct edits of the database: chains, projection heads and anchors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.integration.audit_support import Log, build_log, scalar, sql
from workflow.audit import anchors
from workflow.audit.verify import verify_log


@pytest.fixture
def log(tmp_path: Path) -> Log:
    return build_log(tmp_path)


def test_an_untouched_log_verifies_with_its_anchors(log: Log) -> None:
    result = verify_log(log.c.db)
    assert result.ok, result.first_broken
    assert (result.cases, result.events, result.anchors) == (3, 7, 3)
    assert result.anchored_until == "2026-09-24"


def _broken(log: Log) -> tuple[str, int, str]:
    result = verify_log(log.c.db)
    assert not result.ok
    assert result.first_broken is not None
    return result.first_broken.case_id, result.first_broken.seq, result.first_broken.reason


def test_a_changed_payload_is_reported(log: Log) -> None:
    sql(
        log.c,
        "UPDATE events SET payload = :p WHERE case_id = :c AND seq = 2",
        p=json.dumps({"trigger": "classify", "to": "classified"}),
        c=log.first,
    )
    assert _broken(log)[:2] == (log.first, 2)


def test_a_changed_column_with_equivalent_json_still_verifies(log: Log) -> None:
    # The same payload re-encoded non-canonically (spaces, key order) is not a change.
    raw = scalar(log.c, "SELECT payload FROM events WHERE case_id = :c AND seq = 2", c=log.first)
    value = json.loads(raw) if isinstance(raw, str) else raw
    sql(
        log.c,
        "UPDATE events SET payload = :p WHERE case_id = :c AND seq = 2",
        p=json.dumps(value, indent=1),
        c=log.first,
    )
    assert verify_log(log.c.db).ok


def test_a_deleted_middle_event_is_reported(log: Log) -> None:
    sql(log.c, "DELETE FROM events WHERE case_id = :c AND seq = 3", c=log.first)
    case_id, seq, reason = _broken(log)
    assert (case_id, seq) == (log.first, 4)
    assert "sequence gap" in reason


def test_a_deleted_last_event_is_reported_by_the_projection(log: Log) -> None:
    sql(log.c, "DELETE FROM events WHERE case_id = :c AND seq = 4", c=log.first)
    case_id, seq, reason = _broken(log)
    assert (case_id, seq) == (log.first, 4)
    assert "version 4" in reason


def test_a_deleted_last_event_with_a_consistent_projection_is_reported_by_the_anchor(
    log: Log,
) -> None:
    prev = scalar(log.c, "SELECT hash FROM events WHERE case_id = :c AND seq = 3", c=log.first)
    sql(log.c, "DELETE FROM events WHERE case_id = :c AND seq = 4", c=log.first)
    sql(log.c, "UPDATE cases SET version = 3, last_hash = :h WHERE id = :c", h=prev, c=log.first)
    case_id, seq, reason = _broken(log)
    assert (case_id, seq) == (log.first, 3)
    assert "2026-09-23" in reason and "deleted" in reason


@pytest.mark.parametrize("table", ["events", "both"])
def test_a_deleted_case_is_reported(log: Log, table: str) -> None:
    sql(log.c, "DELETE FROM events WHERE case_id = :c", c=log.second)
    if table == "both":
        sql(log.c, "DELETE FROM cases WHERE id = :c", c=log.second)
        sql(log.c, "DELETE FROM deadlines WHERE case_id = :c", c=log.second)
    case_id, seq, reason = _broken(log)
    assert case_id == log.second
    assert seq in (1, 2)
    assert (
        ("missing" in reason) if table == "both" else ("no events" in reason or "missing" in reason)
    )


def test_reordered_seqs_are_reported(log: Log) -> None:
    sql(log.c, "UPDATE events SET seq = 99 WHERE case_id = :c AND seq = 2", c=log.first)
    sql(log.c, "UPDATE events SET seq = 2 WHERE case_id = :c AND seq = 3", c=log.first)
    sql(log.c, "UPDATE events SET seq = 3 WHERE case_id = :c AND seq = 99", c=log.first)
    assert _broken(log)[:2] == (log.first, 2)


def test_swapped_hashes_are_reported(log: Log) -> None:
    sql(
        log.c,
        "UPDATE events SET hash = CASE seq WHEN 2 THEN (SELECT hash FROM events e WHERE "
        "e.case_id = :c AND e.seq = 3) ELSE (SELECT hash FROM events e WHERE e.case_id = :c "
        "AND e.seq = 2) END WHERE case_id = :c AND seq IN (2, 3)",
        c=log.first,
    )
    assert _broken(log)[:2] == (log.first, 2)


def test_a_deleted_case_after_the_last_anchor_is_reported_while_its_row_remains(log: Log) -> None:
    sql(log.c, "DELETE FROM events WHERE case_id = :c", c=log.third)
    case_id, seq, reason = _broken(log)
    assert (case_id, seq) == (log.third, 1)
    assert "no events" in reason


def test_a_rewrite_with_fresh_anchors_is_caught_by_the_exported_copy(
    log: Log, tmp_path: Path
) -> None:
    exported = anchors.export(log.c.db, tmp_path / "copy")
    assert exported is not None
    # The attacker removes a whole matter everywhere and re-anchors the rest.
    for table, column in (("events", "case_id"), ("deadlines", "case_id"), ("timers", "case_id")):
        sql(log.c, f"DELETE FROM {table} WHERE {column} = :c", c=log.second)
    sql(log.c, "DELETE FROM personal_data WHERE case_id = :c", c=log.second)
    sql(log.c, "DELETE FROM cases WHERE id = :c", c=log.second)
    sql(log.c, "DELETE FROM anchors")
    assert anchors.create_due(log.c.db, log.c.clock.now())
    assert verify_log(log.c.db).ok  # the database alone is consistent again

    result = verify_log(log.c.db, exported=anchors.load_file(exported))
    assert not result.ok and result.first_broken is not None
    assert result.first_broken.case_id == log.second
    assert "exported" in result.first_broken.reason

    runner = CliRunner()
    url = log.c.settings.database_url
    outcome = runner.invoke(app, ["verify", "--database-url", url, "--anchors", str(exported)])
    assert outcome.exit_code == 1
    assert log.second in outcome.output
    assert runner.invoke(app, ["verify", "--database-url", url]).exit_code == 0


def test_a_tampered_export_is_refused(log: Log, tmp_path: Path) -> None:
    exported = anchors.export(log.c.db, tmp_path / "copy")
    assert exported is not None
    lines = exported.read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[1])
    doc["heads"] = doc["heads"][:-1]
    lines[1] = json.dumps(doc)
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = verify_log(log.c.db, exported=anchors.load_file(exported))
    assert not result.ok and result.first_broken is not None
    assert "its own root hash" in result.first_broken.reason


def test_cli_verify_reports_the_first_broken_link(log: Log) -> None:
    sql(log.c, "UPDATE events SET unit = 'C2-XF' WHERE case_id = :c AND seq = 3", c=log.first)
    outcome = CliRunner().invoke(app, ["verify", "--database-url", log.c.settings.database_url])
    assert outcome.exit_code == 1
    assert f"case {log.first} seq 3" in outcome.output


def test_anchors_are_created_once_per_day_and_exported_by_the_cli(log: Log, tmp_path: Path) -> None:
    assert anchors.create_due(log.c.db, log.c.clock.now()) == []
    runner = CliRunner()
    url = log.c.settings.database_url
    created = runner.invoke(app, ["anchors", "create", "--database-url", url])
    assert created.exit_code == 0, created.output
    out = runner.invoke(
        app, ["anchors", "export", "--database-url", url, "--out", str(tmp_path / "x")]
    )
    assert out.exit_code == 0, out.output
    path = Path(out.output.strip().splitlines()[-1])
    assert [json.loads(line)["day"] for line in path.read_text().splitlines()][:3] == [
        "2026-09-22",
        "2026-09-23",
        "2026-09-24",
    ]
