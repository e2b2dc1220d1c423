"""R5, strict types: numbers are numbers, flags are booleans, times are RFC 3339 strings
with an offset, days are ISO dates; nothing is coerced. Each refusal is a 422 problem and
writes nothing (the database snapshot before and after, as in test_bad_input_http).

``received_at`` is bounded: not before 2005-05-01 (the first rule set, 《信访条例》) and
not in the future.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from tests.e2e.conftest import Api
from tests.reliability.snapshot import database_snapshot
from tests.support import petition_body
from workflow.domain.actions import ACTION_ADAPTER, Deliver, Register

Send = Callable[[Api, dict[str, Any]], Any]


def _register(**fields: Any) -> Send:
    def send(api: Api, _ctx: dict[str, Any]) -> Any:
        body = petition_body(**fields)
        return api.client.post("/v1/petitions", json=body, headers=api.auth("registrar", "C1-XF"))

    return send


def _act(body: dict[str, Any], unit: str = "C1-ZJ") -> Send:
    def send(api: Api, ctx: dict[str, Any]) -> Any:
        h = api.auth("handler", unit)
        return api.client.post(f"/v1/petitions/{ctx['handling']}/actions", json=body, headers=h)

    return send


def _post(path: str, body: dict[str, Any], role: str, unit: str) -> Send:
    def send(api: Api, ctx: dict[str, Any]) -> Any:
        return api.client.post(path.format(**ctx), json=body, headers=api.auth(role, unit))

    return send


def _public_evaluation(satisfied: Any) -> Send:
    def send(api: Api, ctx: dict[str, Any]) -> Any:
        body = {"code": ctx["code"], "satisfied": satisfied}
        return api.client.post(f"/v1/public/petitions/{ctx['number']}/evaluation", json=body)

    return send


EXTEND = {"action": "extend", "approved_by": "局长", "reason": "情况复杂"}
REPLY = {"action": "reply", "outcome": "explain", "opinion": "解释"}
REFUSED: dict[str, Send] = {
    # numbers as numbers
    "headcount-numeric-string": _register(headcount="5"),
    "headcount-true": _register(headcount=True),
    "headcount-float": _register(headcount=5.0),
    "representatives-numeric-string": _register(representatives="1"),
    "extend-days-numeric-string": _act({**EXTEND, "days": "5"}),
    "extend-days-true": _act({**EXTEND, "days": True}),
    "preview-period-days-string": _post(
        "/v1/rules/deadline-preview",
        {"rule": "route", "start_on": "2026-09-22", "period_days": "5"},
        "handler",
        "C1-ZJ",
    ),
    # flags as booleans
    "contact-unknown-string": _register(contact_unknown="true"),
    "new-facts-number": _register(new_facts=1),
    "evaluate-satisfied-string": _act({"action": "evaluate", "satisfied": "yes"}),
    "public-evaluation-satisfied-number": _public_evaluation(1),
    # times: RFC 3339 strings with an offset
    "received-at-epoch": _register(received_at=1790000000),
    "received-at-epoch-string": _register(received_at="1790000000"),
    "received-at-float": _register(received_at=1790000000.5),
    "received-at-no-seconds": _register(received_at="2026-09-20T09:00+08:00"),
    "received-at-day-only": _register(received_at="2026-09-20"),
    # (now, 2026-09-22T09:00:00+08:00, as seconds: a time the action would accept)
    "occurred-at-epoch": _act({"action": "hearing_start", "occurred_at": 1790038800}),
    # days: ISO dates
    # (2026-09-22T00:00:00Z as seconds: midnight, which a lax date takes for that day)
    "delivered-on-epoch": _act({**REPLY, "delivered_on": 1790035200}),
    "delivered-on-with-time": _act({**REPLY, "delivered_on": "2026-09-22T00:00:00+08:00"}),
    "redaction-before-number": _post("/v1/admin/redactions", {"before": 1788220800}, "admin", "P"),
    # received_at bounded below (the first rule set) and above (now)
    "received-at-before-2005": _register(received_at="2005-04-30T23:59:59+08:00"),
    "received-at-1990": _register(received_at="1990-01-01T09:00:00+08:00"),
    "received-at-a-minute-ahead": _register(received_at="2026-09-22T09:01:00+08:00"),
}

BOUNDS = ("received-at-before-2005", "received-at-1990", "received-at-a-minute-ahead")


def _context(api: Api) -> dict[str, Any]:
    registered = api.client.post(
        "/v1/petitions", json=petition_body(), headers=api.auth("registrar", "C1-XF")
    )
    assert registered.status_code == 201, registered.text
    case = registered.json()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    api.ok(case, "C1-ZJ", "accept")
    return {"handling": case["id"], "number": case["number"], "code": case["query_code"]}


def test_loose_types_are_refused_and_write_nothing(backend_api: Api) -> None:
    api = backend_api
    ctx = _context(api)
    for name, send in REFUSED.items():
        before = database_snapshot(api.container.db)
        response = send(api, ctx)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), name
        body = response.json()
        assert body["type"] == "https://petitionflow.dev/problems/validation-error", (name, body)
        assert database_snapshot(api.container.db) == before, f"{name} wrote to the database"
        if name in BOUNDS:
            assert body.get("field") == "received_at", (name, body)
    assert len(REFUSED) >= 20


ACCEPTED = {
    "first-day-of-the-2005-rules": "2005-05-01T00:00:00+08:00",
    "utc-designator": "2026-09-21T01:00:00Z",
    "fractional-seconds": "2026-09-21T01:00:00.123456+00:00",
    "lower-case-t-and-z": "2026-09-21t01:00:00z",
}


def test_well_typed_registrations_still_pass(backend_api: Api) -> None:
    api = backend_api
    for name, received_at in ACCEPTED.items():
        body = petition_body(received_at=received_at, headcount=5, contact_unknown=True)
        response = api.client.post(
            "/v1/petitions", json=body, headers=api.auth("registrar", "C1-XF")
        )
        assert response.status_code == 201, (name, response.text)
        assert response.json()["headcount"] == 5
    old = api.register(received_at=ACCEPTED["first-day-of-the-2005-rules"])
    assert old["rule_set"] == "xinfang-2005"


def test_the_engine_still_validates_python_values_and_json_strings() -> None:
    """The engine validates dicts (``decide``'s ``ACTION_ADAPTER.validate_python``) and
    Python callers pass dates and datetimes: both still parse; coercions do not."""
    from_json = ACTION_ADAPTER.validate_python(
        {"action": "deliver", "delivered_on": "2026-09-22", "method": "post"}
    )
    from_python = ACTION_ADAPTER.validate_python(
        {"action": "deliver", "delivered_on": date(2026, 9, 22), "method": "post"}
    )
    assert isinstance(from_json, Deliver) and from_json == from_python
    body = petition_body(received_at=datetime(2026, 9, 21, 1, tzinfo=UTC), headcount=3)
    assert Register.model_validate(body).headcount == 3
    for loose in ({"headcount": "3"}, {"received_at": 1790000000}):
        try:
            Register.model_validate(petition_body(**loose))
        except ValueError:
            continue
        raise AssertionError(f"accepted {loose}")
