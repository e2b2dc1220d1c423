"""Accusations are confidential (《信访工作条例》第三十条第三款) over HTTP.

“不得将信访人的检举、揭发材料以及有关情况透露或者转给被检举、揭发的人员或者单位”: an
accusation is never transferred to a unit it accuses or to one below it (409
``confidentiality``), and every role at such a unit sees the petitioner's identity
withheld, names included, in every response that could show it.
"""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Api, problem
from tests.e2e.test_console import sign_in

ART_30_3 = "《信访工作条例》第三十条第三款"
# The printable dossier's note that the identity is withheld under that article.
NOTE = 'id="confidential"'
# The petitioner of tests.support.petition_body, whole and as partly masked for supervisors.
IDENTITY = ("张三", "110101199001011234", "13800000000", "甲市某路1号")
PARTLY_MASKED = ("1101**********1234", "138****0000")
WITHHELD = {
    "ref": "p1",
    "name": "***",
    "id_number": "***",
    "phone": "***",
    "address": "***",
    "masked": True,
    "redacted": False,
    "confidential": True,
}
FULL = {
    "ref": "p1",
    "name": "张三",
    "id_number": "110101199001011234",
    "phone": "13800000000",
    "address": "甲市某路1号",
    "masked": False,
    "redacted": False,
    "confidential": False,
}
PARTLY = {
    **FULL,
    "id_number": PARTLY_MASKED[0],
    "phone": PARTLY_MASKED[1],
    "address": "***",
    "masked": True,
}


def _petitioner(api: Api, pid: str, role: str, unit: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/petitions/{pid}", headers=api.auth(role, unit))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["petitioners"][0]
    return found


def _no_identity(text: str, where: str) -> None:
    for secret in IDENTITY + PARTLY_MASKED:
        assert secret not in text, f"{secret} shown in {where}"


def accusation_against_the_county(api: Api) -> dict[str, Any]:
    """A county bureau registers an accusation against its own county government (K1) and
    sends it up to the city's housing bureau: K1 and everything below it is accused."""
    case = api.register("K1-XF", accused_units=["K1"])
    assert case["accused_units"] == ["K1"]
    api.ok(case, "K1-XF", "classify", type="accusation", route="petition")
    return api.ok(case, "K1-XF", "transfer", to_unit="C1-ZJ")  # type: ignore[no-any-return]


def test_transfer_to_the_accused_unit_or_below_is_409_confidentiality_and_writes_nothing(
    api: Api,
) -> None:
    case = api.register("C1-XF", accused_units=["K1"])
    api.ok(case, "C1-XF", "classify", type="accusation", route="petition")
    before = api.event_count()
    for to_unit, extra in (
        ("K1", {}),
        ("K1-ZJ", {}),
        ("K1-XF", {"mode": "assign", "feedback_days": 10}),
    ):
        body = problem(
            api.act(case, "C1-XF", "transfer", to_unit=to_unit, **extra), 409, "confidentiality"
        )
        assert body["title"] == "The matter is confidential toward that unit"
        assert body["article"] == ART_30_3 and body["rule"] == "confidentiality"
        assert body["field"] == "to_unit" and body["accused_unit"] == "K1"
    assert api.event_count() == before
    shown = api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("handler", "C1-XF"))
    assert shown.json()["state"] == "classified" and shown.json()["holder_unit"] == "C1-XF"
    moved = api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ")
    assert moved["holder_unit"] == "C1-ZJ"
    # The OpenAPI document lists the problem among the 409s.
    spec = api.client.get("/openapi.json").json()
    conflict = spec["paths"]["/v1/petitions/{petition_id}/actions"]["post"]["responses"]["409"]
    assert "confidentiality" in conflict["description"]


def test_registration_validates_accused_units(api: Api) -> None:
    for units, reason in ((["K1", "NOPE"], "unknown"), (["K 1"], "pattern")):
        response = api.client.post(
            "/v1/petitions",
            json={**_body(), "accused_units": units},
            headers=api.auth("registrar", "C1-XF"),
        )
        body = problem(response, 422, "validation-error")
        assert "accused_units" in json.dumps(body), reason


def _body() -> dict[str, Any]:
    from tests.support import petition_body

    return petition_body()


def test_every_role_at_an_accused_unit_or_below_sees_the_identity_withheld(api: Api) -> None:
    case = accusation_against_the_county(api)
    pid = case["id"]
    # At the accused unit (K1) and below it (its bureau K1-XF, where it was registered).
    accused = [
        ("supervisor", "K1"),
        ("auditor", "K1"),
        ("handler", "K1-XF"),
        ("registrar", "K1-XF"),
        ("supervisor", "K1-XF"),
        ("auditor", "K1-XF"),
    ]
    for role, unit in accused:
        where = f"{role}@{unit}"
        assert _petitioner(api, pid, role, unit) == WITHHELD, where
        headers = api.auth(role, unit)
        listed = api.client.get("/v1/petitions", headers=headers).json()["items"]
        assert [p["petitioners"][0] for p in listed if p["id"] == pid] == [WITHHELD], where
        dossier = api.client.get(f"/v1/petitions/{pid}/dossier", headers=headers)
        assert dossier.status_code == 200 and dossier.json()["petitioners"] == [WITHHELD], where
        page = api.client.get(f"/v1/petitions/{pid}/dossier?format=html", headers=headers)
        assert page.status_code == 200 and NOTE in page.text, where
        _no_identity(page.text, f"dossier page for {where}")
        for path in (f"/v1/petitions/{pid}/history", f"/v1/petitions/{pid}/replay"):
            response = api.client.get(path, headers=headers)
            assert response.status_code == 200, (path, where)
            _no_identity(response.text, f"{path} for {where}")
        feed = api.client.get("/v1/events", headers=headers)
        assert pid in {e["case_id"] for e in feed.json()["items"]}, where
        _no_identity(feed.text, f"feed for {where}")
    for role, unit in (("supervisor", "K1"), ("handler", "K1-XF"), ("auditor", "K1-XF")):
        sign_in(api, role, unit)
        for suffix in ("", "/dossier"):
            page = api.client.get(f"/console/petitions/{pid}{suffix}")
            assert page.status_code == 200, (suffix, role, unit)
            _no_identity(page.text, f"console {suffix or 'timeline'} for {role}@{unit}")
        assert NOTE in api.client.get(f"/console/petitions/{pid}/dossier").text


def test_other_units_see_what_they_saw_before(api: Api) -> None:
    case = accusation_against_the_county(api)
    pid = case["id"]
    assert _petitioner(api, pid, "handler", "C1-ZJ") == FULL  # the holder, not accused
    for role, unit in (("supervisor", "C1"), ("auditor", "C1"), ("auditor", "P")):
        assert _petitioner(api, pid, role, unit) == PARTLY, f"{role}@{unit}"
    dossier = api.client.get(f"/v1/petitions/{pid}/dossier", headers=api.auth("handler", "C1-ZJ"))
    assert dossier.json()["petitioners"] == [FULL]
    page = api.client.get(
        f"/v1/petitions/{pid}/dossier?format=html", headers=api.auth("auditor", "C1")
    )
    assert "张三" in page.text and NOTE not in page.text


def test_accused_units_bind_from_registration_until_classified_otherwise(api: Api) -> None:
    # Unclassified, a matter naming accused units is treated as an accusation: the
    # registrar below the accused unit gets its own 201 with the identity withheld.
    case = api.register("K1-XF", accused_units=["K1"])
    assert case["petitioners"] == [WITHHELD]
    assert _petitioner(api, case["id"], "handler", "K1-XF") == WITHHELD
    # Classified a claim, the names bind nothing: the holder sees its petitioner.
    api.ok(case, "K1-XF", "classify", type="claim", route="petition")
    assert _petitioner(api, case["id"], "handler", "K1-XF") == FULL
    assert api.ok(case, "K1-XF", "transfer", to_unit="K1-ZJ")["holder_unit"] == "K1-ZJ"


def test_an_organ_that_finds_it_holds_an_accusation_against_itself_sees_it_withheld(
    api: Api,
) -> None:
    case = api.register("C1-XF", accused_units=["C1-ZJ"])
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ")
    assert _petitioner(api, case["id"], "handler", "C1-ZJ") == FULL
    api.ok(case, "C1-ZJ", "classify", type="accusation", route="petition")
    assert _petitioner(api, case["id"], "handler", "C1-ZJ") == WITHHELD
    assert _petitioner(api, case["id"], "handler", "C1-XF") == FULL
