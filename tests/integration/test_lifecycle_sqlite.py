"""The whole lifecycle on a real SQLite file: states, holders, clocks, chain, replay."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rules.time import local_date
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.errors import IllegalTransition, VersionConflict


def test_full_lifecycle_through_re_review(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c, received_at="2026-09-22T09:00:00+08:00")
    assert case.state == "registered"
    route = case.latest("route")
    assert route is not None
    # Received Tue 2026-09-22, 15 days end Wed 10-07 (国庆), rolled to Thu 10-08.
    assert route.due_on.isoformat() == "2026-10-08"

    c.clock.advance(days=1)  # type: ignore[attr-defined]
    case = act(c, case, "C1-XF", "classify", type="claim", route="petition")
    assert case.state == "classified"
    case = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    assert (case.state, case.holder_unit) == ("transferred", "C1-ZJ")
    assert case.latest("route").status == "met"  # type: ignore[union-attr]
    assert case.latest("object") is not None
    case = act(c, case, "C1-ZJ", "accept")
    handle = case.latest("handle")
    assert handle is not None and handle.status == "pending"
    assert handle.trigger_on.isoformat() == "2026-09-23"
    case = act(c, case, "C1-ZJ", "extend", days=15, approved_by="局长", reason="情况复杂")
    assert case.latest("handle").extension_days == 15  # type: ignore[union-attr]
    c.clock.advance(days=10)  # type: ignore[attr-defined]
    case = act(
        c,
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on="2026-10-03",
    )
    assert case.state == "replied"
    assert case.latest("review_request").trigger_on.isoformat() == "2026-10-03"  # type: ignore[union-attr]
    case = act(c, case, "C1", "request_review", received_on="2026-10-03")
    assert (case.state, case.holder_unit) == ("under_review", "C1")
    today = local_date(c.clock.now()).isoformat()
    case = act(c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=today)
    assert case.state == "review_replied"
    case = act(c, case, "P", "request_re_review", received_on=case.review["delivered_on"])  # type: ignore[index]
    assert (case.state, case.holder_unit) == ("under_re_review", "P")
    case = act(c, case, "P", "hearing_start")
    assert case.latest("re_review").status == "paused"  # type: ignore[union-attr]
    c.clock.advance(days=2)  # type: ignore[attr-defined]
    case = act(c, case, "P", "hearing_end")
    re_review = case.latest("re_review")
    assert re_review is not None and re_review.status == "pending" and re_review.pauses
    case = act(c, case, "P", "re_review_decide", outcome="uphold", opinion="维持")
    assert case.state == "concluded"
    case = act(c, case, "C1-XF", "evaluate", satisfied=False)
    assert case.version == 13

    replay = c.petitions.replay(case.id)
    assert replay.matches_projection
    events = c.petitions.history(case.id)
    assert [e.seq for e in events] == list(range(1, 14))
    for prev, event in itertools.pairwise(events):
        assert event.prev_hash == prev.hash
    assert all(e.hash == e.computed_hash() for e in events)


def test_stale_version_and_illegal_action_write_nothing(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-09-22 09:00"))
    case = register(c)
    model = ACTION_ADAPTER.validate_python(
        {"action": "classify", "type": "claim", "route": "petition"}
    )
    with pytest.raises(VersionConflict):
        c.petitions.act(case.id, model, actor("C1-XF"), if_match=7)
    with pytest.raises(IllegalTransition):
        act(c, case, "C1-XF", "accept")
    assert len(c.petitions.history(case.id)) == 1
    assert c.petitions.get(case.id).version == 1


def test_matters_registered_later_get_later_ids(tmp_path: Path) -> None:
    """Ids are version 7 from the service's clock, so the matters of one day sit together
    in every index keyed by the matter (the clock is simulated: the wall clock is not
    what orders them)."""
    c = make_container(tmp_path, at("2031-03-01 09:00"))
    ids = []
    for _ in range(5):
        ids.append(register(c).id)
        c.clock.advance(seconds=60)  # type: ignore[attr-defined]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    millis = int(ids[0][:12], 16)
    assert millis == int(at("2031-03-01 09:00").timestamp() * 1000)
