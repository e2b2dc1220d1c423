"""Every problem type of the contract, as RFC 9457 bodies; a failed request writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.e2e.conftest import Api, petition_body, problem


def _handling(api: Api) -> dict[str, Any]:
    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    return dict(api.ok(case, "C1-ZJ", "accept"))


def test_more_than_five_representatives_is_422_and_writes_nothing(api: Api) -> None:
    before = api.event_count()
    response = api.client.post(
        "/v1/petitions",
        json=petition_body(channel="visit", headcount=8, representatives=6),
        headers=api.auth("registrar", "C1-XF"),
    )
    body = problem(response, 422, "validation-error")
    assert body["field"] == "representatives" and body["rule"]
    assert api.event_count() == before


def test_schema_validation_lists_errors(api: Api) -> None:
    response = api.client.post(
        "/v1/petitions", json={"channel": "pigeon"}, headers=api.auth("registrar", "C1-XF")
    )
    body = problem(response, 422, "validation-error")
    assert {tuple(e["loc"][-1:]) for e in body["errors"]} >= {("channel",), ("subject",)}
    bad_action = api.client.post(
        "/v1/petitions/x/actions", json={"action": "fly"}, headers=api.auth("handler", "C1-XF")
    )
    problem(bad_action, 422, "validation-error")


def _token(api: Api, **claims: Any) -> str:
    now = datetime.now(UTC)
    base = {
        "sub": "x",
        "role": "admin",
        "unit": "P",
        "aud": api.settings.jwt_audience,
        "iss": api.settings.jwt_issuer,
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    base.update(claims)
    payload = {k: v for k, v in base.items() if v is not None}
    return jwt.encode(payload, api.settings.jwt_secret, algorithm="HS256")


@pytest.mark.parametrize(
    "make",
    [
        lambda api: None,
        lambda api: "not-a-jwt",
        lambda api: _token(api, exp=int((datetime.now(UTC) - timedelta(hours=1)).timestamp())),
        lambda api: jwt.encode(
            {"sub": "x", "role": "admin", "unit": "P", "aud": "petitionflow"},
            "another-secret-of-sufficient-length-0123456789",
            algorithm="HS256",
        ),
        lambda api: jwt.encode(
            {"sub": "x", "role": "admin", "unit": "P", "aud": "petitionflow", "exp": 2**40},
            None,
            algorithm="none",
        ),
        lambda api: _token(api, aud="someone-else"),
        lambda api: _token(api, iss="someone-else"),
        lambda api: _token(api, role="overlord"),
        lambda api: _token(api, unit=None),
        lambda api: _token(api, exp=None),
    ],
    ids=[
        "missing",
        "garbage",
        "expired",
        "bad-signature",
        "alg-none",
        "wrong-audience",
        "wrong-issuer",
        "unknown-role",
        "no-unit",
        "no-exp",
    ],
)
def test_unauthenticated(api: Api, make: Callable[[Api], str | None]) -> None:
    token = make(api)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = api.client.get("/v1/units", headers=headers)
    problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_route_and_method(api: Api) -> None:
    problem(api.client.get("/v1/nothing-here"), 404, "not-found")
    response = api.client.delete("/v1/units", headers=api.auth("admin", "P"))
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_and_out_of_scope_petition_are_404(api: Api) -> None:
    problem(
        api.client.get("/v1/petitions/nope", headers=api.auth("handler", "C1-XF")),
        404,
        "not-found",
    )
    case = api.register()
    problem(
        api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("handler", "C2-XF")),
        404,
        "not-found",
    )


def test_roles_that_may_never_act_get_403(api: Api) -> None:
    case = api.register()
    for role in ("supervisor", "auditor", "admin"):
        response = api.client.post(
            f"/v1/petitions/{case['id']}/actions",
            json={"action": "classify", "type": "claim", "route": "petition"},
            headers=api.auth(role, "P"),
        )
        problem(response, 403, "forbidden")
    problem(
        api.client.post(
            "/v1/units",
            json={"code": "X", "name": "x", "level": "county", "kind": "agency", "parent": "P"},
            headers=api.auth("handler", "P"),
        ),
        403,
        "forbidden",
    )
    problem(
        api.client.post("/v1/petitions", json=petition_body(), headers=api.auth("auditor", "P")),
        403,
        "forbidden",
    )
    problem(api.client.get("/v1/audit/verify", headers=api.auth("handler", "P")), 403, "forbidden")


def test_registrar_outside_a_bureau_is_refused(api: Api) -> None:
    response = api.client.post(
        "/v1/petitions", json=petition_body(), headers=api.auth("registrar", "C1-ZJ")
    )
    problem(response, 403, "forbidden")
    direct = api.register(unit="C1-ZJ", role="handler")
    assert direct["intake_unit"] == "C1-ZJ"


def test_illegal_transition_is_409_with_allowed_actions(api: Api) -> None:
    case = api.register()
    before = api.event_count()
    body = problem(api.act(case, "C1-XF", "accept"), 409, "illegal-transition")
    assert body["state"] == "registered" and "classify" in body["allowed_actions"]
    assert api.event_count() == before


def test_window_lapsed(api: Api) -> None:
    case = _handling(api)
    api.ok(case, "C1-ZJ", "reply", outcome="explain", opinion="解释", delivered_on="2026-09-22")
    api.clock.advance(days=45)
    before = api.event_count()
    received = (api.clock.now() + timedelta(hours=8)).date().isoformat()
    body = problem(
        api.act(case, "C1", "request_review", received_on=received), 409, "window-lapsed"
    )
    assert body["rule"] == "review_request" and body["article"]
    assert api.event_count() == before


def test_extension_limit(api: Api) -> None:
    case = _handling(api)
    api.ok(case, "C1-ZJ", "extend", days=20, approved_by="局长", reason="复杂")
    before = api.event_count()
    body = problem(
        api.act(case, "C1-ZJ", "extend", days=15, approved_by="局长", reason="仍复杂"),
        409,
        "extension-limit",
    )
    assert body["article"]
    assert api.event_count() == before


def test_version_conflict_and_malformed_if_match(api: Api) -> None:
    case = api.register()
    url = f"/v1/petitions/{case['id']}/actions"
    body = {"action": "classify", "type": "claim", "route": "petition"}
    before = api.event_count()
    stale = api.client.post(
        url, json=body, headers=api.auth("handler", "C1-XF", **{"If-Match": '"7"'})
    )
    problem(stale, 412, "version-conflict")
    bad = api.client.post(
        url, json=body, headers=api.auth("handler", "C1-XF", **{"If-Match": "v1"})
    )
    problem(bad, 422, "validation-error")
    assert api.event_count() == before
    fresh = api.client.post(
        url, json=body, headers=api.auth("handler", "C1-XF", **{"If-Match": '"1"'})
    )
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"2"'


def test_payload_too_large(api: Api) -> None:
    big = petition_body(content="x" * (api.settings.max_body_bytes + 10))
    response = api.client.post("/v1/petitions", json=big, headers=api.auth("registrar", "C1-XF"))
    problem(response, 413, "payload-too-large")


def test_bad_cursors_are_422(api: Api) -> None:
    h = api.auth("admin", "P")
    problem(api.client.get("/v1/petitions?cursor=!!!", headers=h), 422, "validation-error")
    problem(api.client.get("/v1/events?after=abc", headers=h), 422, "validation-error")
