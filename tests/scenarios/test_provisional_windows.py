"""A petitioner's window never lapses on a provisional date (Contract 1.1).

2027 has no official holiday data here: its days are the statutory days of
《全国年节及纪念日放假办法》第二条 and weekends, marked provisional.
"""

from __future__ import annotations

from pathlib import Path

from tests.scenarios.helpers import advance_to, assert_replays, last, types
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.runtime.bootstrap import Container
from workflow.timers.calendar_import import load_calendar_year

SAMPLE = Path(__file__).parents[1] / "unit" / "rules" / "data" / "2027-sample.toml"


def _iso(day: str) -> str:
    return f"{day}T10:00:00+08:00"


def _replied(c: Container, issued: str, delivered: str, n: int = 1) -> list[Case]:
    """Matters registered, transferred, accepted and notified now, then answered by the
    city housing bureau on ``issued`` and delivered on ``delivered``."""
    cases = []
    for _ in range(n):
        case = register(c, received_at=c.clock.now().isoformat())
        case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
        case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
        case = act(c, case, "C1-ZJ", "accept")
        cases.append(act(c, case, "C1-ZJ", "notify", kind="acceptance", method="post"))
    advance_to(c, at(f"{delivered} 18:00"))
    return [
        act(
            c,
            case,
            "C1-ZJ",
            "reply",
            outcome="not_support",
            basis="《物业管理条例》第三十五条",
            opinion="不予支持",
            occurred_at=_iso(issued),
            delivered_on=delivered,
        )
        for case in cases
    ]


def test_a_window_ending_in_a_provisional_year_is_used_on_the_first_lawful_day(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2026-10-08 09:00"))
    (case,) = _replied(c, "2026-12-01", "2026-12-02")
    window = case.latest("review_request")
    assert window is not None and window.provisional
    # 第三十五条: 30 days from 12-02 end Fri 2027-01-01 (元旦, 第二条), then the weekend:
    # Mon 01-04. 2027's notice is unknown, and a block around 元旦 may run to 01-06
    # (five days after a statutory day): the window lapses only after Thu 01-07.
    assert window.due_on.isoformat() == "2027-01-04"
    assert window.latest_on is not None and window.latest_on.isoformat() == "2027-01-07"
    assert any("2027-01-07 24时后方届满" in line for line in window.explanation)

    report = advance_to(c, at("2027-01-05 00:30"))
    assert not any(":lapse:" in t for t in report.fired)
    assert c.petitions.get(case.id).state == "replied"
    case = act(c, case, "C1", "request_review", received_on="2027-01-04")
    assert case.state == "under_review"
    window = case.latest("review_request")
    assert window is not None and window.status == "met"
    assert_replays(c, case.id)


def test_a_request_within_the_bound_is_on_time_and_the_bound_lapses_it(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2026-10-08 09:00"))
    late, unused = _replied(c, "2026-12-01", "2026-12-02", n=2)
    advance_to(c, at("2027-01-06 12:00"))
    # Received 01-06: inside the latest last day 01-07 while 2027 is provisional.
    assert act(c, late, "C1", "request_review", received_on="2027-01-06").state == "under_review"
    report = advance_to(c, at("2027-01-08 00:00"))
    assert f"{unused.latest('review_request').id}:lapse:2027-01-07" in report.fired  # type: ignore[union-attr]
    assert c.petitions.get(unused.id).state == "closed"
    assert_replays(c, late.id, unused.id)


def test_a_window_that_lapsed_too_early_reopens_when_the_year_is_loaded(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2027-08-02 09:00"))
    (case,) = _replied(c, "2027-09-10", "2027-09-12")
    window = case.latest("review_request")
    # 30 days from Sun 09-12 end Tue 10-12, far from any statutory day: provisional,
    # but no arrangement under 第二条 reaches it, so it lapses after 10-12.
    assert window is not None and window.provisional and window.latest_on is None
    assert window.due_on.isoformat() == "2027-10-12"
    advance_to(c, at("2027-10-13 09:00"))
    assert c.petitions.get(case.id).state == "closed"

    # The year's notice makes 10-12 a day off (a one-off, like 2015-09-03): the last
    # day was Wed 10-13, today. The window lapsed too early and opens again.
    text = SAMPLE.read_text(encoding="utf-8") + (
        '\n[[holidays]]\nstart = 2027-10-12\nend = 2027-10-12\nname = "纪念日（虚构）"\n'
    )
    result = load_calendar_year(c, text)
    assert result.cases == [case.id]
    assert result.moves[0]["lapsed_too_early"] is True
    reopened = last(c, case.id)
    assert reopened.type == "window_reopened" and reopened.actor == "system"
    case = c.petitions.get(case.id)
    assert case.state == "replied" and case.closed_on is None
    window = case.latest("review_request")
    assert window is not None and window.status == "pending" and not window.provisional
    assert window.due_on.isoformat() == "2027-10-13"
    case = act(c, case, "C1", "request_review", received_on="2027-10-13")
    assert case.state == "under_review"
    assert types(c, case.id)[-3:] == ["window_lapsed", "window_reopened", "review_requested"]
    assert_replays(c, case.id)


def test_a_window_whose_corrected_day_has_passed_keeps_its_lapse(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2027-08-02 09:00"))
    (case,) = _replied(c, "2027-09-10", "2027-09-12")
    advance_to(c, at("2027-10-20 09:00"))
    text = SAMPLE.read_text(encoding="utf-8") + (
        '\n[[holidays]]\nstart = 2027-10-12\nend = 2027-10-12\nname = "纪念日（虚构）"\n'
    )
    load_calendar_year(c, text)
    case = c.petitions.get(case.id)
    assert case.state == "closed"
    window = case.latest("review_request")
    assert window is not None and window.status == "lapsed"
    assert window.due_on.isoformat() == "2027-10-13"  # the record says when it truly ended
    assert last(c, case.id).type == "deadline_recomputed"
    assert_replays(c, case.id)
