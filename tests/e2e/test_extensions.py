"""Extensions over HTTP: days in total per rule set, approvals unlimited by the national text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Api, problem


def _handling(api: Api, bureau: str = "C1-XF", agency: str = "C1-ZJ") -> dict[str, Any]:
    case = api.register(bureau)
    api.ok(case, bureau, "classify", type="claim", route="petition")
    api.ok(case, bureau, "transfer", to_unit=agency, mode="transfer")
    return dict(api.ok(case, agency, "accept"))


def _extend(api: Api, case: dict[str, Any], unit: str, days: int) -> Any:
    return api.act(case, unit, "extend", days=days, approved_by="局长", reason="情况复杂")


def _handle(case: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in case["deadlines"] if d["rule"] == "handle")
    return found


def test_two_extensions_up_to_thirty_days_then_409(api: Api) -> None:
    # 《信访工作条例》第三十四条 “延长期限不得超过30日”: 20 + 10 days, then not one more.
    case = _handling(api)
    assert _extend(api, case, "C1-ZJ", 20).status_code == 200
    after = _extend(api, case, "C1-ZJ", 10)
    assert after.status_code == 200, after.text
    assert _handle(after.json())["extension_days"] == 30
    before = api.event_count()
    body = problem(_extend(api, case, "C1-ZJ", 1), 409, "extension-limit")
    assert body["article"] == "《信访工作条例》第三十四条"
    assert body["extended_days"] == 30 and "合计31日" in body["detail"]
    assert api.event_count() == before


def test_more_days_than_any_cap_is_422(api: Api) -> None:
    case = _handling(api)
    problem(_extend(api, case, "C1-ZJ", 366), 422, "validation-error")


ZHEJIANG = """
id = "xinfang-2022+zhejiang"
title = "信访工作条例（浙江省）"
units = ["ZJ"]

[rules.handle.extension]
max_total_days = 60
citation = { instrument = "浙江省信访条例", article = "第二十三条" }
"""
ZJ_UNITS = [
    {"code": "ZJ", "name": "浙江省人民政府", "level": "provincial", "kind": "government"},
    {"code": "ZJ-XF", "name": "浙江省信访局", "kind": "petition_bureau", "parent": "ZJ"},
    {"code": "ZJ-JS", "name": "浙江省住房和城乡建设厅", "kind": "agency", "parent": "ZJ"},
]


def test_an_overlay_raises_the_cap_under_its_province_only(
    make_api: Callable[..., Api], tmp_path: Path
) -> None:
    overlay = tmp_path / "zhejiang.toml"
    overlay.write_text(ZHEJIANG, encoding="utf-8")
    api = make_api(rule_overlays=[overlay])
    for unit in ZJ_UNITS:
        body = {"level": "provincial", "parent": None, **unit}
        response = api.client.post("/v1/units", json=body, headers=api.auth("admin", "ROOT"))
        assert response.status_code == 201, response.text
    local = _handling(api, "ZJ-XF", "ZJ-JS")
    handle = _handle(local)
    assert handle["rule_set"] == "xinfang-2022+zhejiang"
    assert handle["explanation"][0] == (
        "适用规则：信访工作条例（浙江省）（xinfang-2022+zhejiang），因责任单位 ZJ-JS 属于 ZJ 辖区"
    )
    assert _extend(api, local, "ZJ-JS", 60).status_code == 200
    body = problem(_extend(api, local, "ZJ-JS", 1), 409, "extension-limit")
    assert body["article"] == "《浙江省信访条例》第二十三条"
    elsewhere = _handling(api)
    assert _handle(elsewhere)["rule_set"] == "xinfang-2022"
    problem(_extend(api, elsewhere, "C1-ZJ", 31), 409, "extension-limit")
