"""Extensions capped in days over the handling, and overlays that govern a province's subtree.

《信访工作条例》第三十四条 “延长期限不得超过30日” caps the days in total; the number of
approvals is not limited unless an overlay says so. 《浙江省信访条例》(2016) 第二十三条
gives 30 days and “延长期限不得超过六十日”: that overlay governs the matters whose
responsible unit lies under ZJ, and no other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rules import RuleViolation
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected
from workflow.runtime.bootstrap import Container

# A second province beside the support tree's P: ZJ, its city ZJ-HZ with a bureau and
# a housing agency.
ZJ_UNITS: list[dict[str, Any]] = [
    {
        "code": "ZJ",
        "name": "浙江省人民政府",
        "level": "provincial",
        "kind": "government",
        "parent": None,
    },
    {
        "code": "ZJ-HZ",
        "name": "杭州市人民政府",
        "level": "municipal",
        "kind": "government",
        "parent": "ZJ",
    },
    {
        "code": "ZJ-HZ-XF",
        "name": "杭州市信访局",
        "level": "municipal",
        "kind": "petition_bureau",
        "parent": "ZJ-HZ",
    },
    {
        "code": "ZJ-HZ-ZJ",
        "name": "杭州市住房保障和房产管理局",
        "level": "municipal",
        "kind": "agency",
        "parent": "ZJ-HZ",
    },
]

ZJ_23 = '{ instrument = "浙江省信访条例", article = "第二十三条" }'
ZHEJIANG = f"""
id = "xinfang-2022+zhejiang"
title = "信访工作条例（浙江省）"
base = "xinfang-2022"
units = ["ZJ"]

[rules.handle]
period_days = 30
citation = {ZJ_23}

[rules.handle.extension]
max_total_days = 60
citation = {ZJ_23}
"""
# Policy of a hypothetical overlay: one approval only, the national 30 days.
ONCE = """
id = "xinfang-2022+once"
units = ["ZJ"]

[rules.handle.extension]
max_times = 1
citation = { instrument = "某省信访条例", article = "第十条" }
"""
ZHEJIANG_2005 = ZHEJIANG.replace("xinfang-2022", "xinfang-2005")

NATIONAL = ("C1-XF", "C1-ZJ")
UNDER_ZJ = ("ZJ-HZ-XF", "ZJ-HZ-ZJ")


def container(tmp_path: Path, *overlays: str, start: str = "2026-09-22 09:00") -> Container:
    paths = []
    for index, text in enumerate(overlays):
        path = tmp_path / f"overlay{index}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    c = make_container(tmp_path, at(start), rule_overlays=paths)
    with c.db.write() as conn:
        for unit in ZJ_UNITS:
            c.units.create(conn, unit)
    return c


def handling(c: Container, units: tuple[str, str]) -> Case:
    bureau, agency = units
    case = register(c, bureau)
    act(c, case, bureau, "classify", type="claim", route="petition")
    act(c, case, bureau, "transfer", to_unit=agency, mode="transfer")
    return act(c, case, agency, "accept")


def extend(c: Container, case: Case, unit: str, days: int) -> Case:
    return act(c, case, unit, "extend", days=days, approved_by="局长", reason="情况复杂")


# (overlays, where the matter is handled, extensions in days and whether each is granted)
EXTENSIONS: list[tuple[tuple[str, ...], tuple[str, str], list[tuple[int, bool]]]] = [
    # 第三十四条: 20 + 10 = 30 in total, any number of approvals; one day more is refused.
    ((), NATIONAL, [(20, True), (10, True), (1, False)]),
    # 浙江 第二十三条: up to 60 in total under ZJ.
    ((ZHEJIANG,), UNDER_ZJ, [(40, True), (20, True), (1, False)]),
    # The same deployment outside ZJ: 第三十四条's 30 days still.
    ((ZHEJIANG,), NATIONAL, [(31, False), (30, True), (1, False)]),
    # An overlay limiting approvals to one: a second is refused, however few its days.
    ((ONCE,), UNDER_ZJ, [(10, True), (5, False)]),
    # Outside that overlay's units: approvals are not limited.
    ((ONCE,), NATIONAL, [(10, True), (5, True), (15, True)]),
]


@pytest.mark.parametrize(("overlays", "units", "steps"), EXTENSIONS)
def test_extensions(
    tmp_path: Path,
    overlays: tuple[str, ...],
    units: tuple[str, str],
    steps: list[tuple[int, bool]],
) -> None:
    c = container(tmp_path, *overlays)
    case = handling(c, units)
    agency, granted = units[1], 0
    for days, ok in steps:
        if ok:
            case = extend(c, case, agency, days)
            granted += days
            continue
        with pytest.raises(GuardRejected) as caught:
            extend(c, case, agency, days)
        assert (caught.value.problem, caught.value.status) == ("extension-limit", 409)
        assert caught.value.context["extended_days"] == granted
    handle = case.latest("handle")
    assert handle is not None
    assert (handle.extension_days, handle.times_extended) == (granted, sum(ok for _, ok in steps))
    assert c.petitions.replay(case.id).matches_projection


def test_zhejiang_governs_its_subtree_and_cites_its_article(tmp_path: Path) -> None:
    c = container(tmp_path, ZHEJIANG)
    local, national = handling(c, UNDER_ZJ), handling(c, NATIONAL)
    zj, other = local.latest("handle"), national.latest("handle")
    assert zj is not None and other is not None
    assert (zj.rule_set, zj.period_days, zj.article) == (
        "xinfang-2022+zhejiang",
        30,
        "《浙江省信访条例》第二十三条",
    )
    assert (other.rule_set, other.period_days) == ("xinfang-2022", 60)
    # Every clock of the ZJ matter runs under the overlay, its registration's included.
    assert {d.rule_set for d in local.deadlines} == {"xinfang-2022+zhejiang"}
    with pytest.raises(GuardRejected) as caught:
        extend(c, local, "ZJ-HZ-ZJ", 61)
    assert caught.value.article == "《浙江省信访条例》第二十三条"
    assert "超过60日" in caught.value.detail


def test_the_explanation_names_the_chosen_rule_set(tmp_path: Path) -> None:
    c = container(tmp_path, ZHEJIANG)
    local, national = handling(c, UNDER_ZJ), handling(c, NATIONAL)
    zj, other = local.latest("handle"), national.latest("handle")
    assert zj is not None and other is not None
    assert zj.explanation[0] == (
        "适用规则：信访工作条例（浙江省）（xinfang-2022+zhejiang），"
        "因责任单位 ZJ-HZ-ZJ 属于 ZJ 辖区"
    )
    assert other.explanation[0] == (
        "适用规则：信访工作条例（2022）（xinfang-2022），按起算日 2026-09-22 施行的版本"
    )
    assert other.explanation[1].startswith("《信访工作条例》第三十四条（申诉求决类事项办结）")
    # An extension recomputes the due date under the recorded rule set, with the same reason.
    extended = extend(c, local, "ZJ-HZ-ZJ", 45).latest("handle")
    assert extended is not None and extended.explanation[0] == zj.explanation[0]
    assert "经批准延长45日" in extended.explanation[1]


def test_a_2005_overlay_governs_a_2005_matter_under_its_units(tmp_path: Path) -> None:
    c = container(tmp_path, ZHEJIANG_2005, start="2021-03-01 09:00")
    local, national = handling(c, UNDER_ZJ), handling(c, NATIONAL)
    zj, other = local.latest("handle"), national.latest("handle")
    assert zj is not None and other is not None
    assert (zj.rule_set, zj.period_days) == ("xinfang-2005+zhejiang", 30)
    assert (other.rule_set, other.article) == ("xinfang-2005", "《信访条例》第三十三条")
    assert local.latest("object") is None  # the 2005 regulation has no objection window
    extend(c, local, "ZJ-HZ-ZJ", 60)
    with pytest.raises(GuardRejected):
        extend(c, national, "C1-ZJ", 31)  # 2005 第三十三条: 30 days in total


# (overlay text, message) — a bad overlay stops the start and names its file
BAD_OVERLAYS = [
    (ZHEJIANG.replace('base = "xinfang-2022"', 'base = "xinfang-1995"'), "unknown rule set"),
    (ZHEJIANG + '\nprovince = "ZJ"\n', "unknown key(s) ['province']"),
    (ZHEJIANG.replace("max_total_days = 60", "max_days = 60"), "unknown key(s) ['max_days']"),
]


@pytest.mark.parametrize(("text", "message"), BAD_OVERLAYS)
def test_a_bad_overlay_is_refused_at_start(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        container(tmp_path, text)
    assert caught.value.rule_id == "overlay-invalid"
    assert message in caught.value.reason and "overlay0.toml" in caught.value.reason
