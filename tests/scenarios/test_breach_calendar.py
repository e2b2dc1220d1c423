"""Warnings and breaches fire on the right days around the long holidays."""

from __future__ import annotations

from pathlib import Path

from tests.scenarios.helpers import advance_to, assert_replays, last, types
from tests.support import at, make_container, register
from workflow.timers.sweep import advance_clock


def test_spring_festival_breach_waits_for_the_make_up_saturday(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-02-13 10:00"))
    # Received Fri 2026-02-13 at the city bureau: 15 days end Sat 02-28, a make-up
    # working day after 春节, so the route deadline is 02-28 itself.
    case = register(c, received_at="2026-02-13T10:00:00+08:00")
    route = case.latest("route")
    assert route is not None and route.due_on.isoformat() == "2026-02-28"

    # Three days before the due day, at 00:00, the warning fires; nothing else.
    report = advance_to(c, at("2026-02-24 23:59"))
    assert report.fired == []
    report = advance_to(c, at("2026-02-25 00:00"))
    assert [t.split(":")[1] for t in report.fired] == ["warning"]
    case = c.petitions.get(case.id)
    assert case.latest("route").warned and not case.overdue  # type: ignore[union-attr]
    warned = last(c, case.id)
    assert warned.type == "deadline_warned" and warned.actor == "system"
    assert warned.payload["due_on"] == "2026-02-28" and warned.payload["kind"] == "warning"

    # The last minute of the due day: still in time.
    report = advance_to(c, at("2026-02-28 23:59"))
    assert report.fired == []
    assert not c.petitions.get(case.id).overdue

    # 2026-03-01 00:00 Shanghai: breached, overdue, no state change, supervision opened.
    report = advance_to(c, at("2026-03-01 00:00"))
    assert len(report.fired) == 1 and ":breach:2026-02-28" in report.fired[0]
    case = c.petitions.get(case.id)
    route = case.latest("route")
    assert route is not None and route.status == "breached"
    assert route.breached_on is not None and route.breached_on.isoformat() == "2026-03-01"
    assert case.overdue and case.state == "registered"
    breach = last(c, case.id)
    assert breach.type == "deadline_breached"
    assert breach.occurred_at == at("2026-03-01 00:00")
    # The city bureau itself is late: the provincial bureau above it supervises.
    step = breach.payload["supervision"]
    assert step["opened_for"] == "P-XF"
    assert (step["trigger"], step["to"]) == ("open_item", "opened")
    [item] = case.supervision
    assert item["id"] == step["item"]["id"] == f"{route.id}:sv"
    assert (item["state"], item["supervising_unit"]) == ("opened", "P-XF")
    assert item["responsible_unit"] == route.responsible_unit

    # Sweeping again changes nothing.
    assert advance_clock(c, advance_days=3).fired == []
    assert types(c, case.id) == ["registered", "deadline_warned", "deadline_breached"]
    assert_replays(c, case.id)


def test_national_day_breach_fires_at_midnight_after_the_rolled_due_day(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    # Received Tue 2026-09-22: 15 days end Wed 10-07 (国庆), rolled to Thu 10-08.
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    assert case.latest("route").due_on.isoformat() == "2026-10-08"  # type: ignore[union-attr]

    # 10-08 23:59: the warning (10-05) has fired, the breach has not.
    report = advance_to(c, at("2026-10-08 23:59"))
    assert [t.split(":")[1] for t in report.fired] == ["warning"]
    assert not c.petitions.get(case.id).overdue

    # 10-09 00:00: the breach.
    report = advance_to(c, at("2026-10-09 00:00"))
    assert [t.split(":")[1] for t in report.fired] == ["breach"]
    assert c.petitions.get(case.id).overdue
    assert_replays(c, case.id)


def test_breach_of_an_agency_opens_supervision_at_its_governments_bureau(
    tmp_path: Path,
) -> None:
    from tests.support import act

    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c, received_at="2026-03-02T09:00:00+08:00")
    # Classified and transferred to the city housing bureau, which accepts it: 60 days.
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    case = act(c, case, "C1-ZJ", "accept")
    handle = case.latest("handle")
    assert handle is not None
    advance_clock(c, advance_days=90)
    case = c.petitions.get(case.id)
    assert case.latest("handle").status == "breached"  # type: ignore[union-attr]
    breaches = [e for e in c.petitions.history(case.id) if e.type == "deadline_breached"]
    handle_breach = [e for e in breaches if e.payload["rule"] == "handle"]
    assert handle_breach[0].payload["supervision"]["opened_for"] == "C1-XF"
    item = case.supervision_item(f"{handle.id}:sv")
    assert (item["state"], item["supervising_unit"], item["responsible_unit"]) == (
        "opened",
        "C1-XF",
        "C1-ZJ",
    )
    assert_replays(c, case.id)
