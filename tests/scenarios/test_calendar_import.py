"""Importing a year's calendar recomputes the deadlines that had to guess it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.scenarios.helpers import advance_to, assert_replays, last, timer_status
from tests.support import at, make_container, register
from workflow.timers.calendar_import import CALENDAR_YEARS, import_calendar, load_calendar_year

# Fictitious 2027 arrangement (春节 02-05..02-13), written for the rules tests.
SAMPLE = Path(__file__).parents[1] / "unit" / "rules" / "data" / "2027-sample.toml"


def test_import_recomputes_a_provisional_2027_deadline(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2027-01-22 10:00"))
    # Received Fri 2027-01-22: 15 days end Sat 02-06. 2027 has no official data yet, so
    # only weekends and the statutory days of 《全国年节及纪念日放假办法》第二条 rest
    # (除夕 02-05, 初一至初三 02-06..02-08): rolled to Tue 02-09, provisional.
    case = register(c, received_at="2027-01-22T10:00:00+08:00")
    route = case.latest("route")
    assert route is not None and route.provisional
    assert route.due_on.isoformat() == "2027-02-09"
    old_breach = f"{route.id}:breach:2027-02-09"

    # 01-25: the year's arrangement is imported (春节 02-05..02-13 in the sample).
    advance_to(c, at("2027-01-25 09:00"))
    result = load_calendar_year(c, SAMPLE.read_text(encoding="utf-8"))
    assert result.cases == [case.id]
    route = c.petitions.get(case.id).latest("route")
    assert route is not None and not route.provisional
    # 02-06..02-13 are holidays and 02-14 a Sunday: the first working day is Mon 02-15.
    assert route.due_on.isoformat() == "2027-02-15"
    event = last(c, case.id)
    assert event.type == "deadline_recomputed" and event.actor == "system"
    assert event.payload["reason"].startswith("calendar for 2027 imported: 虚构示例")
    assert event.payload["recomputed"] == [
        {
            "deadline_id": route.id,
            "rule": "route",
            "old_due_on": "2027-02-09",
            "new_due_on": "2027-02-15",
            "provisional": False,
        }
    ]
    assert timer_status(c)[old_breach] == "cancelled"

    # Importing the same file again changes nothing more.
    assert load_calendar_year(c, SAMPLE.read_text(encoding="utf-8")).cases == []

    # The old warning and breach instants pass quietly; the new warning fires at
    # 02-12 00:00 and the breach at 02-16 00:00.
    assert advance_to(c, at("2027-02-10 00:00")).fired == []
    report = advance_to(c, at("2027-02-16 00:00"))
    assert report.fired == [f"{route.id}:warning:2027-02-15", f"{route.id}:breach:2027-02-15"]
    assert_replays(c, case.id)


def test_cli_import_validates_then_stores_and_recomputes(tmp_path: Path) -> None:
    c = make_container(
        tmp_path,
        at("2027-01-22 10:00"),
        clock="simulated",
        simulated_start="2027-01-25T09:00:00+08:00",
    )
    case = register(c, received_at="2027-01-22T10:00:00+08:00")

    # A wrong file stops with a message naming the field, and stores nothing.
    bad = SAMPLE.read_text(encoding="utf-8").replace("date = 2027-02-20", "date = 2027-02-22")
    with pytest.raises(SystemExit) as stopped:
        import_calendar(c.settings, bad)
    assert "calendar file invalid" in str(stopped.value.code)
    assert "workdays[0]" in str(stopped.value.code)
    with c.db.read() as conn:
        assert conn.execute(select(CALENDAR_YEARS)).all() == []

    summary = import_calendar(c.settings, SAMPLE.read_text(encoding="utf-8"))
    assert "calendar 2027 imported" in summary
    assert "1 provisional deadline(s) recomputed on 1 matter(s)" in summary
    with c.db.read() as conn:
        rows = conn.execute(select(CALENDAR_YEARS.c.year, CALENDAR_YEARS.c.status)).all()
    assert [tuple(r) for r in rows] == [(2027, "official")]
    assert c.petitions.get(case.id).latest("route").due_on.isoformat() == "2027-02-15"  # type: ignore[union-attr]
    assert_replays(c, case.id)
