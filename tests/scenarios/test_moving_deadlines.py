"""Deadlines that move: an extension and a hearing carry their breach with them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rules.time import end_of_day
from tests.scenarios.helpers import advance_to, assert_replays, timer_status
from tests.support import act, at, make_container, register
from workflow.timers.sweep import advance_clock


def test_extension_moves_the_breach(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c, received_at="2026-03-02T09:00:00+08:00")
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    case = act(c, case, "C1-ZJ", "accept")
    # The organ tells the petitioner in writing (第二十三条第三款): no notice clock runs on.
    case = act(c, case, "C1-ZJ", "notify", kind="acceptance", method="post")
    handle = case.latest("handle")
    assert handle is not None
    old_due = handle.due_on
    # Accepted Mon 03-02: 60 days end Fri 05-01 (劳动节), rolled to Wed 05-06.
    assert old_due.isoformat() == "2026-05-06"
    old_breach = f"{handle.id}:breach:{old_due.isoformat()}"
    assert timer_status(c)[old_breach] == "pending"

    # A month later the bureau approves a 30-day extension (art 32).
    advance_clock(c, advance_days=30)
    case = act(c, case, "C1-ZJ", "extend", days=30, approved_by="局长", reason="情况复杂")
    # ... and tells the petitioner why (第三十四条: 并告知信访人延期理由).
    case = act(c, case, "C1-ZJ", "notify", kind="extension", method="post")
    new_due = case.latest("handle").due_on  # type: ignore[union-attr]
    # 90 days from 03-02 end Sun 05-31, rolled to Mon 06-01.
    assert new_due.isoformat() == "2026-06-01"
    assert timer_status(c)[old_breach] == "cancelled"

    # The old breach instant passes quietly.
    report = advance_to(c, end_of_day(old_due) + timedelta(minutes=1))
    assert not any(":breach:" in t for t in report.fired)
    assert not c.petitions.get(case.id).overdue

    # The new one fires at 24:00 of the extended due day, not a minute before.
    report = advance_to(c, end_of_day(new_due) - timedelta(minutes=1))
    assert not any(":breach:" in t for t in report.fired)
    report = advance_to(c, end_of_day(new_due))
    assert report.fired == [f"{handle.id}:breach:{new_due.isoformat()}"]
    case = c.petitions.get(case.id)
    assert case.overdue and case.state == "handling"
    assert timer_status(c)[old_breach] == "cancelled"
    assert_replays(c, case.id)


def test_hearing_pauses_the_re_review_clock(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-04-01 09:00"))
    case = register(c, received_at="2026-04-01T09:00:00+08:00")
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    case = act(c, case, "C1-ZJ", "accept")
    # The organ tells the petitioner in writing (第二十三条第三款): no notice clock runs on.
    case = act(c, case, "C1-ZJ", "notify", kind="acceptance", method="post")
    # Reply on 04-10, review requested 04-13, review upheld 04-20; each delivered the day
    # it was issued.
    advance_to(c, at("2026-04-10 10:00"))
    case = act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on="2026-04-10",
    )
    advance_to(c, at("2026-04-13 10:00"))
    case = act(c, case, "C1", "request_review", received_on="2026-04-13")
    advance_to(c, at("2026-04-20 10:00"))
    case = act(
        c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on="2026-04-20"
    )
    # Re-review requested, received by the province on Mon 05-11: 30 days -> Wed 06-10.
    advance_to(c, at("2026-05-11 10:00"))
    case = act(c, case, "P", "request_re_review", received_on="2026-05-11")
    re_review = case.latest("re_review")
    assert re_review is not None and re_review.due_on.isoformat() == "2026-06-10"

    # A hearing from A = 05-20 to B = 05-21 is not counted (art 36 ¶2).
    advance_to(c, at("2026-05-20 10:00"))
    case = act(c, case, "P", "hearing_start")
    advance_to(c, at("2026-05-21 16:00"))
    case = act(c, case, "P", "hearing_end")
    moved = case.latest("re_review")
    assert moved is not None and moved.status == "pending"
    # The breach moves by B − A + 1 = 2 days: Fri 06-12.
    assert (moved.due_on - re_review.due_on).days == 2
    assert moved.due_on.isoformat() == "2026-06-12"

    # Nothing at the old breach instant, the breach at 06-13 00:00.
    report = advance_to(c, at("2026-06-11 00:00"))
    assert not any(":breach:" in t for t in report.fired)
    report = advance_to(c, at("2026-06-13 00:00"))
    assert report.fired == [f"{moved.id}:breach:2026-06-12"]
    case = c.petitions.get(case.id)
    assert case.overdue and case.state == "under_re_review"
    breach = c.petitions.history(case.id)[-1]
    # The province itself is late: its own petition bureau supervises.
    assert breach.payload["supervision"]["opened_for"] == "P-XF"
    assert case.supervision_item(f"{moved.id}:sv")["supervising_unit"] == "P-XF"
    assert_replays(c, case.id)
