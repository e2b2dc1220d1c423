"""Windows lapsing: the answer becomes final 30 days after delivery, unless used in time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.scenarios.helpers import advance_to, assert_replays, last, types
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected
from workflow.runtime.bootstrap import Container
from workflow.timers.sweep import sweep


def _replied(c: Container, delivered_on: str) -> Case:
    """A matter answered by the city housing bureau and delivered on ``delivered_on``."""
    case = register(c, received_at=c.clock.now().isoformat())
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    case = act(c, case, "C1-ZJ", "accept")
    # The organ tells the petitioner in writing (第二十三条第三款): no notice clock runs on.
    case = act(c, case, "C1-ZJ", "notify", kind="acceptance", method="post")
    return act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on=delivered_on,
    )


def test_review_window_lapse_closes_the_matter_after_the_rolled_due_day(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-05 10:00"))
    # Reply delivered Sat 09-05: 30 days end Mon 10-05 (国庆), rolled to Thu 10-08.
    case = _replied(c, "2026-09-05")
    assert case.state == "replied"
    window = case.latest("review_request")
    assert window is not None and window.due_on.isoformat() == "2026-10-08"

    # The last minute of the rolled due day: still open.
    advance_to(c, at("2026-10-08 23:59"))
    assert c.petitions.get(case.id).state == "replied"

    # 10-09 00:00: the window lapses through the chart's lapse trigger: closed.
    report = advance_to(c, at("2026-10-09 00:00"))
    assert [t.split(":")[1] for t in report.fired] == ["lapse"]
    case = c.petitions.get(case.id)
    assert case.state == "closed" and case.closed_on == "2026-10-09"
    assert case.latest("review_request").status == "lapsed"  # type: ignore[union-attr]
    lapsed = last(c, case.id)
    assert lapsed.type == "window_lapsed" and lapsed.actor == "system"
    assert lapsed.payload["from"] == "replied" and lapsed.payload["to"] == "closed"
    assert lapsed.occurred_at == at("2026-10-09 00:00")
    assert_replays(c, case.id)


def test_request_received_in_time_but_recorded_after_the_lapse_reopens(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-05 10:00"))
    case = _replied(c, "2026-09-05")
    # The lapse fires at 10-09 00:00 and closes the matter.
    advance_to(c, at("2026-10-12 09:00"))
    assert c.petitions.get(case.id).state == "closed"

    # A request received on 10-09 (one day late) is refused: the window had lapsed.
    with pytest.raises(GuardRejected) as refused:
        act(c, case, "C1", "request_review", received_on="2026-10-09")
    assert refused.value.problem == "window-lapsed"

    # The city government received a request on 10-08 (in time) but records it on 10-12:
    # the matter reopens into review and the lapsed window counts as used.
    case = act(c, case, "C1", "request_review", received_on="2026-10-08")
    assert (case.state, case.holder_unit) == ("under_review", "C1")
    window = case.latest("review_request")
    assert window is not None and window.status == "met"
    assert window.met_on is not None and window.met_on.isoformat() == "2026-10-08"
    assert case.latest("review").status == "pending"  # type: ignore[union-attr]
    assert case.closed_on is None
    # Both facts stay in the history: the lapse, then the reopening request.
    assert types(c, case.id)[-2:] == ["window_lapsed", "review_requested"]
    assert_replays(c, case.id)


def test_objection_window_lapse_changes_no_state(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 10:00"))
    case = register(c, received_at="2026-03-02T10:00:00+08:00")
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    # Transferred on Mon 03-02: the 5-working-day objection window ends Mon 03-09.
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    window = case.latest("object")
    assert window is not None and window.due_on.isoformat() == "2026-03-09"
    report = advance_to(c, at("2026-03-10 00:00"))
    assert any(":lapse:2026-03-09" in t for t in report.fired)
    case = c.petitions.get(case.id)
    assert case.state == "transferred"
    assert case.latest("object").status == "lapsed"  # type: ignore[union-attr]
    assert "deadline_lapsed" in types(c, case.id)
    assert_replays(c, case.id)


def test_a_lapse_swept_late_never_precedes_a_recorded_event(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-05 10:00"))
    case = _replied(c, "2026-09-05")
    # The scheduler is down when the window lapses (10-09 00:00); on 10-10 the bureau
    # records the petitioner's satisfaction evaluation, allowed while replied.
    c.clock.set(at("2026-10-10 15:00"))  # type: ignore[attr-defined]
    case = act(c, case, "C1-XF", "evaluate", satisfied=True)
    # The sweep runs on 10-11: the lapse is recorded after the evaluation, occurring at
    # the evaluation's instant (history never runs backwards); the real due instant is
    # kept in the payload.
    c.clock.set(at("2026-10-11 08:00"))  # type: ignore[attr-defined]
    report = sweep(c)
    assert [t.split(":")[1] for t in report.fired] == ["lapse"]
    lapsed = last(c, case.id)
    assert lapsed.type == "window_lapsed"
    assert lapsed.occurred_at == at("2026-10-10 15:00")
    assert lapsed.recorded_at == at("2026-10-11 08:00")
    due_at = datetime.fromisoformat(lapsed.payload["fields"]["due_at"])
    assert due_at == at("2026-10-09 00:00")
    assert c.petitions.get(case.id).state == "closed"
    assert_replays(c, case.id)


def test_re_review_window_lapse_closes_the_reviewed_matter(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 10:00"))
    case = _replied(c, "2026-03-02")
    # Review requested on 03-05 at the city government, upheld and delivered on 03-12.
    advance_to(c, at("2026-03-05 10:00"))
    case = act(c, case, "C1", "request_review", received_on="2026-03-05")
    advance_to(c, at("2026-03-12 10:00"))
    case = act(
        c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on="2026-03-12"
    )
    window = case.latest("re_review_request")
    # 30 days from Thu 03-12 end Sat 04-11, rolled to Mon 04-13.
    assert window is not None and window.due_on.isoformat() == "2026-04-13"
    advance_to(c, at("2026-04-13 23:59"))
    assert c.petitions.get(case.id).state == "review_replied"
    # 04-14 00:00: nobody asked for re-review; the review opinion is final.
    advance_to(c, at("2026-04-14 00:00"))
    case = c.petitions.get(case.id)
    assert case.state == "closed"
    assert case.latest("re_review_request").status == "lapsed"  # type: ignore[union-attr]
    assert last(c, case.id).payload["from"] == "review_replied"
    assert_replays(c, case.id)
