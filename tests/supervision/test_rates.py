"""Every assessed rate on hand-built histories, with the expected figures written here.

Seven matters go through the real engine in March–June 2026 (registered at the city
bureau C1-XF, transferred to the city housing bureau C1-ZJ); "today" is 2026-07-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.scenarios.helpers import advance_to
from tests.support import act, at, make_container, register
from workflow.oversight import rates
from workflow.oversight.backlog import BacklogPolicy
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

C1 = Scope(unit="C1", path="/P/C1/")
C2 = Scope(unit="C2", path="/P/C2/")
PERSON = {"name": "王五", "id_number": "110101198001010011"}


def _transferred(c: Container, subject: str) -> str:
    case = register(c, subject=subject)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    return act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ").id


def _accept(c: Container, case_id: str) -> None:
    """Accepted, and the petitioner told so in writing the same day (第二十三条第三款)."""
    act(c, case_id, "C1-ZJ", "accept")
    act(c, case_id, "C1-ZJ", "notify", kind="acceptance", method="post")


def _reply(c: Container, case_id: str, day: str) -> None:
    advance_to(c, at(f"{day} 10:00"))
    act(c, case_id, "C1-ZJ", "reply", outcome="explain", opinion="已答复", delivered_on=day)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Container:
    c = make_container(tmp_path_factory.mktemp("rates"), at("2026-03-02 09:00"))
    m = {name: _transferred(c, f"事项{name}") for name in ("a1", "a2", "a3", "a5", "a6", "a7")}
    # notice_transfer: decide and tell within 15 days of the transfer (03-02 -> due 03-17).
    advance_to(c, at("2026-03-03 09:00"))
    for name in ("a5", "a6", "a7"):
        _accept(c, m[name])  # on time; handling due 05-02
    advance_to(c, at("2026-03-05 09:00"))
    _accept(c, m["a1"])  # on time; handling due 05-04
    advance_to(c, at("2026-03-10 09:00"))
    first = register(c, subject="噪音扰民", petitioners=[PERSON])
    repeat = register(c, subject="噪音 扰民。", petitioners=[PERSON])  # same person, subject
    assert repeat.repeat is not None and repeat.repeat["of"] == first.id
    advance_to(c, at("2026-03-20 09:00"))
    _accept(c, m["a2"])  # late (due 03-17); handling due 05-19
    # a3 is never accepted; neither is a4, registered and transferred on 03-25.
    advance_to(c, at("2026-03-25 09:00"))
    m["a4"] = _transferred(c, "事项a4")
    _reply(c, m["a1"], "2026-04-10")  # on time
    advance_to(c, at("2026-04-15 10:00"))
    # Recorded on the petitioners' behalf by the bureau: the replying unit may not.
    act(c, m["a1"], "C1-XF", "evaluate", satisfied=True)
    _reply(c, m["a7"], "2026-04-20")  # on time
    advance_to(c, at("2026-04-22 10:00"))
    act(c, m["a7"], "C1-XF", "evaluate", satisfied=False)
    _reply(c, m["a5"], "2026-05-20")  # late (due 05-02), never evaluated
    _reply(c, m["a6"], "2026-06-25")  # late, still inside the evaluation window on 07-01
    advance_to(c, at("2026-07-01 09:00"))
    return c


def _rate(c: Container, fn: str, scope: Scope, start: str, end: str) -> rates.Rate:
    period = rates.Period(date.fromisoformat(start), date.fromisoformat(end), date(2026, 7, 1))
    with c.db.read() as conn:
        return getattr(rates, fn)(conn, scope, period)  # type: ignore[no-any-return]


def test_timely_acceptance(world: Container) -> None:
    rate = _rate(world, "timely_acceptance", C1, "2026-03-01", "2026-03-31")
    # a1, a5, a6, a7 on time; a2 late; a3 and a4 never accepted.
    assert rate.breakdown == {"on_time": 4, "late": 1, "overdue": 2, "running": 0}
    assert (rate.numerator, rate.denominator) == (4, 7)
    assert rate.value == pytest.approx(4 / 7)
    assert "及时受理" in rate.definition
    assert _rate(world, "timely_acceptance", C2, "2026-03-01", "2026-03-31").denominator == 0


def test_on_time_completion(world: Container) -> None:
    rate = _rate(world, "on_time_completion", C1, "2026-03-01", "2026-03-31")
    # a1 (04-10) and a7 (04-20) on time; a5 (05-20) and a6 (06-25) late; a2 unanswered.
    assert rate.breakdown == {"on_time": 2, "late": 2, "overdue": 1, "running": 0}
    assert (rate.numerator, rate.denominator) == (2, 5)


def test_evaluation_and_satisfaction(world: Container) -> None:
    period = rates.Period(date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1))
    with world.db.read() as conn:
        participation, satisfaction = rates.evaluation(conn, C1, period, 30)
    # Replies delivered in the period: a1, a7 (evaluated), a5 (window ended 06-19),
    # a6 (delivered 06-25: still inside its window, left out).
    assert participation.breakdown == {
        "replied": 4,
        "evaluated": 2,
        "expired": 1,
        "in_window": 1,
        "by_petitioner": 0,
        "on_behalf": 2,
    }
    assert (participation.numerator, participation.denominator) == (2, 3)
    assert (satisfaction.numerator, satisfaction.denominator) == (1, 2)
    # Replies are the replying unit's (C1-ZJ): the unit alone sees them too.
    alone = Scope(unit="C1-ZJ", path="/P/C1/C1-ZJ/", subtree=False)
    with world.db.read() as conn:
        assert rates.evaluation(conn, alone, period, 30)[0].denominator == 3


def test_repeat_rate(world: Container) -> None:
    rate = _rate(world, "repeat_rate", C1, "2026-03-01", "2026-03-31")
    # Nine matters registered at C1-XF in March; one repeats an earlier one.
    assert (rate.numerator, rate.denominator) == (1, 9)
    april = _rate(world, "repeat_rate", C1, "2026-04-01", "2026-04-30")
    assert (april.numerator, april.denominator) == (0, 0) and april.value is None


def test_backlog_resolution(world: Container) -> None:
    period = rates.Period(date(2026, 3, 1), date(2026, 6, 30), date(2026, 7, 1))
    policy = BacklogPolicy(age_days=60, repeats=1)
    with world.db.read() as conn:
        rate = rates.backlog_resolution(conn, C1, period, policy)
    # Open 60 days by 05-01 (registered 03-02): a2, a3, a5, a6 still open then, and a1
    # and a7 (replied in April, review window lapsed in May: closed after 05-01); a4 by
    # 05-24. The first noise matter (03-10) joins on its first repeat (policy: 1
    # repeat), the repeat itself on 05-09. Resolved by 06-30: a1, a7 and a5 (closed
    # when their review windows lapsed, 30 days after delivery).
    assert rate.breakdown["backlog"] == 9
    assert (rate.numerator, rate.denominator) == (3, 9)
