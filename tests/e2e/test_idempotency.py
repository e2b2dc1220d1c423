"""Idempotency-Key: replays the first response; another body with the same key is 409."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Api, petition_body, problem


def test_register_replays_and_refuses_another_body(api: Api) -> None:
    h = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "k-1"})
    body = petition_body()
    first = api.client.post("/v1/petitions", json=body, headers=h)
    count = api.event_count()
    again = api.client.post("/v1/petitions", json=body, headers=h)
    # The query code is handed out once: the stored response never held it.
    assert (again.status_code, again.json(), again.headers["ETag"]) == (
        first.status_code,
        {**first.json(), "query_code": None},
        first.headers["ETag"],
    )
    assert api.event_count() == count
    other = api.client.post("/v1/petitions", json=petition_body(subject="别的事"), headers=h)
    problem(other, 409, "idempotency-key-reused")
    assert api.event_count() == count
    # Keys belong to a principal: another caller's identical key is a new request.
    h2 = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "k-1"})
    h2["Authorization"] = f"Bearer {api.token('registrar', 'C1-XF', sub='someone-else')}"
    fresh = api.client.post("/v1/petitions", json=body, headers=h2)
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]


def test_actions_and_units_replay(api: Api) -> None:
    case = api.register()
    url = f"/v1/petitions/{case['id']}/actions"
    body = {"action": "classify", "type": "claim", "route": "petition"}
    h = api.auth("handler", "C1-XF", **{"Idempotency-Key": "act-1"})
    first = api.client.post(url, json=body, headers=h)
    again = api.client.post(url, json=body, headers=h)
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"] == 2
    unit = {"code": "K9", "name": "县", "level": "county", "kind": "government", "parent": "C2"}
    uh = api.auth("admin", "P", **{"Idempotency-Key": "u-1"})
    assert api.client.post("/v1/units", json=unit, headers=uh).status_code == 201
    assert api.client.post("/v1/units", json=unit, headers=uh).status_code == 201


def test_a_failed_request_stores_no_key(api: Api) -> None:
    case = api.register()
    url = f"/v1/petitions/{case['id']}/actions"
    h = api.auth("handler", "C1-XF", **{"Idempotency-Key": "retry"})
    problem(api.client.post(url, json={"action": "accept"}, headers=h), 409, "illegal-transition")
    ok = api.client.post(
        url, json={"action": "classify", "type": "claim", "route": "petition"}, headers=h
    )
    assert ok.status_code == 200


def _rendered(document: Any) -> bytes:
    # What JSONResponse sends for a document (Starlette's own rendering).
    return json.dumps(
        document, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def test_a_response_is_the_bytes_json_rendering_gives_and_replays_as_the_same_document(
    api: Api,
) -> None:
    # The first response is serialised by pydantic, a replay renders the stored document.
    h = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "bytes-1"})
    body = petition_body(subject="小区房屋漏水 “三楼” 维修", content="物业不予维修\n已反映三次。")
    first = api.client.post("/v1/petitions", json=body, headers=h)
    again = api.client.post("/v1/petitions", json=body, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.content == _rendered(first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "query_code": None}  # the code is given once
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    url = f"/v1/petitions/{first.json()['id']}/actions"
    act = {"action": "classify", "type": "claim", "route": "petition"}
    ah = api.auth("handler", "C1-XF", **{"Idempotency-Key": "bytes-2"})
    acted = api.client.post(url, json=act, headers=ah)
    assert acted.status_code == 200 and acted.json()["deadlines"]
    assert acted.content == _rendered(acted.json())
    assert api.client.post(url, json=act, headers=ah).json() == acted.json()
