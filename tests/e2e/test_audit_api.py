"""Audit over HTTP: verify reports tampering; the dossier (JSON and page); redaction."""

from __future__ import annotations

from sqlalchemy import text

from tests.e2e.conftest import Api, problem
from workflow.audit import anchors


def _lifecycle(api: Api) -> dict[str, object]:
    petition = api.register()
    api.ok(petition, "C1-XF", "classify", type="claim", route="petition")
    api.ok(petition, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign", feedback_days=10)
    api.ok(petition, "C1-ZJ", "accept")
    return petition  # type: ignore[no-any-return]


def test_verify_reports_ok_then_the_first_broken_link(api: Api) -> None:
    petition = _lifecycle(api)
    auditor = api.auth("auditor", "P")
    body = api.client.get("/v1/audit/verify", headers=auditor).json()
    assert body["ok"] and body["cases"] == 1 and body["events"] == 4
    assert body["first_broken"] is None and body["anchors"] == 0
    api.clock.advance(days=2)
    assert anchors.create_due(api.container.db, api.clock.now())
    body = api.client.get("/v1/audit/verify", headers=auditor).json()
    assert body["ok"] and body["anchors"] == 2 and body["anchored_until"] == "2026-09-23"

    with api.container.db.write() as conn:
        conn.execute(
            text("DELETE FROM events WHERE case_id = :c AND seq = 4"), {"c": petition["id"]}
        )
    body = api.client.get("/v1/audit/verify", headers=auditor).json()
    assert not body["ok"]
    assert body["first_broken"]["case_id"] == petition["id"]
    assert body["first_broken"]["seq"] == 4
    problem(
        api.client.get("/v1/audit/verify", headers=api.auth("handler", "C1-XF")), 403, "forbidden"
    )


def test_the_dossier_as_json_and_as_a_printable_page(api: Api) -> None:
    petition = _lifecycle(api)
    url = f"/v1/petitions/{petition['id']}/dossier"
    handler = api.client.get(url, headers=api.auth("handler", "C1-ZJ")).json()
    assert handler["petition"]["number"] == petition["number"]
    assert handler["petitioners"][0]["name"] == "张三"
    assert handler["petitioners"][0]["id_number"] == "110101199001011234"
    assert [t["to_unit"] for t in handler["transfers"]] == ["C1-ZJ"]
    assert handler["deadlines"] and all(d["explanation"] for d in handler["deadlines"])
    assert [e["type"] for e in handler["timeline"]] == [
        "registered",
        "classified",
        "transferred",
        "accepted",
    ]
    assert handler["integrity"]["ok"] and handler["supervision"] == []

    auditor = api.client.get(url, headers=api.auth("auditor", "C1")).json()
    assert auditor["petitioners"][0]["masked"]
    assert auditor["petitioners"][0]["id_number"] != "110101199001011234"

    page = api.client.get(url, headers=api.auth("auditor", "C1", Accept="text/html"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "信访事项案卷" in page.text and petition["number"] in page.text
    assert "甲市住房和城乡建设局" in page.text and "110101199001011234" not in page.text
    assert "2026-09-22 09:00" in page.text  # Asia/Shanghai wall-clock time
    same = api.client.get(url + "?format=html", headers=api.auth("auditor", "C1"))
    assert same.headers["content-type"].startswith("text/html")

    problem(api.client.get(url, headers=api.auth("auditor", "C2")), 404, "not-found")
    problem(api.client.get(url, headers=api.auth("handler", "C2-XF")), 404, "not-found")


def test_admin_redaction_erases_the_data_and_the_chain_still_verifies(api: Api) -> None:
    petition = _lifecycle(api)
    body = {"case_id": petition["id"]}
    problem(
        api.client.post("/v1/admin/redactions", json=body, headers=api.auth("auditor", "P")),
        403,
        "forbidden",
    )
    problem(
        api.client.post("/v1/admin/redactions", json={}, headers=api.auth("admin", "ROOT")),
        422,
        "validation-error",
    )
    problem(
        api.client.post(
            "/v1/admin/redactions", json={"case_id": "nope"}, headers=api.auth("admin", "ROOT")
        ),
        404,
        "not-found",
    )
    done = api.client.post("/v1/admin/redactions", json=body, headers=api.auth("admin", "ROOT"))
    assert done.status_code == 200, done.text
    assert done.json()["items"] == [{"case_id": petition["id"], "refs": ["p1"], "seq": 5}]

    with api.container.db.read() as conn:
        data = conn.execute(
            text("SELECT data, redacted_at FROM personal_data WHERE case_id = :c"),
            {"c": petition["id"]},
        ).one()
    assert data[0] is None and data[1] is not None

    shown = api.client.get(
        f"/v1/petitions/{petition['id']}", headers=api.auth("handler", "C1-ZJ")
    ).json()
    assert shown["petitioners"] == [
        {
            "ref": "p1",
            "name": None,
            "id_number": None,
            "phone": None,
            "address": None,
            "masked": False,
            "redacted": True,
            "confidential": False,
        }
    ]
    page = api.client.get(
        f"/v1/petitions/{petition['id']}/dossier?format=html", headers=api.auth("admin", "ROOT")
    )
    assert "个人信息已依法删除" in page.text and "张三" not in page.text
    history = api.client.get(
        f"/v1/petitions/{petition['id']}/history", headers=api.auth("auditor", "C1")
    ).json()
    assert history["items"][-1]["type"] == "personal_data_redacted"
    verify = api.client.get("/v1/audit/verify", headers=api.auth("auditor", "P")).json()
    assert verify["ok"] and verify["events"] == 5
