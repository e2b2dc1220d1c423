"""Supervision items opened by hand (《信访工作条例》第四十条): a petition bureau above the
unit responsible opens one on a ground of the article; the item then follows
statecharts/supervision.yaml like one a breach opened, each step an event of the matter."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rules.time import local_date
from tests.e2e.conftest import Api, api, make_api, problem
from tests.scenarios.helpers import advance_to, types
from tests.support import act, actor, at, make_container, register
from workflow.domain.actions import OpenSupervisionItem, SuperviseItem
from workflow.domain.actor import Role
from workflow.domain.case import Case
from workflow.domain.errors import Forbidden, GuardRejected, InvalidCommand
from workflow.oversight import board
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

__all__ = ["api", "make_api"]  # fixtures of the end-to-end tests

ITEMS = "/v1/supervision/items"
FOUND = "办理结果报告称已入户查看，经核实并未入户"


def _held_by_agency(api: Api) -> dict[str, Any]:
    """Registered at the city bureau C1-XF and transferred to the city housing bureau."""
    petition = api.register("C1-XF")
    api.ok(petition, "C1-XF", "classify", type="claim", route="petition")
    return api.ok(petition, "C1-XF", "transfer", to_unit="C1-ZJ")  # type: ignore[no-any-return]


def test_a_bureau_above_opens_an_item_on_falsification_then_urges_and_closes_it(
    api: Api,
) -> None:
    petition = _held_by_agency(api)
    pid = petition["id"]
    body = {"petition_id": pid, "ground": "falsification", "detail": FOUND}
    keyed = api.auth("supervisor", "C1-XF", **{"Idempotency-Key": "open-1"})
    opened = api.client.post(ITEMS, json=body, headers=keyed)
    assert opened.status_code == 201, opened.text
    matter = opened.json()
    assert matter["id"] == pid and matter["version"] == petition["version"] + 1
    [item] = matter["supervision"]
    assert item["ground"] == "falsification" and item["detail"] == FOUND
    assert (item["state"], item["responsible_unit"], item["supervising_unit"]) == (
        "opened",
        "C1-ZJ",
        "C1-XF",
    )
    assert "第四十条" in item["article"] and item["deadline_id"] is None
    # The same key replays the first answer and records nothing more.
    events = api.event_count()
    again = api.client.post(ITEMS, json=body, headers=keyed)
    assert again.status_code == 201 and again.json() == matter
    assert api.event_count() == events

    # Outside the bureau's government the matter does not exist; a handler may never
    # open an item, nor a supervisor who is not at a petition bureau (第四十条: 信访部门).
    other = api.auth("supervisor", "C2-XF")
    problem(api.client.post(ITEMS, json=body, headers=other), 404, "not-found")
    problem(
        api.client.post(ITEMS, json=body, headers=api.auth("handler", "C1-XF")), 403, "forbidden"
    )
    problem(
        api.client.post(ITEMS, json=body, headers=api.auth("supervisor", "C1")), 403, "forbidden"
    )
    for bad in (
        {**body, "ground": "laziness"},
        {"petition_id": pid, "ground": "other"},  # `other` says what was found
        {"petition_id": pid, "ground": "falsification"},
        {"petition_id": pid, "ground": "breach"},  # a breach names the overdue obligation
    ):
        problem(
            api.client.post(ITEMS, json=bad, headers=api.auth("supervisor", "C1-XF")),
            422,
            "validation-error",
        )
    assert api.event_count() == events

    # The boards list it; the item follows the supervision chart.
    listed = api.client.get(f"{ITEMS}?state=opened", headers=api.auth("supervisor", "C1"))
    assert [(i["id"], i["ground"]) for i in listed.json()["items"]] == [
        (item["id"], "falsification")
    ]
    url = f"{ITEMS}/{item['id']}/actions"
    bureau = api.auth("supervisor", "C1-XF")
    urged = api.client.post(url, json={"action": "urge", "note": "请于5日内说明"}, headers=bureau)
    assert urged.status_code == 200 and urged.json()["supervision"][0]["state"] == "urged"
    # No obligation to wait for: the bureau closes it (销号) on its own finding.
    closed = api.client.post(url, json={"action": "close", "note": "已整改"}, headers=bureau)
    assert closed.status_code == 200, closed.text
    assert closed.json()["supervision"][0]["state"] == "closed"
    history = api.client.get(f"/v1/petitions/{pid}/history", headers=api.auth("auditor", "P"))
    steps = [e["type"] for e in history.json()["items"]][-3:]
    assert steps == ["supervision_opened", "supervision_urged", "supervision_closed"]
    assert api.container.petitions.replay(pid).matches_projection


def today(c: Container) -> date:
    return local_date(c.clock.now())


def _open(c: Container, case: Case | str, unit: str, **fields: Any) -> Case:
    case_id = case if isinstance(case, str) else case.id
    command = OpenSupervisionItem.model_validate(fields)
    return c.petitions.open_supervision(case_id, command, actor(unit, Role.SUPERVISOR))


def test_who_may_open_an_item(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c, unit="K1-XF")  # held by the county bureau
    before = case.version
    with pytest.raises(Forbidden):
        _open(c, case, "C1", ground="other", detail=FOUND)  # a government, not its bureau
    with pytest.raises(GuardRejected):
        _open(c, case, "K1-XF", ground="other", detail=FOUND)  # a bureau does not supervise itself
    with pytest.raises(GuardRejected):
        _open(c, case, "C2-XF", ground="other", detail=FOUND)  # another city's bureau
    assert c.petitions.get(case.id).version == before  # the refusals wrote nothing
    # The city bureau supervises the county's bureau; so does the province's.
    [item] = _open(c, case, "C1-XF", ground="irregular_handling", detail="未按规定登记").supervision
    assert (item["responsible_unit"], item["supervising_unit"]) == ("K1-XF", "C1-XF")
    assert _open(c, case, "P-XF", ground="other", detail=FOUND).supervision[1]["state"] == "opened"
    assert c.petitions.replay(case.id).matches_projection


def test_a_breach_by_hand_names_the_overdue_obligation_and_the_sweep_adds_no_second_item(
    tmp_path: Path,
) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c, unit="K1-XF")
    route = case.latest("route")
    assert route is not None
    with pytest.raises(ValidationError):
        OpenSupervisionItem.model_validate({"ground": "breach"})
    with pytest.raises(GuardRejected):  # not late yet
        _open(c, case, "C1-XF", ground="breach", deadline_id=route.id)
    with pytest.raises(InvalidCommand):
        _open(c, case, "C1-XF", ground="breach", deadline_id="no-such-deadline")
    # Late, and the sweep has not reached it: the bureau need not wait for it.
    c.clock.advance(days=20)  # type: ignore[attr-defined]
    case = _open(c, case, "C1-XF", ground="breach", deadline_id=route.id)
    [item] = case.supervision
    assert item["id"] == f"{route.id}:sv" and item["deadline_id"] == route.id
    with pytest.raises(GuardRejected):  # one item per obligation
        _open(c, case, "P-XF", ground="breach", deadline_id=route.id)
    advance_to(c, c.clock.now() + timedelta(minutes=1))
    case = c.petitions.get(case.id)
    assert "deadline_breached" in types(c, case.id) and len(case.supervision) == 1
    with c.db.read() as conn:
        [row] = board.overdue(conn, Scope(unit="C1", path="/P/C1/"), today(c), limit=5)
    assert row.item is not None and row.item["id"] == item["id"]
    assert c.petitions.replay(case.id).matches_projection


def test_refusing_to_carry_out_a_supported_opinion(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    case = register(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    act(c, case, "C1-ZJ", "accept")
    # Nothing to carry out before a supported opinion exists.
    with pytest.raises(GuardRejected):
        _open(c, case, "C1-XF", ground="not_implementing_opinion", detail="拒不维修")
    c.clock.advance(days=5)  # type: ignore[attr-defined]
    case = act(
        c, case, "C1-ZJ", "reply", outcome="support", opinion="支持", delivered_on="2026-03-07"
    )
    check = case.latest("implement")
    assert check is not None
    case = _open(c, case, "C1-XF", ground="not_implementing_opinion", detail="拒不维修")
    [item] = case.supervision
    # The item follows the implementation check: closed only once it is carried out.
    assert (item["deadline_id"], item["responsible_unit"]) == (check.id, "C1-ZJ")
    close = SuperviseItem.model_validate({"action": "close"})
    bureau = actor("C1-XF", Role.SUPERVISOR)
    with pytest.raises(GuardRejected):
        c.petitions.supervise(case.id, item["id"], close, bureau)
    act(c, case, "C1-ZJ", "implemented", detail="已维修")
    case = c.petitions.supervise(case.id, item["id"], close, bureau)
    assert case.supervision[0]["state"] == "closed"
    assert c.petitions.replay(case.id).matches_projection
