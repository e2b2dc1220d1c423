"""Contract 1.1, "Dates that decide rights": issue and delivery, notices, receipt.

Each row names the article that decides it. Matters are answered by the city housing
bureau (C1-ZJ) after the city petition bureau (C1-XF) transferred them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.integration.engine_support import snapshot
from tests.support import act, actor, at, make_container, petition_body, register
from workflow.domain.actions import Register
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected
from workflow.runtime.bootstrap import Container

RECEIVED = "2026-02-10 09:00"
ACCEPTED = "2026-02-20T10:00:00+08:00"  # handling: 60 days from 02-20 end Tue 04-21


def _iso(day: str) -> str:
    return f"{day}T10:00:00+08:00"


def _transferred(c: Container, **registration: Any) -> Case:
    """Registered, classified and transferred on Tue 02-10."""
    case = register(c, received_at=at(RECEIVED).isoformat(), **registration)
    day = _iso("2026-02-10")
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition", occurred_at=day)
    return act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", occurred_at=day)


def _accepted(c: Container) -> Case:
    return act(c, _transferred(c), "C1-ZJ", "accept", occurred_at=ACCEPTED)


def _direct(c: Container, **registration: Any) -> Case:
    """Received directly by the city housing bureau, an organ other than a bureau."""
    body = petition_body(received_at=at(RECEIVED).isoformat(), **registration)
    return c.petitions.register(Register.model_validate(body), actor("C1-ZJ"))


@pytest.fixture
def c(tmp_path: Path) -> Container:
    container = make_container(tmp_path, at(RECEIVED), scheduler=False)
    container.clock.set(at("2026-06-01 12:00"))  # type: ignore[attr-defined]
    return container


# (issued, delivered, review window's last day, handling met on, handling status)
DELIVERIES = [
    # 第三十五条: 30 days from receipt 04-23 end Sat 05-23, rolled to Mon 05-25;
    # 第三十四条: the handling obligation is met on the issue day 04-20.
    ("2026-04-20", "2026-04-23", "2026-05-25", "2026-04-20", "met"),
    # 第三十四条: issued on the 60th day (04-21) and received two days later: on time.
    ("2026-04-21", "2026-04-23", "2026-05-25", "2026-04-21", "met"),
    # Same day issue and delivery (in person): the window counts from that day.
    ("2026-04-10", "2026-04-10", "2026-05-11", "2026-04-10", "met"),
]


@pytest.mark.parametrize(("issued", "delivered", "window_due", "met_on", "status"), DELIVERIES)
def test_issue_and_delivery_are_two_facts(
    c: Container, issued: str, delivered: str, window_due: str, met_on: str, status: str
) -> None:
    case = _accepted(c)
    case = act(
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
    handle = case.latest("handle")
    assert handle is not None
    assert (handle.status, str(handle.met_on)) == (status, met_on)
    window = case.latest("review_request")
    assert window is not None and window.trigger_on == date.fromisoformat(delivered)
    assert window.due_on.isoformat() == window_due
    assert case.reply is not None
    assert (case.reply["issued_on"], case.reply["delivered_on"]) == (issued, delivered)
    assert case.awaiting_delivery is None


# (delivered_on, why refused) for a reply issued 04-20 on a matter accepted 02-20,
# recorded on 06-01.
BAD_DELIVERIES = [
    ("2026-04-19", "the opinion's issue"),  # 送达 cannot precede 出具
    ("2026-02-19", "the acceptance"),  # nor the acceptance (第三十四条 counts from 受理)
    ("2024-06-01", "the matter's receipt"),  # the years-early date that closed a matter
    ("2026-06-02", "after the day it is recorded"),  # never after the recording time
]


@pytest.mark.parametrize(("delivered", "why"), BAD_DELIVERIES)
def test_an_impossible_delivery_is_refused_and_writes_nothing(
    c: Container, delivered: str, why: str
) -> None:
    case = _accepted(c)
    before = snapshot(c.db)
    with pytest.raises(GuardRejected) as refused:
        act(
            c,
            case,
            "C1-ZJ",
            "reply",
            outcome="not_support",
            basis="《物业管理条例》第三十五条",
            opinion="不予支持",
            occurred_at=_iso("2026-04-20"),
            delivered_on=delivered,
        )
    assert (refused.value.status, refused.value.problem) == (422, "validation-error")
    assert why in str(refused.value)
    assert snapshot(c.db) == before


def test_without_delivery_no_window_runs_until_deliver_arms_it(c: Container) -> None:
    case = _accepted(c)
    case = act(
        c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释", occurred_at=_iso("2026-04-20")
    )
    # 第三十五条: 自收到书面答复之日起 — no receipt recorded, no window (and no lapse).
    assert case.state == "replied" and case.latest("review_request") is None
    assert case.awaiting_delivery == "reply"
    assert "deliver" in c.engine.chart.actions_from(case.state)
    with pytest.raises(GuardRejected, match="delivery"):
        act(c, case, "C1", "request_review", received_on="2026-05-02")
    with pytest.raises(GuardRejected, match="precedes the opinion's issue"):
        act(c, case, "C1-ZJ", "deliver", delivered_on="2026-04-19", method="post")

    case = act(c, case, "C1-ZJ", "deliver", delivered_on="2026-04-27", method="post")
    window = case.latest("review_request")
    assert window is not None and window.status == "pending"
    # 04-27 + 30 = Wed 05-27.
    assert (window.trigger_on.isoformat(), window.due_on.isoformat()) == (
        "2026-04-27",
        "2026-05-27",
    )
    assert case.reply is not None and case.reply["delivery_method"] == "post"
    assert case.awaiting_delivery is None
    with pytest.raises(GuardRejected, match="delivered already"):
        act(c, case, "C1-ZJ", "deliver", delivered_on="2026-04-28", method="post")
    case = act(c, case, "C1", "request_review", received_on="2026-05-20")
    assert case.state == "under_review"
    assert c.petitions.replay(case.id).matches_projection


def test_review_decision_delivered_later_arms_the_re_review_window(c: Container) -> None:
    case = _accepted(c)
    case = act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        occurred_at=_iso("2026-03-02"),
        delivered_on="2026-03-03",
    )
    case = act(
        c, case, "C1", "request_review", received_on="2026-03-10", occurred_at=_iso("2026-03-10")
    )
    case = act(
        c,
        case,
        "C1",
        "review_decide",
        outcome="uphold",
        opinion="维持",
        occurred_at=_iso("2026-04-08"),
    )
    review = case.latest("review")
    assert review is not None and (review.status, str(review.met_on)) == ("met", "2026-04-08")
    assert case.latest("re_review_request") is None and case.awaiting_delivery == "review"
    case = act(c, case, "C1", "deliver", delivered_on="2026-04-13", method="in_person")
    window = case.latest("re_review_request")
    assert window is not None and window.trigger_on.isoformat() == "2026-04-13"
    assert window.due_on.isoformat() == "2026-05-13"


def test_notify_meets_the_notice_clock_that_acceptance_no_longer_meets(c: Container) -> None:
    # 第二十三条第三款: the receiving organ tells the petitioner within 15 days of receipt.
    case = _accepted(c)
    notice = case.latest("notice_transfer")
    assert notice is not None and notice.status == "pending"  # accepted, not notified
    case = act(
        c,
        case,
        "C1-ZJ",
        "notify",
        kind="acceptance",
        method="post",
        notified_on="2026-02-21",
        occurred_at=_iso("2026-02-21"),
    )
    notice = case.latest("notice_transfer")
    assert notice is not None and (notice.status, str(notice.met_on)) == ("met", "2026-02-21")
    assert case.notices[-1]["kind"] == "acceptance" and case.notices[-1]["by"] == "C1-ZJ"


def test_direct_intake_notice_runs_past_acceptance(c: Container) -> None:
    # 第二十三条第二款: an organ receiving a matter directly owes a written notice.
    case = _direct(c)
    assert [d.rule for d in case.deadlines] == ["notice_direct"]
    day = _iso("2026-02-10")
    case = act(c, case, "C1-ZJ", "classify", type="claim", route="petition", occurred_at=day)
    case = act(c, case, "C1-ZJ", "accept", occurred_at=ACCEPTED)
    notice = case.latest("notice_direct")
    assert notice is not None and notice.status == "pending"
    case = act(c, case, "C1-ZJ", "notify", kind="receipt", method="electronic")
    notice = case.latest("notice_direct")
    assert notice is not None and notice.status == "met"
    assert notice.met_on == date(2026, 6, 1)


@pytest.mark.parametrize("unit", ["C1-ZJ", "C1-XF"])
def test_contact_unknown_arms_no_notice_clock(c: Container, unit: str) -> None:
    # 第二十三条第二款: “但信访人的姓名（名称）、住址不清的除外”.
    case = _direct(c, contact_unknown=True) if unit == "C1-ZJ" else None
    if case is None:
        case = _transferred(c, contact_unknown=True)
    assert case.contact_unknown
    rules = {d.rule for d in case.deadlines}
    assert not rules & {"notice_direct", "notice_transfer"}


def test_receipt_by_the_receiving_organ_starts_its_clocks(c: Container) -> None:
    # 第二十三条第三款: “自收到转送、交办的信访事项之日起” — the transfer was Tue 02-10
    # (the registration day); the organ received it Mon 02-16.
    case = register(c, received_at=at(RECEIVED).isoformat())
    case = act(
        c, case, "C1-XF", "classify", type="claim", route="petition", occurred_at=_iso("2026-02-10")
    )
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", occurred_at=_iso("2026-02-10"))
    objection = case.latest("object")
    assert objection is not None and objection.trigger_on.isoformat() == "2026-02-10"
    before = snapshot(c.db)
    with pytest.raises(GuardRejected, match="outside"):
        act(c, case, "C1-ZJ", "notify", kind="receipt", method="post", received_on="2026-02-09")
    assert snapshot(c.db) == before
    # Objecting on 02-20 (8th working day after the transfer, 4th after receipt).
    case = act(
        c,
        case,
        "C1-ZJ",
        "object",
        reason="不属本机关职权范围",
        received_on="2026-02-16",
        occurred_at=_iso("2026-02-20"),
    )
    assert case.state == "objected" and case.transfer_received_on == "2026-02-16"
    # The objecting organ owes no acceptance notice any more.
    notice = case.latest("notice_transfer")
    assert notice is not None and notice.status == "cancelled"


def test_receipt_moves_the_notice_clock_that_keeps_running(c: Container) -> None:
    case = register(c, received_at=at(RECEIVED).isoformat())
    case = act(
        c, case, "C1-XF", "classify", type="claim", route="petition", occurred_at=_iso("2026-02-10")
    )
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", occurred_at=_iso("2026-02-10"))
    case = act(c, case, "C1-ZJ", "accept", received_on="2026-02-16", occurred_at=_iso("2026-02-17"))
    notice = case.latest("notice_transfer")
    # 02-16 + 15 = Tue 03-03 (春节 2026 ends 02-23).
    assert notice is not None and notice.trigger_on.isoformat() == "2026-02-16"
    assert notice.due_on.isoformat() == "2026-03-03" and notice.status == "pending"
    assert c.petitions.replay(case.id).matches_projection


def test_an_extension_owes_a_notice_of_its_reasons(c: Container) -> None:
    # 第三十四条: “……并告知信访人延期理由”.
    case = _accepted(c)
    case = act(
        c,
        case,
        "C1-ZJ",
        "extend",
        days=20,
        approved_by="局长",
        reason="情况复杂",
        occurred_at=_iso("2026-04-01"),
    )
    notice = case.latest("notice_extension")
    assert notice is not None and notice.status == "pending" and notice.responsible_unit == "C1-ZJ"
    # 5 working days from Wed 04-01: 04-02, 04-03, (清明 04-04..06), 04-07, 04-08, 04-09.
    assert notice.due_on.isoformat() == "2026-04-09"
    case = act(
        c, case, "C1-ZJ", "notify", kind="extension", method="post", occurred_at=_iso("2026-04-02")
    )
    notice = case.latest("notice_extension")
    assert notice is not None and (notice.status, str(notice.met_on)) == ("met", "2026-04-02")
    assert c.petitions.replay(case.id).matches_projection
