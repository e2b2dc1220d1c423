"""Verify with projections=true (API) and --projections (CLI) reports derived rows that
no longer follow from the events: edits the hash chains cannot see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from typer.testing import CliRunner

from api.cli import app as cli
from tests.e2e.conftest import Api
from workflow.adapters.repository import DEADLINES


def test_projection_edits_are_reported_on_request(api: Api) -> None:
    case = api.register()
    h = api.auth("auditor", "P")
    plain = api.client.get("/v1/audit/verify", headers=h).json()
    deep = api.client.get("/v1/audit/verify?projections=true", headers=h).json()
    assert plain["ok"] and deep["ok"] and deep["projection_findings"] == []
    assert plain["projection_findings"] is None
    with api.container.db.write() as conn:  # a deadline pushed back by hand
        conn.execute(
            update(DEADLINES)
            .where(DEADLINES.c.case_id == case["id"])
            .values(due_on=date(2030, 1, 1))
        )
    assert api.client.get("/v1/audit/verify", headers=h).json()["ok"]  # chains are intact
    deep = api.client.get("/v1/audit/verify?projections=true", headers=h).json()
    assert not deep["ok"]
    assert {f["case_id"] for f in deep["projection_findings"]} == {case["id"]}
    runner = CliRunner()
    url = api.settings.database_url
    assert runner.invoke(cli, ["verify", "--database-url", url]).exit_code == 0
    failed = runner.invoke(cli, ["verify", "--database-url", url, "--projections"])
    assert failed.exit_code == 1
    assert case["id"] in failed.output
