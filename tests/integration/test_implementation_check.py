"""The implementation check (落实, 《信访工作条例》第三十二条第二款): a supported claim must
be carried out. A ``reply`` with ``outcome: support`` arms the ``implement`` clock for the
replying unit; ``implemented`` meets it; a review that sets the opinion aside stops it.
The clock outlives the matter (it runs on after the review window closes it), shows on
the boards, and a late one opens a supervision item like any breached obligation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from rules.time import local_date
from tests.scenarios.helpers import advance_to, types
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import SuperviseItem
from workflow.domain.actor import Role
from workflow.domain.case import Case, Deadline
from workflow.domain.errors import GuardRejected, InvalidCommand
from workflow.oversight import board, rates
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

CITY = Scope(unit="C1", path="/P/C1/")
REPLY_DAY = "2026-03-12"


def _today(c: Container) -> date:
    return local_date(c.clock.now())


def _replied(tmp_path: Path, outcome: str = "support") -> tuple[Container, Case]:
    """Registered at the city bureau, handled by the city housing bureau, answered."""
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    act(c, case, "C1-ZJ", "accept")
    act(c, case, "C1-ZJ", "notify", kind="acceptance", method="post")
    advance_to(c, at(f"{REPLY_DAY} 10:00"))
    basis = {"basis": "《物业管理条例》第三十五条"} if outcome == "not_support" else {}
    case = act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome=outcome,
        opinion="支持：责成物业公司限期维修",
        delivered_on=REPLY_DAY,
        **basis,
    )
    return c, case


def _check(case: Case) -> Deadline:
    found = case.latest("implement")
    assert found is not None, "no implementation check"
    return found


def test_a_supported_claim_arms_the_check_and_implemented_meets_it(tmp_path: Path) -> None:
    c, case = _replied(tmp_path)
    check = _check(case)
    assert (check.status, check.kind, check.responsible_unit) == ("pending", "obligation", "C1-ZJ")
    assert check.trigger_on.isoformat() == REPLY_DAY
    assert "第三十二条第二款" in check.article
    # The text sets no period: the clock says its 60 days are a policy of the engine.
    assert check.period_days == 60 and any("政策" in line for line in check.explanation)

    # The petitioner's review does not suspend the obligation: it runs on.
    advance_to(c, at("2026-03-20 10:00"))
    case = act(c, case, "C1", "request_review", received_on=REPLY_DAY)
    case = act(c, case, "C1", "review_decide", outcome="uphold", opinion="维持")
    assert case.state == "review_replied" and _check(case).status == "pending"

    # Only the unit that owes the implementation records it, with a plausible day.
    with pytest.raises(GuardRejected):
        act(c, case, "C1", "implemented", detail="已维修完毕")
    with pytest.raises((GuardRejected, InvalidCommand)) as early:
        act(c, case, "C1-ZJ", "implemented", detail="已维修完毕", implemented_on="2026-03-01")
    assert early.value.status == 422
    tomorrow = (_today(c) + timedelta(days=1)).isoformat()
    with pytest.raises((GuardRejected, InvalidCommand)) as future:
        act(c, case, "C1-ZJ", "implemented", detail="已维修完毕", implemented_on=tomorrow)
    assert future.value.status == 422

    done_on = (_today(c) - timedelta(days=1)).isoformat()
    case = act(c, case, "C1-ZJ", "implemented", detail="已维修完毕", implemented_on=done_on)
    met = _check(case)
    assert met.status == "met" and met.met_on is not None and met.met_on.isoformat() == done_on
    assert case.state == "review_replied"  # recorded on the matter; it moves nothing
    assert types(c, case.id)[-1] == "implemented"
    with pytest.raises(GuardRejected):
        act(c, case, "C1-ZJ", "implemented", detail="再次")  # nothing left to implement
    assert c.petitions.replay(case.id).matches_projection


@pytest.mark.parametrize("outcome", ["explain", "not_support"])
def test_no_check_without_a_supported_claim(tmp_path: Path, outcome: str) -> None:
    c, case = _replied(tmp_path, outcome)
    assert case.latest("implement") is None
    with pytest.raises(GuardRejected):
        act(c, case, "C1-ZJ", "implemented", detail="无")


def test_the_check_outlives_the_matter_and_shows_on_the_boards(tmp_path: Path) -> None:
    c, case = _replied(tmp_path)
    check = _check(case)
    # The review window lapses: the matter is closed, the obligation is not.
    advance_to(c, at("2026-04-20 09:00"))
    case = c.petitions.get(case.id)
    assert case.state == "closed" and _check(case).status == "pending"
    today = _today(c)
    with c.db.read() as conn:
        soon = board.due_soon(conn, CITY, today, (check.due_on - today).days, limit=10)
    assert [(r.case_id, r.rule) for r in soon] == [(case.id, "implement")]

    # Late: breached, on the overdue board, and supervised by the bureau of C1-ZJ's
    # government (C1-XF), like any breached obligation.
    advance_to(c, at(f"{(check.due_on + timedelta(days=3)).isoformat()} 09:00"))
    today = _today(c)
    with c.db.read() as conn:
        [row] = board.overdue(conn, CITY, today, limit=10)
    assert (row.case_id, row.rule, row.responsible_unit) == (case.id, "implement", "C1-ZJ")
    assert row.item is not None and row.item["supervising_unit"] == "C1-XF"
    item_id = row.item["id"]
    # The matter has ended, but the item is not closed while the support is not carried out.
    close = SuperviseItem.model_validate({"action": "close"})
    with pytest.raises(GuardRejected):
        c.petitions.supervise(case.id, item_id, close, actor("C1-XF", Role.SUPERVISOR))

    case = act(c, case, "C1-ZJ", "implemented", detail="已维修完毕")
    late = _check(case)
    assert late.status == "breached" and late.met_on == today  # late is still late
    case = c.petitions.supervise(case.id, item_id, close, actor("C1-XF", Role.SUPERVISOR))
    assert case.supervision_item(item_id)["state"] == "closed"
    with c.db.read() as conn:
        assert board.overdue(conn, CITY, today, limit=10) == []
        period = rates.Period(start=date(2026, 3, 1), end=date(2026, 3, 31), today=today)
        rate = rates.implementation(conn, CITY, period)
    assert (rate.key, rate.numerator, rate.denominator) == ("implementation", 0, 1)
    assert rate.breakdown["late"] == 1
    assert c.petitions.replay(case.id).matches_projection


@pytest.mark.parametrize("outcome", ["revoke", "redo"])
def test_a_review_setting_the_support_aside_stops_the_check(tmp_path: Path, outcome: str) -> None:
    c, case = _replied(tmp_path)
    case = act(c, case, "C1", "request_review", received_on=REPLY_DAY)
    fields = {"redo_days": 30} if outcome == "redo" else {}
    case = act(c, case, "C1", "review_decide", outcome=outcome, opinion="撤销原意见", **fields)
    assert _check(case).status == "cancelled"
    with c.db.read() as conn:
        assert all(
            r.rule != "implement" for r in board.due_soon(conn, CITY, _today(c), 90, limit=50)
        )
    assert c.petitions.replay(case.id).matches_projection
