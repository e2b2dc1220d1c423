"""Repeat petitions (重复信访), leader assignment (包案), backlog (积案), unit moves."""

from __future__ import annotations

from datetime import date

import pytest

from tests.scenarios.helpers import advance_to, assert_replays
from tests.support import act, at, make_container, register
from workflow.domain.errors import GuardRejected, InvalidCommand
from workflow.oversight import backlog
from workflow.oversight import board as supervision_board
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

ZHANG = [{"name": "张三", "id_number": "110101199001011234"}]
LI = [{"name": "李四", "id_number": "110101199202022345"}]


@pytest.fixture
def c(tmp_path: object) -> Container:
    return make_container(tmp_path, at("2026-03-02 09:00"))  # type: ignore[arg-type]


def _conclude(c: Container, case_id: str) -> None:
    act(c, case_id, "C1-XF", "classify", type="claim", route="petition")
    act(c, case_id, "C1-XF", "transfer", to_unit="C1-ZJ")
    act(c, case_id, "C1-ZJ", "accept")
    day = "2026-03-02"  # every opinion delivered the day it is issued
    act(
        c,
        case_id,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on=day,
    )
    act(c, case_id, "C1", "request_review", received_on=day)
    act(c, case_id, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=day)
    act(c, case_id, "P", "request_re_review", received_on="2026-03-02")
    act(c, case_id, "P", "re_review_decide", outcome="uphold", opinion="维持")


def test_repeat_of_a_handled_matter_at_a_higher_organ_is_declined_as_duplicate(
    c: Container,
) -> None:
    # 第十九条第三款: the bar is the higher organ's, while the matter is being handled; the
    # same-level and before-acceptance cases are in tests/integration/test_who_may_route.py.
    first = register(c, subject="小区噪音扰民", petitioners=ZHANG)
    act(c, first, "C1-XF", "classify", type="claim", route="petition")
    act(c, first, "C1-XF", "transfer", to_unit="C1-ZJ")
    act(c, first, "C1-ZJ", "accept")
    again = register(c, unit="P-XF", subject="小区噪音 扰民！", petitioners=ZHANG)
    assert again.repeat == {
        "of": first.id,
        "of_number": first.number,
        "previous": first.id,
        "previous_number": first.number,
        "of_state": "handling",
        "via": "id_number",
        "new_facts": False,
        "disposition": "duplicate",
        "higher_organ": True,
    }
    with pytest.raises(GuardRejected) as refused:
        act(c, again, "P-XF", "classify", type="claim", route="petition")
    assert refused.value.problem == "repeat-petition"
    assert refused.value.context["decline_reason"] == "duplicate"
    assert act(c, again, "P-XF", "decline", reason="duplicate").state == "declined"
    # Another petitioner, or another subject, is not a repeat.
    assert register(c, subject="小区噪音扰民", petitioners=LI).repeat is None
    assert register(c, subject="停车收费", petitioners=ZHANG).repeat is None
    assert_replays(c, first.id, again.id)


def test_repeat_of_a_concluded_matter(c: Container) -> None:
    first = register(c, subject="征收补偿标准", petitioners=ZHANG)
    _conclude(c, first.id)
    same = register(c, subject="征收补偿标准", petitioners=ZHANG)
    assert same.repeat is not None and same.repeat["disposition"] == "finalized"
    with pytest.raises(GuardRejected) as refused:
        act(c, same, "C1-XF", "classify", type="claim", route="petition")
    assert refused.value.context["decline_reason"] == "finalized"
    assert refused.value.article and "第三十六条" in refused.value.article
    act(c, same, "C1-XF", "decline", reason="finalized")
    # The declined repeat does not decide the next one: the concluded matter still does.
    third = register(c, subject="征收补偿标准", petitioners=ZHANG)
    assert third.repeat is not None and third.repeat["disposition"] == "finalized"
    assert third.repeat["previous"] == first.id
    act(c, third, "C1-XF", "decline", reason="finalized")
    fresh = register(c, subject="征收补偿标准", petitioners=ZHANG, new_facts=True)
    assert fresh.repeat is not None and fresh.repeat["disposition"] == "new"
    assert act(c, fresh, "C1-XF", "classify", type="claim", route="petition").state == "classified"
    # The chain points at the first matter: repeats of repeats count against it.
    assert fresh.repeat["of"] == first.id and fresh.repeat["previous"] == first.id


def test_repeat_of_a_withdrawn_matter_is_new_and_explicit_links(c: Container) -> None:
    first = register(c, subject="拖欠工资", petitioners=LI)
    act(c, first, "C1-XF", "withdraw")
    again = register(c, subject="拖欠工资", petitioners=LI)
    assert again.repeat is not None and again.repeat["disposition"] == "new"
    named = register(
        c, subject="工资问题（电话）", petitioners=[{"name": "李四"}], repeat_of=first.id
    )
    assert named.repeat is not None and named.repeat["via"] == "registrar"
    with pytest.raises(InvalidCommand):
        register(c, subject="x", repeat_of="no-such-matter")


def test_leader_assignment_and_listing(c: Container) -> None:
    case = register(c, subject="供暖不达标")
    case = act(c, case, "C1-XF", "assign_leader", leader="王副市长", title="副市长")
    assert case.leader is not None and case.leader["name"] == "王副市长"
    assert case.state == "registered" and case.version == 2
    with pytest.raises(GuardRejected):
        act(c, case, "C2-XF", "assign_leader", leader="某人")  # not above the holder
    act(c, case, "C1", "assign_leader", leader="李市长")  # the government above may
    with c.db.read() as conn:
        leaders = supervision_board.leaders(conn, Scope("C1", "/P/C1/"))
    assert leaders == [{"leader": "李市长", "matters": 1, "open": 1}]
    assert [a["name"] for a in c.petitions.get(case.id).leaders] == ["王副市长", "李市长"]
    assert_replays(c, case.id)


def test_backlog_by_age_and_by_repeats(c: Container) -> None:
    old = register(c, subject="老旧小区改造")
    advance_to(c, at("2026-03-20 09:00"))
    pestered = register(c, subject="道路积水", petitioners=ZHANG)
    for _ in range(2):
        register(c, subject="道路积水", petitioners=ZHANG)
    policy = backlog.BacklogPolicy(age_days=30, repeats=2)
    scope = Scope("P", "/P/")
    with c.db.read() as conn:
        found = {
            m.case_id: m for m in backlog.matters(conn, scope, policy, until=date(2026, 3, 25))
        }
    assert list(found) == [pestered.id]
    assert found[pestered.id].reasons == ("repeats",) and found[pestered.id].repeats == 2
    assert found[pestered.id].flagged_on == date(2026, 3, 20)
    with c.db.read() as conn:
        found = {m.case_id: m for m in backlog.matters(conn, scope, policy, until=date(2026, 4, 1))}
    assert found[old.id].reasons == ("age",) and found[old.id].flagged_on == date(2026, 4, 1)
    act(c, old, "C1-XF", "withdraw")
    with c.db.read() as conn:
        still = [m.case_id for m in backlog.matters(conn, scope, policy, until=date(2026, 4, 1))]
    assert old.id not in still  # resolved matters leave the open backlog


def test_repeats_after_the_end_do_not_put_a_matter_in_the_backlog(c: Container) -> None:
    ended = register(c, subject="路灯损坏", petitioners=LI)
    act(c, ended, "C1-XF", "withdraw")
    advance_to(c, at("2026-03-10 09:00"))
    for _ in range(2):
        register(c, subject="路灯损坏", petitioners=LI)
    pestered = register(c, subject="道路积水", petitioners=ZHANG)
    for _ in range(2):
        register(c, subject="道路积水", petitioners=ZHANG)
    policy = backlog.BacklogPolicy(age_days=30, repeats=2)
    with c.db.read() as conn:
        # The ended matter sorts first: the page must not be spent on it.
        found = backlog.matters(
            conn,
            Scope("P", "/P/"),
            policy,
            since=date(2026, 3, 1),
            until=date(2026, 3, 25),
            open_only=False,
            limit=1,
        )
    assert [m.case_id for m in found] == [pestered.id]


def test_unit_move_carries_its_subtree(c: Container) -> None:
    case = register(c, unit="K1-XF")
    route = case.latest("route")
    assert route is not None
    today = date(2026, 4, 30)
    with c.db.write() as conn:
        moved = c.units.move(conn, "K1", "C2")
    c.units.forget()
    assert moved.path == "/P/C2/K1/"
    assert c.units.get("K1-XF").path == "/P/C2/K1/K1-XF/"  # type: ignore[union-attr]
    with c.db.read() as conn:
        in_c2 = supervision_board.overdue(conn, Scope("C2", "/P/C2/"), today, limit=5)
        in_c1 = supervision_board.overdue(conn, Scope("C1", "/P/C1/"), today, limit=5)
    assert [r.case_id for r in in_c2] == [case.id] and in_c1 == []
    with c.db.write() as conn, pytest.raises(InvalidCommand):
        c.units.move(conn, "C2", "K1")  # under its own descendant
