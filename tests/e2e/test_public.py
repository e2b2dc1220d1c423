"""Petitioner self-service (阳光信访: 查询跟踪、满意度评价) and who records an evaluation.

Without a token, a petitioner who holds the matter's number and its query code (given
once, at registration) follows the matter and evaluates the answer
(《信访工作条例》第二十一条第二款: “方便信访人查询、评价信访事项办理情况”).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from rules.time import local_date
from tests.e2e.conftest import Api, problem
from tests.support import UNITS, petition_body
from workflow.timers.sweep import advance_clock

CODE = re.compile(r"^[23456789A-HJKMNP-Z]{4}(-[23456789A-HJKMNP-Z]{4}){3}$")


def _register(api: Api, **headers: str) -> dict[str, Any]:
    response = api.client.post(
        "/v1/petitions",
        json=petition_body(),
        headers=api.auth("registrar", "C1-XF", **headers),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _today(api: Api) -> str:
    return local_date(api.clock.now()).isoformat()


def _to_reply(api: Api, case: dict[str, Any], *, delivered: bool = True) -> dict[str, Any]:
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ")
    api.ok(case, "C1-ZJ", "accept")
    fields: dict[str, Any] = {"outcome": "support", "opinion": "同意维修，十日内完成。"}
    if delivered:
        fields["delivered_on"] = _today(api)
    replied: dict[str, Any] = api.ok(case, "C1-ZJ", "reply", **fields)
    return replied


def _view(api: Api, number: str, code: str) -> Any:
    return api.client.get(f"/v1/public/petitions/{number}", params={"code": code})


def _evaluate(api: Api, number: str, code: str, satisfied: bool, **extra: Any) -> Any:
    return api.client.post(
        f"/v1/public/petitions/{number}/evaluation",
        json={"code": code, "satisfied": satisfied, **extra},
    )


def test_registration_returns_the_code_once(api: Api) -> None:
    first = _register(api)
    assert CODE.match(first["query_code"]), first["query_code"]
    # Reading the matter never shows it again, to anyone.
    for role, unit in (("registrar", "C1-XF"), ("admin", "ROOT"), ("auditor", "C1")):
        got = api.client.get(f"/v1/petitions/{first['id']}", headers=api.auth(role, unit))
        assert got.status_code == 200 and "query_code" not in got.json()
        assert first["query_code"] not in got.text
    history = api.client.get(
        f"/v1/petitions/{first['id']}/history", headers=api.auth("auditor", "C1")
    )
    assert first["query_code"] not in history.text
    assert first["query_code"].replace("-", "") not in history.text


def test_idempotent_replay_of_registration_has_no_code(api: Api) -> None:
    body = petition_body()
    headers = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "reg-2"})
    first = api.client.post("/v1/petitions", json=body, headers=headers)
    again = api.client.post("/v1/petitions", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert CODE.match(first.json()["query_code"])
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["query_code"] is None


def test_progress_as_the_petitioner_sees_it(api: Api) -> None:
    case = _register(api)
    code = case["query_code"]
    # Let the intake clocks breach: the matter gets supervision items the public never sees.
    advance_clock(api.container, advance_days=20)
    seen = _view(api, case["number"], code)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["number"] == case["number"]
    assert (body["stage"], body["stage_title"]) == ("registered", "已登记")
    assert body["received_on"] == case["received_at"][:10]
    assert body["handling_unit"] == "甲市信访局"
    assert body["opinions"] == [] and body["windows"] == [] and not body["may_evaluate"]

    _to_reply(api, case, delivered=False)
    body = _view(api, case["number"], code).json()
    assert body["stage"] == "replied" and body["handling_unit"] == "甲市住房和城乡建设局"
    assert body["accepted_on"] is not None
    # Issued but not delivered: the dates, not the text.
    (reply,) = body["opinions"]
    assert reply["kind"] == "reply" and reply["issued_on"] and reply["delivered_on"] is None
    assert reply["text"] is None and reply["outcome"] is None
    assert body["windows"] == []  # the review window waits for delivery

    api.ok(case["id"], "C1-ZJ", "deliver", delivered_on=_today(api), method="post")
    body = _view(api, case["number"], code).json()
    (reply,) = body["opinions"]
    assert reply["delivered_on"] == _today(api)
    assert reply["text"] == "同意维修，十日内完成。" and reply["outcome"] == "support"
    (window,) = body["windows"]
    assert window["rule"] == "review_request" and window["title"]
    assert window["last_day"] > _today(api) and "第三十五条" in window["article"]
    assert body["may_evaluate"] is True

    staff = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("admin", "ROOT"))
    assert staff.json()["supervision"], "the matter has supervision items"
    _assert_nothing_internal(seen.text + json.dumps(body, ensure_ascii=False), staff.json())


def _assert_nothing_internal(text: str, staff: dict[str, Any]) -> None:
    for unit in UNITS:
        assert re.search(rf'"{re.escape(unit["code"])}"', text) is None, unit["code"]
        assert f"{unit['code']}/" not in text and f"/{unit['code']}" not in text
    for secret in ("110101199001011234", "13800000000", "张三", "甲市某路1号"):
        assert secret not in text
    assert re.search(r"[0-9a-f]{64}", text) is None  # no hash of any kind
    for word in ("registrar@", "handler@", "actor", "supervision", "breach", "督办", "hash"):
        assert word not in text, word
    for internal in ("id", "units_involved", "deadlines", "holder_unit", "intake_unit"):
        assert f'"{internal}"' not in text, internal
    assert staff["id"] not in text
    # The organs' own deadlines (handling, notices, routing) are not shown.
    for rule in ("handle", "notice_direct", "notice_transfer", "route"):
        assert f'"{rule}"' not in text, rule


def test_wrong_code_and_wrong_number_are_the_same_404(api: Api) -> None:
    case = _register(api)
    other = _register(api)
    wrong_code = problem(_view(api, case["number"], other["query_code"]), 404, "not-found")
    wrong_number = problem(_view(api, "XF202600009999", case["query_code"]), 404, "not-found")
    garbage = problem(_view(api, case["number"] + "x" * 50, "???"), 404, "not-found")
    for body in (wrong_code, wrong_number, garbage):
        body.pop("instance", None)
    assert wrong_code == wrong_number == garbage
    assert case["number"] not in json.dumps(wrong_code)
    evaluated = _evaluate(api, case["number"], other["query_code"], True)
    body = problem(evaluated, 404, "not-found")
    body.pop("instance", None)
    assert body == wrong_code


def test_the_petitioner_evaluates_alone_and_it_counts(api: Api) -> None:
    case = _register(api)
    code = case["query_code"]
    replied = _to_reply(api, case)
    # The replying unit rates its own answer: refused, nothing written.
    before = api.event_count()
    own = api.act(replied, "C1-ZJ", "evaluate", satisfied=True)
    assert problem(own, 403, "forbidden")["rule"] == "evaluation"
    assert api.event_count() == before
    # The bureau records one on the petitioner's behalf, then the registrar another.
    by_bureau = api.ok(replied, "C1-XF", "evaluate", satisfied=True)
    assert by_bureau["evaluations"][-1]["source"] == "bureau"
    registrar = api.client.post(
        f"/v1/petitions/{case['id']}/actions",
        json={"action": "evaluate", "satisfied": True, "level": "basically_satisfied"},
        headers=api.auth("registrar", "C1-XF"),
    )
    assert registrar.status_code == 200, registrar.text
    assert registrar.json()["evaluations"][-1]["source"] == "registrar"

    wrong = _evaluate(api, case["number"], _register(api)["query_code"], False)
    problem(wrong, 404, "not-found")
    api.clock.advance(days=1)
    done = _evaluate(api, case["number"], code, False, level="dissatisfied")
    assert done.status_code == 200, done.text
    view = done.json()
    assert view["evaluations"][-1] == {
        "on": _today(api),
        "satisfied": False,
        "level": "dissatisfied",
        "by_petitioner": True,
    }
    _assert_nothing_internal(done.text, {"id": case["id"]})

    staff = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("admin", "ROOT"))
    assert [e["source"] for e in staff.json()["evaluations"]] == [
        "bureau",
        "registrar",
        "petitioner",
    ]
    rates = api.client.get(
        "/v1/stats/rates",
        params={"unit": "C1", "from": "2026-09-01"},
        headers=api.auth("supervisor", "C1"),
    )
    assert rates.status_code == 200, rates.text
    by_key = {r["key"]: r for r in rates.json()["rates"]}
    assert by_key["evaluation"]["breakdown"]["by_petitioner"] == 1
    assert by_key["evaluation"]["breakdown"]["on_behalf"] == 0
    # The petitioner's own (dissatisfied) wins over the staff's earlier satisfied ones.
    assert (by_key["satisfaction"]["numerator"], by_key["satisfaction"]["denominator"]) == (0, 1)


def test_evaluation_before_an_answer_is_refused(api: Api) -> None:
    case = _register(api)
    before = api.event_count()
    refused = _evaluate(api, case["number"], case["query_code"], True)
    assert refused.status_code == 409
    assert api.event_count() == before


def test_attempts_are_limited_per_number(make_api: Callable[..., Api]) -> None:
    api = make_api(
        rate_limit_public_number_per_minute=1,
        rate_limit_public_number_burst=2,
        rate_limit_public_address_per_minute=60,
        rate_limit_public_address_burst=50,
    )
    case = _register(api)
    assert _view(api, case["number"], case["query_code"]).status_code == 200
    assert _view(api, case["number"], "WRONG").status_code == 404
    limited = _view(api, case["number"], case["query_code"])
    body = problem(limited, 429, "rate-limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert case["number"] not in json.dumps({k: v for k, v in body.items() if k != "instance"})
    # The evaluation route shares the number's budget.
    problem(_evaluate(api, case["number"], case["query_code"], True), 429, "rate-limited")
    # Another matter is not held up by this one's.
    other = _register(api)
    assert _view(api, other["number"], other["query_code"]).status_code == 200


def test_attempts_are_limited_per_address(make_api: Callable[..., Api]) -> None:
    api = make_api(
        rate_limit_public_number_per_minute=60,
        rate_limit_public_number_burst=50,
        rate_limit_public_address_per_minute=1,
        rate_limit_public_address_burst=3,
    )
    case = _register(api)
    for n in range(3):
        assert _view(api, f"XF20260000{n:04d}", "WRONG").status_code == 404
    problem(_view(api, case["number"], case["query_code"]), 429, "rate-limited")
    # Staff routes are not held up by the public budget.
    got = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("registrar", "C1-XF"))
    assert got.status_code == 200


def test_public_routes_in_openapi(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    view = spec["paths"]["/v1/public/petitions/{number}"]["get"]
    evaluate = spec["paths"]["/v1/public/petitions/{number}/evaluation"]["post"]
    for operation in (view, evaluate):
        assert operation["security"] == []
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/PublicPetitionOut"}
        assert {"404", "429"} <= operation["responses"].keys()
    assert any(p["name"] == "code" for p in view["parameters"])
    registered = spec["paths"]["/v1/petitions"]["post"]["responses"]["201"]
    ref = registered["content"]["application/json"]["schema"]["$ref"]
    assert "query_code" in spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
