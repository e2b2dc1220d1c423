"""Supervision over HTTP: boards by scope, item actions, leaders, backlog, rates."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import Api, problem
from workflow.timers.sweep import advance_clock


def _breach(api: Api) -> tuple[dict[str, object], dict[str, object]]:
    city = api.register("C1-XF")
    county = api.register("K1-XF")
    api.register("C2-XF")
    advance_clock(api.container, advance_days=20)
    return city, county


def test_overdue_board_by_scope_and_role(api: Api) -> None:
    city, county = _breach(api)
    board = api.client.get("/v1/supervision/overdue", headers=api.auth("supervisor", "C1"))
    assert board.status_code == 200
    body = board.json()
    assert body["unit"] == "C1" and body["total"] == 2
    assert {i["petition_id"] for i in body["items"]} == {city["id"], county["id"]}
    item = body["items"][0]
    assert item["rule"] == "route" and item["article"] and item["days_overdue"] >= 1
    assert item["supervision"]["state"] == "opened"
    # A bureau's supervisor oversees its government's subtree; a county only its own.
    bureau = api.client.get("/v1/supervision/overdue", headers=api.auth("supervisor", "C1-XF"))
    assert bureau.json()["total"] == 2
    k1 = api.client.get("/v1/supervision/overdue", headers=api.auth("supervisor", "K1")).json()
    assert [i["petition_id"] for i in k1["items"]] == [county["id"]]
    # Outside the caller's scope the unit does not exist; other roles may not read boards.
    problem(
        api.client.get("/v1/supervision/overdue?unit=C2", headers=api.auth("supervisor", "C1")),
        404,
        "not-found",
    )
    problem(
        api.client.get("/v1/supervision/overdue", headers=api.auth("handler", "C1-XF")),
        403,
        "forbidden",
    )
    province = api.client.get("/v1/supervision/overdue?limit=1", headers=api.auth("admin", "P"))
    first = province.json()
    assert first["total"] == 3 and len(first["items"]) == 1 and first["next_cursor"]
    second = api.client.get(
        f"/v1/supervision/overdue?limit=1&cursor={first['next_cursor']}",
        headers=api.auth("admin", "P"),
    ).json()
    assert second["items"][0]["deadline_id"] != first["items"][0]["deadline_id"]
    problem(
        api.client.get("/v1/supervision/overdue?cursor=bad", headers=api.auth("admin", "P")),
        422,
        "validation-error",
    )


def test_overdue_as_of_and_due_soon(api: Api) -> None:
    city = api.register("C1-XF")
    due = next(d for d in city["deadlines"] if d["rule"] == "route")["due_on"]
    soon = api.client.get(
        "/v1/supervision/due-soon?within_days=30", headers=api.auth("supervisor", "C1")
    ).json()
    assert [i["petition_id"] for i in soon["items"]] == [city["id"]]
    advance_clock(api.container, advance_days=30)
    h = api.auth("auditor", "C1")
    before = api.client.get(f"/v1/supervision/overdue?as_of={due}", headers=h).json()
    assert before["items"] == [] and before["as_of"] == due
    today = api.clock.now().date()
    after = api.client.get(f"/v1/supervision/overdue?as_of={today}", headers=h).json()
    assert [i["petition_id"] for i in after["items"]] == [city["id"]]
    future = (today + timedelta(days=2)).isoformat()
    problem(
        api.client.get(f"/v1/supervision/overdue?as_of={future}", headers=h),
        422,
        "validation-error",
    )


def test_item_actions_are_events(api: Api) -> None:
    _, county = _breach(api)
    items = api.client.get(
        "/v1/supervision/items?unit=K1", headers=api.auth("supervisor", "C1")
    ).json()["items"]
    [item] = items
    url = f"/v1/supervision/items/{item['id']}/actions"
    urged = api.client.post(
        url, json={"action": "urge", "note": "请加快办理"}, headers=api.auth("supervisor", "C1-XF")
    )
    assert urged.status_code == 200
    assert urged.json()["supervision"][0]["state"] == "urged"
    # A supervisor of another city does not see the item; a handler may not act on it.
    problem(
        api.client.post(url, json={"action": "urge"}, headers=api.auth("supervisor", "C2")),
        404,
        "not-found",
    )
    problem(
        api.client.post(url, json={"action": "urge"}, headers=api.auth("handler", "C1-XF")),
        403,
        "forbidden",
    )
    problem(
        api.client.post(url, json={"action": "close"}, headers=api.auth("supervisor", "C1")),
        409,
        "illegal-transition",
    )
    problem(
        api.client.post(url, json={"action": "dance"}, headers=api.auth("supervisor", "C1")),
        422,
        "validation-error",
    )
    history = api.client.get(
        f"/v1/petitions/{county['id']}/history", headers=api.auth("auditor", "P")
    ).json()["items"]
    assert history[-1]["type"] == "supervision_urged"
    replay = api.client.get(
        f"/v1/petitions/{county['id']}/replay", headers=api.auth("auditor", "P")
    ).json()
    assert replay["matches_projection"] is True


def test_a_keyed_item_action_replays_and_is_checked_for_scope(api: Api) -> None:
    _breach(api)
    [item] = api.client.get(
        "/v1/supervision/items?unit=K1", headers=api.auth("supervisor", "C1")
    ).json()["items"]
    url = f"/v1/supervision/items/{item['id']}/actions"
    keyed = api.auth("supervisor", "C1", **{"Idempotency-Key": "urge-1"})
    first = api.client.post(url, json={"action": "urge"}, headers=keyed)
    assert first.status_code == 200
    again = api.client.post(url, json={"action": "urge"}, headers=keyed)
    assert again.status_code == 200 and again.json() == first.json()
    # The same key from a supervisor of the other city is their own request: refused
    # (404) by the command's check, with nothing stored under the key.
    other = api.auth("supervisor", "C2", **{"Idempotency-Key": "urge-1"})
    problem(api.client.post(url, json={"action": "urge"}, headers=other), 404, "not-found")
    problem(api.client.post(url, json={"action": "urge"}, headers=other), 404, "not-found")
    history = api.client.get(
        f"/v1/petitions/{item['petition_id']}/history", headers=api.auth("auditor", "P")
    ).json()["items"]
    assert [e["type"] for e in history].count("supervision_urged") == 1


def test_leaders_backlog_and_rates(api: Api) -> None:
    case = api.register("C1-XF")
    api.ok(case, "C1-XF", "assign_leader", leader="王副市长")
    leaders = api.client.get("/v1/supervision/leaders", headers=api.auth("supervisor", "C1"))
    assert leaders.json() == [{"leader": "王副市长", "matters": 1, "open": 1}]
    listed = api.client.get(
        "/v1/petitions?leader=王副市长", headers=api.auth("supervisor", "C1")
    ).json()
    assert [p["id"] for p in listed["items"]] == [case["id"]]
    backlog = api.client.get("/v1/supervision/backlog", headers=api.auth("supervisor", "C1"))
    assert backlog.status_code == 200 and backlog.json()["items"] == []
    rates = api.client.get(
        "/v1/stats/rates?from=2026-09-01&to=2026-09-30", headers=api.auth("supervisor", "C1")
    )
    assert rates.status_code == 200
    body = rates.json()
    assert body["from"] == "2026-09-01" and body["to"] == "2026-09-30"
    keys = [r["key"] for r in body["rates"]]
    assert keys == [
        "timely_acceptance",
        "on_time_completion",
        "implementation",
        "evaluation",
        "satisfaction",
        "repeat",
        "backlog_resolution",
    ]
    repeat = next(r for r in body["rates"] if r["key"] == "repeat")
    assert (repeat["numerator"], repeat["denominator"]) == (0, 1) and repeat["definition"]
    assert all("÷" in r["definition_zh"] for r in body["rates"])
    problem(
        api.client.get(
            "/v1/stats/rates?from=2026-10-01&to=2026-09-01", headers=api.auth("supervisor", "C1")
        ),
        422,
        "validation-error",
    )


def test_unit_move_over_http(api: Api) -> None:
    moved = api.client.patch("/v1/units/K1", json={"parent": "C2"}, headers=api.auth("admin", "P"))
    assert moved.status_code == 200 and moved.json()["path"] == "/P/C2/K1/"
    problem(
        api.client.patch("/v1/units/K1", json={"parent": "C1"}, headers=api.auth("handler", "P")),
        403,
        "forbidden",
    )
    problem(
        api.client.patch("/v1/units/C2", json={"parent": "K1"}, headers=api.auth("admin", "P")),
        422,
        "validation-error",
    )
    problem(
        api.client.patch("/v1/units/ZZ", json={"parent": "C1"}, headers=api.auth("admin", "P")),
        404,
        "not-found",
    )
