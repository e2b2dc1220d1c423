"""Contract 1.1, "Dates that decide rights", as other systems meet it: over HTTP and in
the served OpenAPI document."""

from __future__ import annotations

from typing import Any

from rules.time import local_date
from tests.e2e.conftest import Api, problem


def _schemas(api: Api) -> dict[str, Any]:
    spec = api.client.get("/openapi.json").json()
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def test_the_served_spec_carries_delivery_and_notices(api: Api) -> None:
    schemas = _schemas(api)
    assert {"Deliver", "Notify", "DeliveryMethod", "NoticeKind"} <= set(schemas)
    deliver = schemas["Deliver"]
    assert set(deliver["required"]) >= {"action", "delivered_on", "method"}
    assert "送达" in deliver["properties"]["delivered_on"]["description"]
    assert set(schemas["DeliveryMethod"]["enum"]) == {
        "in_person",
        "post",
        "electronic",
        "announcement",
    }
    assert set(schemas["NoticeKind"]["enum"]) == {"receipt", "acceptance", "extension", "other"}
    assert "contact_unknown" in schemas["Register"]["properties"]
    for action in ("Accept", "Object", "Decline", "Notify"):
        assert "received_on" in schemas[action]["properties"], action
    out = schemas["PetitionOut"]["properties"]
    assert {"awaiting_delivery", "notices", "contact_unknown", "transfer_received_on"} <= set(out)


def test_a_reply_delivered_later_over_http(api: Api) -> None:
    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ")
    api.ok(case, "C1-ZJ", "accept")
    case = api.ok(case, "C1-ZJ", "notify", kind="acceptance", method="post")
    assert case["notices"][0]["kind"] == "acceptance"
    api.clock.advance(days=3)
    today = local_date(api.clock.now())
    case = api.ok(case, "C1-ZJ", "reply", outcome="explain", opinion="解释说明")
    assert case["awaiting_delivery"] == "reply" and "deliver" in case["allowed_actions"]
    assert not [d for d in case["deadlines"] if d["rule"] == "review_request"]
    early = api.act(case, "C1-ZJ", "deliver", delivered_on="2020-01-01", method="post")
    assert problem(early, 422, "validation-error")["field"] == "delivered_on"
    case = api.ok(case, "C1-ZJ", "deliver", delivered_on=today.isoformat(), method="post")
    assert case["awaiting_delivery"] is None
    (window,) = [d for d in case["deadlines"] if d["rule"] == "review_request"]
    assert window["starts_on"] > today.isoformat() and window["status"] == "pending"
