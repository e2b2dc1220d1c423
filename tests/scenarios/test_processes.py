"""The commands as operators run them: ``petitionflow scheduler`` and ``calendar import``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from tests.loopback import CLI, spawn, stop
from tests.scenarios.helpers import events_by_timer, timer_status
from tests.support import at, make_container, register

SAMPLE = Path(__file__).parents[1] / "unit" / "rules" / "data" / "2027-sample.toml"


def test_scheduler_process_catches_up_and_stops_on_sigterm(tmp_path: Path) -> None:
    # A matter received on 2026-09-01: its route warning and breach are long due.
    c = make_container(tmp_path, at("2026-09-01 09:00"))
    case = register(c, received_at="2026-09-01T09:00:00+08:00")
    env = {
        **os.environ,
        "PETITIONFLOW_DATABASE_URL": c.settings.database_url,
        "PETITIONFLOW_SWEEP_INTERVAL_SECONDS": "0.2",
    }
    log = tmp_path / "scheduler.log"
    proc = spawn([*CLI, "scheduler"], env, log)  # its output to a file: a pipe can fill
    try:
        deadline = time.monotonic() + 30
        while len(events_by_timer(c)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(proc, timeout=30)  # SIGTERM; killed (and failed below) if it does not stop
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]
    assert set(events_by_timer(c).values()) == {1}
    assert sorted(t.split(":")[1] for t in events_by_timer(c)) == ["breach", "warning"]
    assert c.petitions.get(case.id).overdue
    assert all(s != "pending" for s in timer_status(c).values())


def test_calendar_import_command(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-01 09:00"))
    url = c.settings.database_url
    runner = CliRunner()
    bad = tmp_path / "bad.toml"
    bad.write_text('year = 2027\nstatus = "maybe"\nsource = "x"\n', encoding="utf-8")
    failed = runner.invoke(app, ["calendar", "import", str(bad), "--database-url", url])
    assert failed.exit_code != 0
    assert "calendar file invalid" in failed.output
    done = runner.invoke(app, ["calendar", "import", str(SAMPLE), "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "calendar 2027 imported" in done.output
