"""Around 2022-05-01: each clock runs under the rule set in force on its own trigger day.

信访条例 (2005) until 2022-04-30: a handling clock for every accepted matter, no
objection window on transfer. 信访工作条例 (2022) from 2022-05-01: a 5-working-day
objection window on transfer, the 60-day clock only for claims routed ``petition``
(art 34), and a suggestion's reply closes it (no review rights).
"""

from __future__ import annotations

from pathlib import Path

from rules.time import local_date
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container

OLD, NEW = "xinfang-2005", "xinfang-2022"


def container(tmp_path: Path, start: str) -> Container:
    return make_container(tmp_path, at(start))


def move_to(c: Container, moment: str) -> None:
    assert isinstance(c.clock, SimulatedClock)
    c.clock.set(at(moment))


def to_handling(c: Container, received: str, type_: str, *, accept_at: str) -> Case:
    case = register(c, received_at=at(received).isoformat())
    act(c, case, "C1-XF", "classify", type=type_, route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    move_to(c, accept_at)
    return act(c, case, "C1-ZJ", "accept")


def rule_sets(case: Case) -> dict[str, str]:
    return {d.rule: d.rule_set for d in case.deadlines}


def test_received_2022_04_28_runs_under_2005(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-04-28 15:00")
    case = register(c, received_at=at("2022-04-28 10:00").isoformat())
    assert case.rule_set == OLD
    act(c, case, "C1-XF", "classify", type="suggestion", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    assert case.latest("object") is None  # the 2005 regulation has no objection window
    assert case.latest("notice_transfer") is not None
    case = act(c, case, "C1-ZJ", "accept")
    handle = case.latest("handle")
    assert handle is not None and handle.rule_set == OLD  # every accepted matter (art 33)
    assert "第三十三条" in handle.article
    assert rule_sets(case) == {"route": OLD, "notice_transfer": OLD, "handle": OLD}
    case = act(
        c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明", delivered_on=today(c)
    )
    assert case.state == "replied"  # review rights for every accepted matter under 2005
    assert c.petitions.replay(case.id).matches_projection


def today(c: Container) -> str:
    return local_date(c.clock.now()).isoformat()


def test_received_2022_05_03_claim_runs_under_2022(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-05-03 15:00")
    case = register(c, received_at=at("2022-05-03 10:00").isoformat())
    assert case.rule_set == NEW
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    window = case.latest("object")
    assert window is not None and window.rule_set == NEW and window.kind == "window"
    assert "第二十三条" in window.article
    case = act(c, case, "C1-ZJ", "accept")
    handle = case.latest("handle")
    assert handle is not None and handle.rule_set == NEW and "第三十四条" in handle.article
    assert case.latest("object").status == "met"  # type: ignore[union-attr]
    case = act(
        c, case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明", delivered_on=today(c)
    )
    assert case.state == "replied"
    assert case.latest("review_request").rule_set == NEW  # type: ignore[union-attr]


def test_received_2022_05_03_suggestion_has_no_handling_clock(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-05-03 15:00")
    case = to_handling(c, "2022-05-03 10:00", "suggestion", accept_at="2022-05-04 10:00")
    assert case.state == "handling"
    assert case.latest("handle") is None  # art 34: the 60-day clock is for claims
    case = act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="采纳建议")
    assert case.state == "closed"  # no review rights: the reply closes it
    assert case.closed_on == "2022-05-04"
    assert case.latest("review_request") is None
    assert c.petitions.replay(case.id).matches_projection


def test_each_clock_takes_the_rule_set_of_its_own_trigger_day(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-04-25 15:00")
    case = to_handling(c, "2022-04-25 10:00", "claim", accept_at="2022-05-05 10:00")
    assert case.rule_set == OLD  # the matter's own rule set: its day of receipt
    assert rule_sets(case) == {"route": OLD, "notice_transfer": OLD, "handle": NEW}
    assert case.latest("object") is None  # transferred on 2022-04-25, under 2005
    handle = case.latest("handle")
    assert handle is not None and handle.trigger_on.isoformat() == "2022-05-05"


def test_a_2005_suggestion_accepted_under_2022_gets_no_handling_clock(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-04-25 15:00")
    case = to_handling(c, "2022-04-25 10:00", "suggestion", accept_at="2022-05-05 10:00")
    assert case.latest("handle") is None
    case = act(c, case, "C1-ZJ", "reply", outcome="explain", opinion="采纳建议")
    assert case.state == "closed"


def test_a_2005_suggestion_accepted_before_the_change_keeps_its_clock(tmp_path: Path) -> None:
    c = container(tmp_path, "2022-04-25 15:00")
    case = to_handling(c, "2022-04-25 10:00", "suggestion", accept_at="2022-04-29 10:00")
    handle = case.latest("handle")
    assert handle is not None and handle.rule_set == OLD
    move_to(c, "2022-05-06 10:00")
    case = act(
        c, case, "C1-ZJ", "reply", outcome="explain", opinion="采纳建议", delivered_on=today(c)
    )
    # Review rights follow the acceptance day's rule set (2005: every accepted matter).
    assert case.state == "replied"
    assert case.latest("review_request").rule_set == NEW  # type: ignore[union-attr]
