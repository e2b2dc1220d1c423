"""The whole lifecycle of API.md through HTTP, then history, replay and verification."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from rules.time import local_date
from tests.e2e.conftest import Api


def test_full_lifecycle_over_http(api: Api) -> None:
    created = api.client.post(
        "/v1/petitions",
        json={
            "channel": "letter",
            "received_at": "2026-09-22T09:00:00+08:00",
            "petitioners": [{"name": "张三", "id_number": "110101199001011234"}],
            "subject": "房屋漏水维修",
            "content": "小区房屋漏水，物业不予维修。",
        },
        headers=api.auth("registrar", "C1-XF"),
    )
    assert created.status_code == 201
    case = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/v1/petitions/{case['id']}"
    assert case["state"] == "registered" and case["rule_set"] == "xinfang-2022"
    route = next(d for d in case["deadlines"] if d["rule"] == "route")
    assert route["due_on"] == "2026-10-08" and route["status"] == "pending"
    assert "classify" in case["allowed_actions"]

    api.clock.advance(days=1)
    case = api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    assert case["state"] == "classified"
    case = api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    assert (case["state"], case["holder_unit"]) == ("transferred", "C1-ZJ")
    case = api.ok(case, "C1-ZJ", "accept")
    assert case["state"] == "handling"
    case = api.ok(case, "C1-ZJ", "extend", days=15, approved_by="局长", reason="情况复杂")
    api.clock.advance(days=10)
    case = api.ok(
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on="2026-10-03",
    )
    assert case["state"] == "replied"
    case = api.ok(case, "C1", "request_review", received_on="2026-10-03")
    assert (case["state"], case["holder_unit"]) == ("under_review", "C1")
    today = local_date(api.clock.now()).isoformat()
    case = api.ok(case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=today)
    assert case["state"] == "review_replied"
    case = api.ok(case, "P", "request_re_review", received_on=case["review"]["delivered_on"])
    assert (case["state"], case["holder_unit"]) == ("under_re_review", "P")
    case = api.ok(case, "P", "re_review_decide", outcome="uphold", opinion="维持")
    assert case["state"] == "concluded"
    case = api.ok(case, "C1-XF", "evaluate", satisfied=True)
    assert case["evaluations"] and case["version"] == 11

    got = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("handler", "C1-ZJ"))
    assert got.status_code == 200 and got.headers["ETag"] == '"11"'

    history = api.client.get(
        f"/v1/petitions/{case['id']}/history", headers=api.auth("auditor", "P")
    ).json()["items"]
    assert [e["seq"] for e in history] == list(range(1, 12))
    assert history[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(history))
    assert {"type", "occurred_at", "recorded_at", "actor", "unit", "payload"} <= history[1].keys()

    replay = api.client.get(
        f"/v1/petitions/{case['id']}/replay",
        params={"as_of": "2026-09-22T10:00:00+08:00"},
        headers=api.auth("auditor", "P"),
    ).json()
    assert replay["state"] == "registered" and replay["matches_projection"] is True
    now = api.client.get(
        f"/v1/petitions/{case['id']}/replay", headers=api.auth("auditor", "P")
    ).json()
    assert now["state"] == "concluded" and now["holder_unit"] == "P"

    verify = api.client.get("/v1/audit/verify", headers=api.auth("auditor", "P")).json()
    assert verify == {
        "ok": True,
        "cases": 1,
        "events": 11,
        "first_broken": None,
        "anchors": 0,
        "anchored_until": None,
        "projection_findings": None,  # only with projections=true
    }


def test_verify_reports_the_first_broken_link(api: Api) -> None:
    from sqlalchemy import update

    from workflow.adapters.repository import EVENTS

    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    with api.container.db.write() as conn:
        conn.execute(
            update(EVENTS)
            .where(EVENTS.c.case_id == case["id"], EVENTS.c.seq == 2)
            .values(payload={"tampered": True})
        )
    body = api.client.get("/v1/audit/verify", headers=api.auth("admin", "P")).json()
    assert body["ok"] is False
    assert body["first_broken"]["case_id"] == case["id"] and body["first_broken"]["seq"] == 2


def test_rules_statechart_and_preview(api: Api) -> None:
    h = api.auth("handler", "C1-ZJ")
    rule_sets = api.client.get("/v1/rules", headers=h).json()
    ids = {rs["id"] for rs in rule_sets}
    assert "xinfang-2022" in ids
    handle = next(
        r
        for rs in rule_sets
        if rs["id"] == "xinfang-2022"
        for r in rs["rules"]
        if r["id"] == "handle"
    )
    assert handle["period_days"] == 60 and handle["article"]
    preview = api.client.post(
        "/v1/rules/deadline-preview", json={"rule": "route", "start_on": "2026-09-22"}, headers=h
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["due_on"] == "2026-10-08" and preview.json()["days"]
    chart = api.client.get("/v1/statechart", headers=h).json()
    assert chart["initial"] == "registered"
    diagram = api.client.get("/v1/statechart/diagram?state=handling", headers=h)
    assert diagram.headers["content-type"].startswith("text/plain")
    assert "class handling current" in diagram.text
    case = api.register()
    by_petition = api.client.get(
        f"/v1/statechart/diagram?petition={case['id']}", headers=api.auth("registrar", "C1-XF")
    )
    assert "class registered current" in by_petition.text


def test_ops_endpoints(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {
        "status": "ok",
        "database": True,
        "scheduler": "disabled",
    }
    api.register()
    response = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert api.client.get("/healthz").headers["X-Request-ID"]
    metrics = api.client.get("/metrics").text
    assert "petitionflow_http_requests_total" in metrics
    assert "/openapi.json" not in str(
        api.client.get("/openapi.json").json()["paths"].get("/metrics")
    )
    assert "/metrics" not in api.client.get("/openapi.json").json()["paths"]


def test_simulated_clock_route_exists_only_when_simulated(make_api: Any) -> None:
    plain = make_api(units=False)
    headers = plain.auth("admin", "P")
    absent = plain.client.post("/v1/admin/clock", json={"advance_days": 1}, headers=headers)
    assert absent.status_code == 404
    sim = make_api(units=False, clock="simulated")
    before = sim.clock.now()
    moved = sim.client.post("/v1/admin/clock", json={"advance_days": 2}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert sim.clock.now() - before == timedelta(days=2)
    back = sim.client.post("/v1/admin/clock", json={"now": "2020-01-01T00:00:00Z"}, headers=headers)
    assert back.status_code == 422
    refused = sim.client.post(
        "/v1/admin/clock", json={"advance_days": 1}, headers=sim.auth("handler", "P")
    )
    assert refused.status_code == 403


def test_advancing_the_simulated_clock_fires_what_fell_due(make_api: Any) -> None:
    sim = make_api(clock="simulated")
    petition = sim.register()  # received 2026-09-22: routing due 2026-10-08 (国庆 roll-forward)
    admin = sim.auth("admin", "P")
    early = sim.client.post(
        "/v1/admin/clock", json={"now": "2026-10-08T23:59:00+08:00"}, headers=admin
    )
    assert early.status_code == 200, early.text
    assert early.json()["fired"] == 1  # only the warning, three days before
    reader = sim.auth("handler", "C1-XF")
    assert (
        sim.client.get(f"/v1/petitions/{petition['id']}", headers=reader).json()["overdue"] is False
    )
    late = sim.client.post(
        "/v1/admin/clock", json={"now": "2026-10-09T00:00:00+08:00"}, headers=admin
    )
    assert late.json()["fired"] == 1  # the breach, at 24:00 of the due day
    body = sim.client.get(f"/v1/petitions/{petition['id']}", headers=reader).json()
    assert body["overdue"] is True
    assert body["state"] == "registered"  # a breach flags, it does not move the matter


def test_readyz_reports_a_running_scheduler(make_api: Any) -> None:
    live = make_api(units=False, scheduler=True)
    assert live.client.get("/readyz").json()["scheduler"] == "running"


def test_demo_data_loads_once(api: Api, tmp_path: Any) -> None:
    from sqlalchemy import select

    from api.demo import load_demo
    from workflow.adapters.repository import CASES
    from workflow.runtime.bootstrap import bootstrap
    from workflow.runtime.config import Settings

    container = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}"), clock=api.clock
    )
    assert load_demo(container) is True
    assert load_demo(container) is False
    with container.db.read() as conn:
        states = set(conn.execute(select(CASES.c.state)).scalars())
    assert {"registered", "classified", "handling", "replied", "diverted"} <= states
    container.db.dispose()
