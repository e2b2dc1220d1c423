"""Overlays: extension caps, a national base of either year, and the units they govern."""

from __future__ import annotations

from datetime import date

import pytest

from rules import (
    AmbiguousRuleSet,
    RuleBook,
    RuleViolation,
    apply_overlay,
    check_extension,
    compute_due,
    default_calendar,
    default_rule_book,
    load_overlay,
)
from rules.due_dates import DueDate

BOOK = default_rule_book()
R2005, R2022 = BOOK.get("xinfang-2005"), BOOK.get("xinfang-2022")
ZJ_23 = {"instrument": "浙江省信访条例", "article": "第二十三条"}
SOMEWHERE = {"instrument": "某省信访条例", "article": "第十条"}

# 《浙江省信访条例》(2016) 第二十三条: 30 days, “延长期限不得超过六十日”.
ZHEJIANG: dict[str, object] = {
    "id": "xinfang-2022+zhejiang",
    "title": "信访工作条例（浙江省）",
    "units": ["ZJ"],
    "rules": {
        "handle": {
            "period_days": 30,
            "citation": ZJ_23,
            "extension": {"max_total_days": 60, "citation": ZJ_23},
        }
    },
}
# A policy choice of a hypothetical province: one approval only (a text that says 一次).
ONCE: dict[str, object] = {
    "id": "xinfang-2022+once",
    "units": ["ONCE"],
    "rules": {"handle": {"extension": {"max_times": 1, "citation": SOMEWHERE}}},
}
ZJ_PATH = ("ZJ", "ZJ-HZ", "ZJ-HZ-ZJ")


def book_with(*overlays: dict[str, object]) -> RuleBook:
    return RuleBook([*BOOK.all, *(load_overlay(BOOK, overlay) for overlay in overlays)])


# --- extensions --------------------------------------------------------------------------------

# (rule set, already extended, times, requested, ok) — the cap is on days in total
EXTENSIONS = [
    ("national", 20, 1, 10, True),  # 第三十四条: 20 + 10 = 30
    ("national", 30, 2, 1, False),  # 第三十四条: 31 in total
    ("zhejiang", 40, 1, 20, True),  # 浙江 第二十三条: 60 in total
    ("zhejiang", 60, 2, 1, False),  # 浙江 第二十三条: 61 in total
    ("once", 0, 0, 30, True),  # the overlay: the first approval, up to the national 30 days
    ("once", 10, 1, 5, False),  # the overlay: no second approval
]


@pytest.mark.parametrize(("which", "already", "times", "days", "ok"), EXTENSIONS)
def test_extension_caps(which: str, already: int, times: int, days: int, ok: bool) -> None:
    rule_set = {
        "national": R2022,
        "zhejiang": load_overlay(BOOK, ZHEJIANG),
        "once": load_overlay(BOOK, ONCE),
    }[which]
    verdict = check_extension(rule_set.rule("handle"), already, times, days)
    assert verdict.ok is ok and verdict.rule_id == "extension-limit", verdict.reason


def test_zhejiang_extension_cites_its_own_article() -> None:
    rule = load_overlay(BOOK, ZHEJIANG).rule("handle")
    assert rule.extension is not None
    assert (rule.period_days, rule.extension.max_total_days, rule.extension.max_times) == (
        30,
        60,
        None,
    )
    assert str(rule.extension.citation) == "《浙江省信访条例》第二十三条"
    assert rule.extension.requires_approval
    assert "合计不超过60日" in rule.notes and "批准次数不限" in rule.notes
    refused = check_extension(rule, 60, 2, 1)
    assert str(refused.citation) == "《浙江省信访条例》第二十三条"
    assert "合计61日" in refused.reason and "超过60日" in refused.reason


def test_an_extension_only_change_keeps_the_period_and_its_article() -> None:
    rule = load_overlay(BOOK, ONCE).rule("handle")
    national = R2022.rule("handle")
    assert (rule.period_days, rule.citation) == (national.period_days, national.citation)
    assert rule.extension is not None and rule.extension.max_total_days == 30
    assert rule.extension.max_times == 1 and rule.notes.startswith(national.notes)
    assert "最多批准1次" in rule.notes


def test_an_overlay_may_give_an_extension_where_the_base_has_none() -> None:
    # e.g. 北京 2006 第五十条: 复查 +30 days with the committee's approval (no national basis).
    beijing = {"instrument": "北京市信访条例", "article": "第五十条"}
    extension = {"max_total_days": 30, "max_times": 1, "citation": beijing}
    local = apply_overlay(R2022, {"id": "x", "rules": {"review": {"extension": extension}}})
    assert check_extension(local.rule("review"), 0, 0, 30).ok
    assert not check_extension(R2022.rule("review"), 0, 0, 1).ok


def test_national_texts_do_not_limit_approvals() -> None:
    for rule_set, article in ((R2022, "第三十四条"), (R2005, "第三十三条")):
        policy = rule_set.rule("handle").extension
        assert policy is not None and policy.max_times is None
        assert (policy.max_total_days, policy.citation.article) == (30, article)
        assert "未限定批准延长的次数" in rule_set.rule("handle").notes


# --- configuration refused ---------------------------------------------------------------------


def extension(rule: str, table: object) -> dict[str, object]:
    return {"id": "x", "rules": {rule: {"extension": table}}}


BAD: list[tuple[dict[str, object], str]] = [
    ({"id": "x", "base": "xinfang-1995"}, "base: unknown rule set 'xinfang-1995'"),
    ({"id": "x", "base": 2022}, "base: unknown rule set 2022"),
    ({"id": "x", "units": "ZJ"}, "units: must be a non-empty list"),
    ({"id": "x", "units": []}, "units: must be a non-empty list"),
    ({"id": "x", "units": ["ZJ", "ZJ"]}, "lists a unit twice"),
    ({"id": "x", "units": [""]}, "units: must be a non-empty string"),
    ({"id": "x", "province": "ZJ"}, "unknown key(s) ['province']"),
    (extension("handle", {"max_total_days": 60}), "a changed extension must cite"),
    (extension("handle", {"days": 60, "citation": SOMEWHERE}), "unknown key(s) ['days']"),
    (
        extension("handle", {"max_times": 0, "citation": SOMEWHERE}),
        "max_times: must be a positive integer",
    ),
    (
        extension("handle", {"max_total_days": True, "citation": SOMEWHERE}),
        "max_total_days: must be a positive integer",
    ),
    (  # 复查 has no extension in the national text: the overlay must give the cap
        extension("review", {"max_times": 1, "citation": SOMEWHERE}),
        "has no extension to vary; give max_total_days",
    ),
    (extension("handle", 60), "extension: must be a table"),
]


@pytest.mark.parametrize(("overlay", "message"), BAD)
def test_bad_overlays_are_refused(overlay: dict[str, object], message: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        load_overlay(BOOK, overlay)
    assert caught.value.rule_id == "overlay-invalid"
    assert message in str(caught.value)


def test_an_overlay_cannot_name_another_base_than_it_is_applied_to() -> None:
    with pytest.raises(RuleViolation, match="names base 'xinfang-2005'"):
        apply_overlay(R2022, {"id": "x", "base": "xinfang-2005"})


def test_an_overlay_on_another_overlay_is_refused() -> None:
    book = book_with(ZHEJIANG)
    with pytest.raises(RuleViolation, match="base: unknown rule set 'xinfang-2022\\+zhejiang'"):
        load_overlay(book, {"id": "y", "base": "xinfang-2022+zhejiang"})


def test_a_2005_overlay_loads_on_its_base_and_period() -> None:
    local = load_overlay(BOOK, {**ZHEJIANG, "id": "xinfang-2005+zhejiang", "base": "xinfang-2005"})
    assert (local.base, local.instrument, local.units) == ("xinfang-2005", "信访条例", ("ZJ",))
    assert (local.effective_from, local.effective_to) == (R2005.effective_from, R2005.effective_to)
    assert not local.has_rule("object")  # the 2005 regulation's rules, not 2022's
    book = book_with({**ZHEJIANG, "id": "xinfang-2005+zhejiang", "base": "xinfang-2005"})
    assert book.for_date_and_unit(date(2021, 3, 1), ZJ_PATH).id == "xinfang-2005+zhejiang"
    assert book.for_date_and_unit(date(2026, 3, 1), ZJ_PATH).id == "xinfang-2022"


# --- choosing by unit --------------------------------------------------------------------------

D = date(2026, 12, 3)
CITY: dict[str, object] = {"id": "xinfang-2022+hangzhou", "units": ["ZJ-HZ"]}
WIDE: dict[str, object] = {"id": "xinfang-2022+deployment"}  # no units: the whole deployment

# (overlays, unit path, chosen rule set) — the nearest claiming unit wins
CHOICES: list[tuple[tuple[dict[str, object], ...], tuple[str, ...], str]] = [
    ((ZHEJIANG,), ZJ_PATH, "xinfang-2022+zhejiang"),  # under the province
    ((ZHEJIANG,), ("ZJ",), "xinfang-2022+zhejiang"),  # the province itself
    ((ZHEJIANG,), ("P", "C1", "C1-ZJ"), "xinfang-2022"),  # elsewhere: national
    ((ZHEJIANG,), (), "xinfang-2022"),  # no unit: national
    ((ZHEJIANG, CITY), ZJ_PATH, "xinfang-2022+hangzhou"),  # the city is nearer
    ((ZHEJIANG, CITY), ("ZJ", "ZJ-NB"), "xinfang-2022+zhejiang"),  # another city
    ((ZHEJIANG, WIDE), ZJ_PATH, "xinfang-2022+zhejiang"),  # a subtree beats the deployment
    ((ZHEJIANG, WIDE), ("P", "C1"), "xinfang-2022+deployment"),  # outside: the deployment's
    ((ZHEJIANG, WIDE), (), "xinfang-2022+deployment"),
]


@pytest.mark.parametrize(("overlays", "path", "expected"), CHOICES)
def test_the_nearest_claiming_unit_wins(
    overlays: tuple[dict[str, object], ...], path: tuple[str, ...], expected: str
) -> None:
    book = book_with(*overlays)
    assert book.for_date_and_unit(D, path).id == expected
    assert book.choose(D, path).rule_set.id == expected


def test_for_date_leaves_out_overlays_limited_to_units() -> None:
    assert book_with(ZHEJIANG).for_date(D).id == "xinfang-2022"
    assert book_with(ZHEJIANG).for_date(date(2021, 1, 1)).id == "xinfang-2005"


def test_two_overlays_claiming_the_same_unit_are_ambiguous() -> None:
    book = book_with(ZHEJIANG, {"id": "xinfang-2022+zhejiang-b", "units": ["ZJ"]})
    with pytest.raises(AmbiguousRuleSet, match="claim unit ZJ"):
        book.for_date_and_unit(D, ZJ_PATH)
    assert book.for_date_and_unit(D, ("P",)).id == "xinfang-2022"  # elsewhere unaffected


def test_overlays_of_the_same_unit_in_successive_periods() -> None:
    early = {**ZHEJIANG, "id": "zj-a", "effective_to": "2024-12-31"}
    late = {**ZHEJIANG, "id": "zj-b", "effective_from": "2025-01-01"}
    book = book_with(early, late)
    assert book.for_date_and_unit(date(2024, 12, 31), ZJ_PATH).id == "zj-a"
    assert book.for_date_and_unit(date(2025, 1, 1), ZJ_PATH).id == "zj-b"


# --- the explanation ---------------------------------------------------------------------------


def test_the_choice_is_explained() -> None:
    book = book_with(ZHEJIANG)
    assert book.choose(D, ZJ_PATH).because == (
        "适用规则：信访工作条例（浙江省）（xinfang-2022+zhejiang），"
        "因责任单位 ZJ-HZ-ZJ 属于 ZJ 辖区"
    )
    assert book.choose(D, ("P", "C1")).because == (
        "适用规则：信访工作条例（2022）（xinfang-2022），按起算日 2026-12-03 施行的版本"
    )
    wide = book_with(WIDE).choose(D)
    # An overlay's default title already names its id: not twice.
    assert wide.because == (
        "适用规则：信访工作条例（2022）（xinfang-2022+deployment），"
        "本部署适用的地方规定，按起算日 2026-12-03 施行的版本"
    )
    # A unit moved out of the subtree after its clock was armed: the rule set stays.
    moved = RuleBook.explain_choice(book.get("xinfang-2022+zhejiang"), D, ("P", "ZJ-HZ-ZJ"))
    assert moved.endswith("适用于 ZJ 辖区（设定期限时按责任单位选定）")


def test_the_explanation_leads_with_the_choice_and_keeps_the_rest() -> None:
    book = book_with(ZHEJIANG)
    choice = book.choose(D, ZJ_PATH)
    rule = choice.rule_set.rule("handle")
    plain = compute_due(rule, choice.rule_set.id, D, default_calendar())
    chosen = compute_due(
        rule, choice.rule_set.id, D, default_calendar(), chosen_because=choice.because
    )
    assert chosen.explain() == [choice.because, *plain.explain()]
    assert (chosen.due_on, chosen.summary) == (plain.due_on, plain.summary)
    assert "《浙江省信访条例》第二十三条" in chosen.explain()[1]
    data = chosen.to_dict()
    assert data["chosen_because"] == choice.because
    assert DueDate.from_dict(data).explain() == chosen.explain()
