"""Contract 1.1, "Who may do what, and when": objection, routing, repeats, intake, replies.

Each test names the article that decides it. Units: the city petition bureau C1-XF, its
housing bureau C1-ZJ, 政法委 C1-ZF and 纪委监委 C1-JW; the province's bureau P-XF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.integration.engine_support import snapshot
from tests.scenarios.helpers import advance_to
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected
from workflow.runtime.bootstrap import Container

ZHANG = [{"name": "张三", "id_number": "110101199001011234"}]


@pytest.fixture
def c(tmp_path: Path) -> Container:
    return make_container(tmp_path, at("2026-03-02 09:00"), scheduler=False)


def _transferred(c: Container, **registration: Any) -> Case:
    case = register(c, **registration)
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    return act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")


def _refused(c: Container, call: Any, status: int, problem: str) -> GuardRejected:
    before = snapshot(c.db)
    with pytest.raises(GuardRejected) as refused:
        call()
    assert (refused.value.status, refused.value.problem) == (status, problem)
    assert snapshot(c.db) == before
    return refused.value


# -- 第二十三条第三款: objection, not decline ------------------------------------------


def test_a_receiving_organ_cannot_decline_as_outside_its_remit(c: Container) -> None:
    case = _transferred(c)
    c.clock.advance(days=20)  # type: ignore[attr-defined]
    refused = _refused(
        c,
        lambda: act(c, case, "C1-ZJ", "decline", reason="not_in_jurisdiction"),
        409,
        "illegal-transition",
    )
    assert refused.article == "《信访工作条例》第二十三条第三款"


def test_an_objection_after_five_working_days_is_refused(c: Container) -> None:
    case = _transferred(c)  # Mon 03-02: the window ends Mon 03-09
    advance_to(c, at("2026-03-10 09:00"))
    refused = _refused(
        c, lambda: act(c, case, "C1-ZJ", "object", reason="不属本机关职权"), 409, "window-lapsed"
    )
    assert "第二十三条第三款" in str(refused.article)


def test_an_objection_in_time_with_reasons_returns_the_matter(c: Container) -> None:
    case = _transferred(c)
    c.clock.advance(days=3)  # type: ignore[attr-defined]
    case = act(c, case, "C1-ZJ", "object", reason="属于区级职权")
    assert (case.state, case.holder_unit) == ("objected", "C1-XF")


# -- 第二十二条、第三十一条: routing by the organ with authority ----------------------


def test_the_receiving_organ_diverts_to_arbitration_before_accepting(c: Container) -> None:
    # 第三十一条第二项: “应当通过仲裁解决的，导入相应程序处理” — the organ's decision.
    case = _transferred(c)
    case = act(c, case, "C1-ZJ", "classify", type="claim", route="arbitration")
    assert case.state == "diverted"
    assert case.classification is not None and case.classification["route"] == "arbitration"
    assert "第三十一条第二项" in case.classification["article"]


def test_the_receiving_organ_may_correct_the_type_and_keep_the_matter(c: Container) -> None:
    case = _transferred(c)
    case = act(c, case, "C1-ZJ", "classify", type="suggestion", route="petition")
    assert case.state == "transferred"
    assert case.classification is not None and case.classification["type"] == "suggestion"
    assert act(c, case, "C1-ZJ", "accept").state == "handling"


@pytest.mark.parametrize("route", ["arbitration", "administrative", "party_appeal", "duty"])
def test_a_bureau_does_not_divert_what_belongs_to_the_organ(c: Container, route: str) -> None:
    # 第二十二条第一款: a petition bureau transfers; 第三十一条 is the organ's.
    case = register(c)
    _refused(
        c,
        lambda: act(c, case, "C1-XF", "classify", type="claim", route=route),
        422,
        "validation-error",
    )


# (route, type, to_unit, accepted) — 第二十二条第二款: a bureau's own diversions.
BUREAU_DIVERSIONS = [
    ("litigation", "claim", "C1-ZF", True),  # 同级政法部门
    ("litigation", "claim", "C1-ZJ", False),  # a housing bureau is not 政法
    ("litigation", "claim", None, False),  # the receiving unit must be named
    ("litigation", "claim", "C2-XF", False),  # not 政法, and another city
    ("discipline", "accusation", "C1-JW", True),  # 纪检监察机关, 按照管理权限
    ("discipline", "accusation", "C1-ZJ", False),  # a housing bureau is not 纪检监察
]


@pytest.mark.parametrize(("route", "type_", "to_unit", "accepted"), BUREAU_DIVERSIONS)
def test_a_bureau_diverts_only_to_the_kind_of_unit_the_law_names(
    c: Container, route: str, type_: str, to_unit: str | None, accepted: bool
) -> None:
    case = register(c)
    fields: dict[str, Any] = {"type": type_, "route": route}
    if to_unit is not None:
        fields["to_unit"] = to_unit
    if accepted:
        case = act(c, case, "C1-XF", "classify", **fields)
        assert (case.state, case.diverted_to) == ("diverted", to_unit)
    else:
        _refused(c, lambda: act(c, case, "C1-XF", "classify", **fields), 422, "validation-error")


def test_a_duty_matter_stays_open_and_tracked_until_its_reply(c: Container) -> None:
    # 第三十一条第五项: “依法履行或者答复” — the organ keeps the matter and must act or answer.
    case = _transferred(c)
    case = act(c, case, "C1-ZJ", "classify", type="claim", route="duty", due_on="2026-03-20")
    assert case.state == "performing_duty" and not case.ended
    duty = case.latest("duty")
    assert duty is not None and duty.status == "pending" and duty.responsible_unit == "C1-ZJ"
    assert duty.due_on.isoformat() == "2026-03-20" and "第三十一条第五项" in duty.article
    assert any("due_on" in line for line in duty.explanation)
    case = act(c, case, "C1-ZJ", "reply", outcome="support", opinion="已依法查处")
    assert case.state == "closed"  # no review rights: not a 信访处理意见 (第三十一条第六项)
    duty = case.latest("duty")
    assert duty is not None and duty.status == "met"
    assert c.petitions.replay(case.id).matches_projection


def test_a_duty_without_a_recorded_period_runs_sixty_days_as_policy(c: Container) -> None:
    case = _transferred(c)
    case = act(c, case, "C1-ZJ", "classify", type="claim", route="duty")
    duty = case.latest("duty")
    assert duty is not None and duty.period_days == 60
    assert any("政策" in line for line in duty.explanation)


def test_a_bureau_passes_a_transferred_matter_on_and_an_organ_does_not(c: Container) -> None:
    # 第二十二条第一款第二项: the province bureau assigns to the city bureau, which transfers.
    case = register(c, unit="P-XF")
    case = act(c, case, "P-XF", "classify", type="claim", route="petition")
    case = act(c, case, "P-XF", "transfer", to_unit="C1-XF")
    with pytest.raises(GuardRejected):
        act(c, case, "C1-XF", "accept")  # a bureau does not handle the matter itself
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    assert case.holder_unit == "C1-ZJ"
    objection = case.latest("object")
    assert objection is not None and objection.responsible_unit == "C1-ZJ"
    _refused(
        c, lambda: act(c, case, "C1-ZJ", "transfer", to_unit="K1-ZJ"), 409, "illegal-transition"
    )


# -- 第十九条第三款、第三十六条第三款: repeats -----------------------------------------


def _handling(c: Container) -> Case:
    case = _transferred(c, subject="小区噪音扰民", petitioners=ZHANG)
    return act(c, case, "C1-ZJ", "accept")


def test_a_repeat_at_the_same_level_is_linked_not_declined(c: Container) -> None:
    first = _handling(c)
    again = register(c, subject="小区噪音 扰民", petitioners=ZHANG)
    assert again.repeat is not None and again.repeat["of"] == first.id
    assert again.repeat["disposition"] == "new" and again.repeat["higher_organ"] is False
    assert act(c, again, "C1-XF", "classify", type="claim", route="petition").state == (
        "classified"
    )


def test_a_repeat_to_a_higher_organ_while_handled_is_declined_duplicate(c: Container) -> None:
    _handling(c)
    again = register(c, unit="P-XF", subject="小区噪音扰民", petitioners=ZHANG)
    assert again.repeat is not None and again.repeat["disposition"] == "duplicate"
    refused = _refused(
        c,
        lambda: act(c, again, "P-XF", "classify", type="claim", route="petition"),
        409,
        "repeat-petition",
    )
    assert refused.article == "《信访工作条例》第十九条第三款"
    declined = act(c, again, "P-XF", "decline", reason="duplicate")
    assert declined.state == "declined"


def test_a_repeat_to_a_higher_organ_before_acceptance_is_a_new_matter(c: Container) -> None:
    _transferred(c, subject="小区噪音扰民", petitioners=ZHANG)  # not yet accepted
    again = register(c, unit="P-XF", subject="小区噪音扰民", petitioners=ZHANG)
    assert again.repeat is not None and again.repeat["disposition"] == "new"


def _concluded(c: Container) -> Case:
    case = _handling(c)
    day = "2026-03-02"
    case = act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        opinion="不予支持",
        basis="规定",
        delivered_on=day,
    )
    case = act(c, case, "C1", "request_review", received_on=day)
    case = act(c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=day)
    case = act(c, case, "P", "request_re_review", received_on=day)
    return act(c, case, "P", "re_review_decide", outcome="uphold", opinion="维持")


def test_a_repeat_of_a_concluded_matter_is_declined_finalized(c: Container) -> None:
    _concluded(c)
    again = register(c, subject="小区噪音扰民", petitioners=ZHANG)
    assert again.repeat is not None and again.repeat["disposition"] == "finalized"
    refused = _refused(
        c,
        lambda: act(c, again, "C1-XF", "classify", type="claim", route="petition"),
        409,
        "repeat-petition",
    )
    assert refused.article == "《信访工作条例》第三十六条第三款"


def test_a_repeat_after_a_lapsed_window_is_final_by_policy(c: Container) -> None:
    case = _handling(c)
    case = act(
        c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释", delivered_on="2026-03-02"
    )
    advance_to(c, at("2026-04-10 09:00"))  # the review window ended Wed 04-01
    assert c.petitions.get(case.id).state == "closed"
    again = register(c, subject="小区噪音扰民", petitioners=ZHANG)
    assert again.repeat is not None and again.repeat["disposition"] == "finalized"
    with_new_facts = register(c, subject="小区噪音扰民", petitioners=ZHANG, new_facts=True)
    assert with_new_facts.repeat is not None and with_new_facts.repeat["disposition"] == "new"


# -- 第二十条: intake by channel --------------------------------------------------------


def test_a_joint_letter_with_six_signatories_registers(c: Container) -> None:
    # 第二十条第三款 limits the representatives of a visit, not a letter's signatories.
    case = register(c, channel="letter", headcount=6, representatives=6)
    assert case.representatives == 6
    with pytest.raises(GuardRejected):
        register(c, channel="visit", headcount=6, representatives=6)


@pytest.mark.parametrize(("channel", "refused"), [("online", True), ("visit", False)])
def test_bypassed_level_is_a_ground_for_visits_only(
    c: Container, channel: str, refused: bool
) -> None:
    # 第二十条第一款: 走访 goes to the organ of this level or the one above.
    case = register(c, channel=channel)
    if refused:
        _refused(
            c,
            lambda: act(c, case, "C1-XF", "decline", reason="bypassed_level"),
            422,
            "validation-error",
        )
    else:
        assert act(c, case, "C1-XF", "decline", reason="bypassed_level").state == "declined"


# -- 第三十二条、第三十三条: what a reply carries ----------------------------------------


def test_a_refusal_names_its_basis_and_mediation_is_an_outcome(c: Container) -> None:
    case = _handling(c)
    with pytest.raises(ValidationError):
        act(c, case, "C1-ZJ", "reply", outcome="not_support", opinion="不予支持")
    case = act(c, case, "C1-ZJ", "reply", outcome="mediated", opinion="经调解达成协议")
    assert case.reply is not None and case.reply["outcome"] == "mediated"


def test_a_statutory_process_decline_cites_its_item(c: Container) -> None:
    case = register(c)
    case = act(c, case, "C1-XF", "decline", reason="in_statutory_process", process="arbitration")
    assert (
        case.decline is not None and case.decline["article"] == "《信访工作条例》第三十一条第二项"
    )
