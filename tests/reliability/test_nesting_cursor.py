"""F8, F9: a deeply nested JSON body and a crafted cursor are 422 problems on every route.

Every route of the application (from ``app.routes``), with every method it answers, is
sent a JSON body nested far deeper than any request needs (1,000 levels: the one that
gave a RecursionError), and one just over the bound; every route with a ``cursor`` or
``after`` query parameter (from the OpenAPI document) is sent crafted cursors. No answer
may be a 500.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import Api
from tests.reliability.test_authz_matrix import app_routes

MAX_DEPTH = 32


def _client(api: Api) -> TestClient:
    # The same app (its lifespan already ran), but a 500 comes back as a response.
    return TestClient(api.client.app, raise_server_exceptions=False)


def _path(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids.get(m.group(1), "x"), template)


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def _routes(api: Api) -> list[tuple[str, str]]:
    every = app_routes(api.client.app)  # type: ignore[arg-type]
    return sorted((m, p) for m, p in every if m not in ("GET", "HEAD"))


def _ids(api: Api) -> dict[str, str]:
    matter = api.register()
    return {"petition_id": matter["id"], "case_id": matter["id"], "id": matter["id"]}


def test_deep_json_is_422_on_every_route(make_api: Callable[..., Api]) -> None:
    api = make_api(clock="simulated")  # the admin routes are mounted too
    client = _client(api)
    ids = _ids(api)
    routes = _routes(api)
    assert len(routes) >= 10
    failures: list[tuple[str, ...]] = []
    for role, unit in (("admin", "ROOT"), ("registrar", "C1-XF"), ("supervisor", "P")):
        headers = {**api.auth(role, unit), "Content-Type": "application/json"}
        for method, template in routes:
            path = _path(template, ids)
            for depth in (1000, MAX_DEPTH + 1):
                r = client.request(method, path, content=_nested(depth), headers=headers)
                if r.status_code >= 500 or (
                    not template.startswith("/console") and r.status_code in (200, 201)
                ):
                    failures.append((role, method, template, str(depth), str(r.status_code)))
                elif r.status_code == 422 and not template.startswith("/console"):
                    assert r.headers["content-type"].startswith("application/problem+json")
            # Deep arrays too, and in a field (not only at the top).
            deep = b'{"action":' + b"[" * 1000 + b"]" * 1000 + b"}"
            r = client.request(method, path, content=deep, headers=headers)
            if r.status_code >= 500:
                failures.append((role, method, template, "array", str(r.status_code)))
    assert not failures, failures


def test_nesting_at_the_bound_is_not_refused_for_depth(api: Api) -> None:
    headers = {**api.auth("registrar", "C1-XF"), "Content-Type": "application/json"}
    r = api.client.post("/v1/petitions", content=_nested(MAX_DEPTH), headers=headers)
    assert r.status_code == 422
    assert "deep" not in r.text  # refused by validation, not by the depth bound
    r = api.client.post("/v1/petitions", content=_nested(MAX_DEPTH + 1), headers=headers)
    assert r.status_code == 422 and "deep" in r.json()["detail"]
    # Brackets inside strings are text, not nesting.
    body = {"channel": "letter", "content": "[" * 5000 + "{" * 5000}
    r = api.client.post("/v1/petitions", json=body, headers=api.auth("registrar", "C1-XF"))
    assert "deep" not in r.text


def _b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = [
    "WyIyMDI2LTAxLTAxIiwieCJd",  # F9: ["2026-01-01","x"], a date without time or offset
    _b64(["2026-01-01T00:00:00", "x"]),  # naive time
    _b64(["2026-01-01T00:00:00+08:00", ["x"]]),
    _b64(["2026-01-01T00:00:00+08:00", None]),
    _b64(["2026-01-01T00:00:00+08:00", {"a": 1}]),
    _b64(["9999-12-31T23:59:59-23:59", "x"]),
    _b64(["0001-01-01T00:00:00+14:00", "x"]),
    _b64([1e308, 2]),
    _b64([10**30, "x"]),
    _b64([None, None]),
    _b64([True, False]),
    _b64(["x"]),
    _b64([["x"]]),
    _b64([{"a": 1}]),
    _b64([10**30]),
    _b64(["x" * 300]),
    _b64(["\x00", "\x00"]),
    _b64(b"[" * 300 + b"]" * 300),
    _b64(b"\xff\xfe"),
    _b64({"a": 1}),
    _b64("x"),
    _b64(b"NaN"),
    _b64(b'[NaN, "x"]'),
    "!!!",
    "====",
    "a",
    "",
    "%00",
    "99999999999999999999",
    "999999999999999999-999999999999999999",
    "9223372036854775808",
    "-1",
    "1-",
]

# Cursors of the right shape for one of the routes (the boards' cursor is a day and an
# id; the items' one id; the feed's two sequence numbers; empty is the first page).
WELL_FORMED_SOMEWHERE = {
    "",
    "WyIyMDI2LTAxLTAxIiwieCJd",
    _b64(["x"]),
    "999999999999999999-999999999999999999",
}


def test_crafted_cursors_are_422_on_every_route(api: Api) -> None:
    client = _client(api)
    ids = _ids(api)
    schema = api.client.get("/openapi.json").json()
    targets = []
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            for name in names & {"cursor", "after"}:
                targets.append((method.upper(), template, name))
    assert len(targets) >= 4, targets
    failures = []
    for role, unit in (("admin", "P"), ("supervisor", "P"), ("auditor", "P")):
        headers = api.auth(role, unit)
        for method, template, name in targets:
            for cursor in CURSORS:
                r = client.request(
                    method, _path(template, ids), params={name: cursor}, headers=headers
                )
                if r.status_code not in (200, 403, 422):  # a 500 above all
                    failures.append((role, template, cursor, r.status_code))
                elif r.status_code == 200 and cursor not in WELL_FORMED_SOMEWHERE:
                    failures.append((role, template, cursor, "accepted"))
    assert not failures, failures
