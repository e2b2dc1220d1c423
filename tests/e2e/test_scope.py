"""Who sees what: handlers by involvement, supervisors and auditors by subtree; masking."""

from __future__ import annotations

from tests.e2e.conftest import Api


def _get(api: Api, pid: str, role: str, unit: str) -> int:
    return int(api.client.get(f"/v1/petitions/{pid}", headers=api.auth(role, unit)).status_code)


def test_handler_reads_matters_its_unit_holds_or_held(api: Api) -> None:
    case = api.register()
    assert _get(api, case["id"], "handler", "C1-ZJ") == 404
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    assert _get(api, case["id"], "handler", "C1-ZJ") == 200
    assert _get(api, case["id"], "handler", "C1-XF") == 200  # held it before
    assert _get(api, case["id"], "handler", "K1-ZJ") == 404
    # Acting out of scope is 404 as well, not 403.
    assert api.act(case, "K1-ZJ", "accept").status_code == 404


def test_supervisor_sees_its_subtree_and_nothing_beside_it(api: Api) -> None:
    in_c1 = api.register(unit="C1-XF")
    in_k1 = api.register(unit="K1-XF")
    in_c2 = api.register(unit="C2-XF")
    assert _get(api, in_c1["id"], "supervisor", "C1") == 200
    assert _get(api, in_k1["id"], "supervisor", "C1") == 200
    assert _get(api, in_c2["id"], "supervisor", "C1") == 404
    assert _get(api, in_c1["id"], "supervisor", "K1") == 404
    listed = api.client.get("/v1/petitions", headers=api.auth("supervisor", "C1")).json()
    assert {p["id"] for p in listed["items"]} == {in_c1["id"], in_k1["id"]}
    feed = api.client.get("/v1/events", headers=api.auth("supervisor", "C1")).json()
    assert {e["case_id"] for e in feed["items"]} == {in_c1["id"], in_k1["id"]}
    everything = api.client.get("/v1/petitions", headers=api.auth("auditor", "P")).json()
    assert len(everything["items"]) == 3


def test_personal_data_is_masked_for_supervisors_and_auditors(api: Api) -> None:
    case = api.register()
    shown = api.client.get(
        f"/v1/petitions/{case['id']}", headers=api.auth("registrar", "C1-XF")
    ).json()["petitioners"][0]
    assert shown["id_number"] == "110101199001011234" and shown["masked"] is False
    for role in ("supervisor", "auditor"):
        masked = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth(role, "C1")).json()[
            "petitioners"
        ][0]
        assert masked["masked"] is True and masked["name"] == "张三"
        assert masked["id_number"] == "1101**********1234"
        assert masked["phone"] == "138****0000" and masked["address"] == "***"
    # The hashed event never holds the personal data, only a reference and a digest.
    history = api.client.get(
        f"/v1/petitions/{case['id']}/history", headers=api.auth("auditor", "C1")
    ).json()["items"]
    assert "110101199001011234" not in str(history)


def test_redacted_personal_data_shows_redacted(api: Api) -> None:
    from sqlalchemy import update

    from workflow.adapters.repository import PERSONAL

    case = api.register()
    with api.container.db.write() as conn:
        conn.execute(update(PERSONAL).where(PERSONAL.c.case_id == case["id"]).values(data=None))
    person = api.client.get(
        f"/v1/petitions/{case['id']}", headers=api.auth("registrar", "C1-XF")
    ).json()["petitioners"][0]
    assert person["redacted"] is True and person["id_number"] is None


def test_list_filters_and_cursor_pagination(api: Api) -> None:
    ids = [api.register()["id"] for _ in range(5)]
    api.ok(ids[0], "C1-XF", "classify", type="claim", route="petition")
    h = api.auth("registrar", "C1-XF")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/petitions", params=params, headers=h).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    classified = api.client.get("/v1/petitions?state=classified", headers=h).json()["items"]
    assert [p["id"] for p in classified] == [ids[0]]
    subtree = api.client.get("/v1/petitions?unit=C1&subtree=true", headers=h).json()["items"]
    assert len(subtree) == 5
    assert api.client.get("/v1/petitions?unit=C2&subtree=true", headers=h).json()["items"] == []
    due = api.client.get("/v1/petitions?due_before=2026-12-31", headers=h).json()["items"]
    assert len(due) == 5
    capped = api.client.get("/v1/petitions?limit=100000", headers=h)
    assert capped.status_code == 200


def test_event_feed_is_resumable(api: Api) -> None:
    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    h = api.auth("handler", "C1-XF")
    first = api.client.get("/v1/events?limit=1", headers=h).json()
    assert [e["seq"] for e in first["items"]] == [1]
    rest = api.client.get(f"/v1/events?after={first['next_cursor']}", headers=h).json()
    assert [e["seq"] for e in rest["items"]] == [2]
    empty = api.client.get(f"/v1/events?after={rest['next_cursor']}", headers=h).json()
    assert empty["items"] == [] and empty["next_cursor"] == rest["next_cursor"]
    assert api.client.get("/v1/events", headers=api.auth("handler", "C2-XF")).json()["items"] == []


def test_units_tree(api: Api) -> None:
    h = api.auth("handler", "K1-ZJ")
    units = api.client.get("/v1/units", headers=h).json()["items"]
    assert len(units) == 12
    k1 = api.client.get("/v1/units/K1-ZJ", headers=h).json()
    assert k1["path"] == "/P/C1/K1/K1-ZJ/" and k1["kind"] == "agency"
    assert api.client.get("/v1/units/NOPE", headers=h).status_code == 404
    dup = api.client.post(
        "/v1/units",
        json={"code": "P", "name": "x", "level": "provincial", "kind": "government"},
        headers=api.auth("admin", "P"),
    )
    assert dup.status_code == 422
