"""R5: bad input over HTTP is a 4xx problem and writes nothing, on SQLite and PostgreSQL.

"Nothing" is checked on the database itself: every table's row count and content hash
(events, projections, timers, personal data, idempotency keys, counters, units, and
any table added later) before and after the refused request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Api, petition_body
from tests.reliability.snapshot import database_snapshot

Send = Callable[[Api, dict[str, Any]], Any]


def _register(body: Any, **headers: str) -> Send:
    def send(api: Api, _ctx: dict[str, Any]) -> Any:
        h = api.auth("registrar", "C1-XF", **headers)
        return api.client.post("/v1/petitions", json=body, headers=h)

    return send


def _raw(content: bytes, content_type: str | None) -> Send:
    def send(api: Api, _ctx: dict[str, Any]) -> Any:
        h = api.auth("registrar", "C1-XF")
        if content_type is not None:
            h["Content-Type"] = content_type
        return api.client.post("/v1/petitions", content=content, headers=h)

    return send


def _act(body: dict[str, Any], unit: str = "C1-ZJ", **headers: str) -> Send:
    def send(api: Api, ctx: dict[str, Any]) -> Any:
        h = api.auth("handler", unit, **headers)
        return api.client.post(f"/v1/petitions/{ctx['handling']}/actions", json=body, headers=h)

    return send


def _streamed(api: Api, _ctx: dict[str, Any]) -> Any:
    def chunks() -> Any:
        yield b'{"channel": "letter", "content": "'
        for _ in range(20):
            yield b"x" * 512
        yield b'"}'

    h = api.auth("registrar", "C1-XF", **{"Content-Type": "application/json"})
    return api.client.post("/v1/petitions", content=chunks(), headers=h)


def _lapsed_review(api: Api, ctx: dict[str, Any]) -> Any:
    received = (api.clock.now() + timedelta(hours=8)).date().isoformat()
    return api.act(ctx["lapsed"], "C1", "request_review", received_on=received)


def _reused_key(api: Api, ctx: dict[str, Any]) -> Any:
    h = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "once"})
    return api.client.post("/v1/petitions", json=petition_body(subject="另一件事"), headers=h)


def _unit(body: dict[str, Any]) -> Send:
    return lambda api, _ctx: api.client.post("/v1/units", json=body, headers=api.auth("admin", "P"))


CLASSIFY = {"action": "classify", "type": "claim", "route": "petition"}
CASES: dict[str, tuple[Send, int, str]] = {
    # size and media type
    "oversized-body": (
        _register(petition_body(content="长" * 2000)),
        413,
        "payload-too-large",
    ),
    "oversized-streamed-body": (_streamed, 413, "payload-too-large"),
    "text-plain": (_raw(b'{"channel": "letter"}', "text/plain"), 415, "unsupported-media-type"),
    "form-encoded": (
        _raw(b"channel=letter", "application/x-www-form-urlencoded"),
        415,
        "unsupported-media-type",
    ),
    "no-content-type": (_raw(b'{"channel": "letter"}', None), 415, "unsupported-media-type"),
    "malformed-json": (_raw(b'{"channel": ', "application/json"), 422, "validation-error"),
    "json-array": (_register([petition_body()]), 422, "validation-error"),
    # wrong types
    "headcount-string": (_register(petition_body(headcount="many")), 422, "validation-error"),
    "petitioners-string": (_register(petition_body(petitioners="张三")), 422, "validation-error"),
    "channel-number": (_register(petition_body(channel=7)), 422, "validation-error"),
    "extend-days-string": (
        _act({"action": "extend", "days": "many", "approved_by": "局长", "reason": "复杂"}),
        422,
        "validation-error",
    ),
    "unknown-field": (_act({**CLASSIFY, "colour": "red"}, unit="C1-XF"), 422, "validation-error"),
    # dates
    "impossible-received-at": (
        _register(petition_body(received_at="2026-02-30T09:00:00+08:00")),
        422,
        "validation-error",
    ),
    "naive-received-at": (
        _register(petition_body(received_at="2026-09-22T09:00:00")),
        422,
        "validation-error",
    ),
    "future-received-at": (
        _register(petition_body(received_at="2030-01-01T09:00:00+08:00")),
        422,
        "validation-error",
    ),
    "impossible-delivered-on": (
        _act(
            {"action": "reply", "outcome": "explain", "opinion": "x", "delivered_on": "2026-02-30"}
        ),
        422,
        "validation-error",
    ),
    "future-delivered-on": (
        _act(
            {"action": "reply", "outcome": "explain", "opinion": "x", "delivered_on": "2030-01-01"}
        ),
        422,
        "validation-error",
    ),
    "future-occurred-at": (
        _act({"action": "accept", "occurred_at": "2030-01-01T09:00:00+08:00"}, unit="C1-XF"),
        422,
        "validation-error",
    ),
    # actions
    "unknown-action": (_act({"action": "fly"}), 422, "validation-error"),
    "illegal-action-now": (
        _act({"action": "evaluate", "satisfied": True}),
        409,
        "illegal-transition",
    ),
    "out-of-window-review": (_lapsed_review, 409, "window-lapsed"),
    "stale-if-match": (
        _act({"action": "reply", "outcome": "explain", "opinion": "x"}, **{"If-Match": '"1"'}),
        412,
        "version-conflict",
    ),
    "idempotency-key-reused": (_reused_key, 409, "idempotency-key-reused"),
    # registration rules
    "six-representatives": (
        _register(petition_body(channel="visit", headcount=8, representatives=6)),
        422,
        "validation-error",
    ),
    "no-petitioner": (_register(petition_body(petitioners=[])), 422, "validation-error"),
    # units
    "unit-unknown-parent": (
        _unit({"code": "Z", "name": "x", "level": "county", "kind": "agency", "parent": "NOPE"}),
        422,
        "validation-error",
    ),
    "unit-duplicate": (
        _unit({"code": "P", "name": "x", "level": "provincial", "kind": "government"}),
        422,
        "validation-error",
    ),
}


def _context(api: Api) -> dict[str, Any]:
    """A matter being handled at C1-ZJ, one whose review window lapsed, one keyed."""

    def handling(subject: str, number: str) -> dict[str, Any]:
        person = {"name": "王五", "id_number": number, "phone": "13700000000"}
        case = api.register(subject=subject, petitioners=[person])
        api.ok(case, "C1-XF", "classify", type="claim", route="petition")
        api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
        return dict(api.ok(case, "C1-ZJ", "accept"))

    lapsed = handling("窗口已过", "110101198001010011")
    api.ok(lapsed, "C1-ZJ", "reply", outcome="explain", opinion="解释", delivered_on="2026-09-22")
    api.clock.advance(days=45)
    current = handling("正在办理", "110101198001010022")
    h = api.auth("registrar", "C1-XF", **{"Idempotency-Key": "once"})
    keyed = api.client.post("/v1/petitions", json=petition_body(subject="一件事"), headers=h)
    assert keyed.status_code == 201
    return {"handling": current["id"], "lapsed": lapsed["id"]}


def test_every_bad_input_is_a_problem_and_writes_nothing(backend_api: Api) -> None:
    api = backend_api
    ctx = _context(api)
    refused: dict[str, int] = {}
    for name, (send, status, slug) in CASES.items():
        before = database_snapshot(api.container.db)
        response = send(api, ctx)
        assert response.status_code == status, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), name
        body = response.json()
        assert body["type"] == f"https://petitionflow.dev/problems/{slug}", (name, body)
        assert database_snapshot(api.container.db) == before, f"{name} wrote to the database"
        refused[name] = status
    assert len(refused) == len(CASES) >= 25
    # The snapshot does see writes: an accepted request changes it.
    before = database_snapshot(api.container.db)
    api.register(subject="接受的请求")
    assert database_snapshot(api.container.db) != before


@pytest.mark.parametrize("text", ["a\u0000b", "\ud800", "x" * 20_000])
def test_hostile_strings_are_refused_or_stored_never_a_5xx(backend_api: Api, text: str) -> None:
    api = backend_api
    before = database_snapshot(api.container.db)
    body = petition_body(subject=text[:200], content=text)
    response = api.client.post(
        "/v1/petitions",
        content=json.dumps(body).encode(),
        headers=api.auth("registrar", "C1-XF", **{"Content-Type": "application/json"}),
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert database_snapshot(api.container.db) == before
