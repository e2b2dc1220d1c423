"""Rule sets: the built-in regulations, local overlays, and the rule book."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from rules import (
    AmbiguousRuleSet,
    ClockKind,
    DayUnit,
    NoRuleSetInForce,
    PetitionType,
    Route,
    RuleBook,
    RuleSet,
    RuleViolation,
    UnknownRule,
    apply_overlay,
    builtin_rule_sets,
    compute_due,
    decide_route,
    default_calendar,
    default_rule_book,
)

BOOK = default_rule_book()
R2005, R2022 = BOOK.get("xinfang-2005"), BOOK.get("xinfang-2022")
COMMON = {
    "route",
    "notice_direct",
    "notice_transfer",
    "assign_feedback",
    "handle",
    "notice_extension",
    "implement",
    "review_request",
    "review",
    "re_review_request",
    "re_review",
    "redo",
}

# (rule id, 2022 article, 2005 article, period, kind)
RULE_TABLE = [
    ("route", "第二十二条第一款", "第二十一条第一款", 15, ClockKind.OBLIGATION),
    ("notice_direct", "第二十三条第二款", "第二十二条第二款", 15, ClockKind.OBLIGATION),
    ("notice_transfer", "第二十三条第三款", "第二十一条第二款", 15, ClockKind.OBLIGATION),
    (
        "assign_feedback",
        "第二十二条第一款第三项",
        "第二十一条第一款第四项",
        None,
        ClockKind.OBLIGATION,
    ),
    ("handle", "第三十四条", "第三十三条", 60, ClockKind.OBLIGATION),
    ("review_request", "第三十五条", "第三十四条", 30, ClockKind.WINDOW),
    ("review", "第三十五条", "第三十四条", 30, ClockKind.OBLIGATION),
    ("re_review_request", "第三十六条第一款", "第三十五条第一款", 30, ClockKind.WINDOW),
    ("re_review", "第三十六条第一款", "第三十五条第一款", 30, ClockKind.OBLIGATION),
]


def test_rule_ids() -> None:
    assert set(R2022.rules) == COMMON | {"object", "duty"}
    assert set(R2005.rules) == COMMON | {"supervise_feedback"}


@pytest.mark.parametrize(("rule_id", "art_2022", "art_2005", "period", "kind"), RULE_TABLE)
def test_rule_data(
    rule_id: str, art_2022: str, art_2005: str, period: int | None, kind: ClockKind
) -> None:
    for rule_set, article in ((R2022, art_2022), (R2005, art_2005)):
        rule = rule_set.rule(rule_id)
        assert rule.citation.instrument == rule_set.instrument
        assert rule.citation.article == article
        assert (rule.period_days, rule.kind, rule.unit) == (period, kind, DayUnit.CALENDAR)
        assert rule.roll_forward is True


def test_redo_rests_on_policy_not_on_the_national_text() -> None:
    # Neither 2022 第三十五条 nor 2005 第三十四条 provides a redo: the clock cites the
    # provincial provision it follows and says it is policy.
    for rule_set in (R2022, R2005):
        redo = rule_set.rule("redo")
        assert (redo.period_days, redo.kind) == (None, ClockKind.OBLIGATION)
        assert str(redo.citation) == "《山东省信访条例》第四十五条（参照；全国条例未规定，政策）"
        assert "[I]" in redo.notes


def test_special_rules() -> None:
    # art 23¶3: “5个工作日” — the receiving organ's right to object lapses (a window).
    objection = R2022.rule("object")
    assert (objection.period_days, objection.unit, objection.roll_forward) == (
        5,
        DayUnit.WORKING,
        False,
    )
    assert objection.kind is ClockKind.WINDOW
    # 2022 art 34 / 2005 art 33: “并告知信访人延期理由” — the duty is the article's, the
    # 5 working days are policy and say so.
    for rule_set, article in ((R2022, "第三十四条"), (R2005, "第三十三条")):
        notice = rule_set.rule("notice_extension")
        assert (notice.period_days, notice.unit, notice.kind) == (
            5,
            DayUnit.WORKING,
            ClockKind.OBLIGATION,
        )
        assert notice.citation.article == article and "[I]" in notice.notes
        assert "告知信访人延期理由" in notice.notes
    supervise = R2005.rule("supervise_feedback")  # 2005 art 36¶2, no 2022 counterpart
    assert (supervise.period_days, str(supervise.citation)) == (30, "《信访条例》第三十六条第二款")
    for rule_set in (R2005, R2022):
        handle = rule_set.rule("handle")
        assert handle.extension is not None
        # 2022 art 34 / 2005 art 33 cap the days (“不得超过30日”), not the approvals.
        assert (handle.extension.max_total_days, handle.extension.max_times) == (30, None)
        assert handle.extension.requires_approval
        re_review = rule_set.rule("re_review")
        assert re_review.pausable and re_review.pause_citation is not None
        assert re_review.pause_citation.article.endswith("第二款")
        assert not rule_set.rule("review").pausable
        assert rule_set.max_representatives == 5
    assert "[I]" in R2022.rule("redo").notes and "山东" in R2022.rule("redo").notes


def test_validity_periods() -> None:
    assert (R2005.effective_from, R2005.effective_to) == (date(2005, 5, 1), date(2022, 4, 30))
    assert (R2022.effective_from, R2022.effective_to) == (date(2022, 5, 1), None)
    assert [s.id for s in builtin_rule_sets()] == ["xinfang-2005", "xinfang-2022"]


def test_unknown_ids() -> None:
    with pytest.raises(UnknownRule, match="'object'"):
        R2005.rule("object")
    with pytest.raises(UnknownRule):
        BOOK.get("xinfang-1995")


def test_rule_set_rules_are_read_only() -> None:
    with pytest.raises(TypeError):
        R2022.rules["route"] = R2022.rule("handle")  # type: ignore[index]


# --- overlays --------------------------------------------------------------------------------

ZHEJIANG: dict[str, object] = {
    "id": "xinfang-2022+zhejiang",
    "title": "信访工作条例（浙江省）",
    "rules": {
        # 《浙江省信访条例》(2016) 第二十条第二款: “自收到之日起五个工作日内决定是否受理”
        "notice_transfer": {
            "period_days": 5,
            "unit": "working_days",
            "citation": {"instrument": "浙江省信访条例", "article": "第二十条第二款"},
        }
    },
}


def test_zhejiang_counts_notice_transfer_in_working_days() -> None:
    local = apply_overlay(R2022, ZHEJIANG)
    rule = local.rule("notice_transfer")
    assert str(rule.citation) == "《浙江省信访条例》第二十条第二款"
    assert "第二十三条第三款" in rule.notes  # the national article it replaces
    assert (local.base, local.instrument, local.effective_from) == (
        "xinfang-2022",
        "信访工作条例",
        date(2022, 5, 1),
    )
    # Thu 2026-02-12 + 5 working days over 春节 -> 02-26 (national: 15 calendar days -> 02-27).
    due = compute_due(rule, local.id, date(2026, 2, 12), default_calendar())
    assert due.due_on == date(2026, 2, 26)
    assert due.article == "《浙江省信访条例》第二十条第二款"
    assert local.rule("handle") == R2022.rule("handle")


def test_overlay_wins_over_its_base_in_its_period() -> None:
    later = apply_overlay(R2022, {**ZHEJIANG, "effective_from": "2024-01-01"})
    book = RuleBook([*builtin_rule_sets(), later])
    assert book.for_date(date(2023, 12, 31)).id == "xinfang-2022"
    assert book.for_date(date(2024, 1, 1)).id == "xinfang-2022+zhejiang"
    assert book.for_date(date(2021, 1, 1)).id == "xinfang-2005"


def test_two_unrelated_overlays_are_ambiguous() -> None:
    other = apply_overlay(R2022, {"id": "xinfang-2022+beijing"})
    book = RuleBook([R2022, apply_overlay(R2022, ZHEJIANG), other])
    with pytest.raises(AmbiguousRuleSet):
        book.for_date(date(2026, 1, 1))


def test_duplicate_rule_set_ids_are_rejected() -> None:
    with pytest.raises(RuleViolation, match="duplicate"):
        RuleBook([R2022, R2022])


CITE = {"instrument": "某省信访条例", "article": "第一条"}

# (overlay, expected message fragment) — configuration errors are refused, never half-applied
BAD_OVERLAYS: list[tuple[dict[str, object], str]] = [
    ({"id": "x", "colour": "red"}, "unknown key(s) ['colour']"),  # unknown top-level key
    ({"title": "no id"}, "id: must be a non-empty string"),  # id is required
    ({"id": "xinfang-2022"}, "must differ from its base"),  # cannot shadow the base
    ({"id": "x", "rules": {"route": {"period_days": 10}}}, "must cite"),  # no citation
    ({"id": "x", "rules": {"route": {"days": 10, "citation": CITE}}}, "unknown key(s) ['days']"),
    ({"id": "x", "rules": {"route": {"period_days": 0, "citation": CITE}}}, "positive integer"),
    ({"id": "x", "rules": {"route": {"unit": "weeks", "citation": CITE}}}, "must be one of"),
    ({"id": "x", "rules": {"route": {"roll_forward": "yes", "citation": CITE}}}, "true or false"),
    ({"id": "x", "rules": {"route": {"citation": {"instrument": "某省"}}}}, "article"),
    ({"id": "x", "rules": "none"}, "rules: must be a table"),
    ({"id": "x", "effective_from": "2022-13-01"}, "ISO date"),
    ({"id": "x", "effective_from": date(2021, 1, 1)}, "outside xinfang-2022"),  # before the base
]


@pytest.mark.parametrize(("overlay", "message"), BAD_OVERLAYS)
def test_bad_overlays(overlay: dict[str, object], message: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_overlay(R2022, overlay)
    assert caught.value.rule_id == "overlay-invalid"
    assert message in str(caught.value)


def test_overlay_of_an_unknown_rule() -> None:
    # 'object' (5 working days) does not exist in the 2005 regulation.
    with pytest.raises(UnknownRule, match="'object'"):
        apply_overlay(R2005, {"id": "x", "rules": {"object": {"citation": CITE}}})


def test_overlay_can_make_a_rule_pausable_with_its_own_citation() -> None:
    local = apply_overlay(
        R2022, {"id": "x", "rules": {"handle": {"pausable": True, "citation": CITE}}}
    )
    rule = local.rule("handle")
    assert rule.pausable and rule.pause_citation == rule.citation


def test_rule_set_is_a_value() -> None:
    assert isinstance(R2022, RuleSet)
    assert R2022.in_force_on(date(2022, 5, 1)) and not R2022.in_force_on(date(2022, 4, 30))


def test_rule_book_lookups() -> None:
    assert [s.id for s in BOOK.all] == ["xinfang-2005", "xinfang-2022"]
    assert len({R2005, R2022}) == 2  # rule sets are hashable values
    only_2005 = RuleBook([R2005])
    with pytest.raises(NoRuleSetInForce, match="no rule set in force on 2023-01-01"):
        only_2005.for_date(date(2023, 1, 1))
    with pytest.raises(TypeError, match="local date"):
        BOOK.for_date(datetime(2023, 1, 1, tzinfo=UTC))


def test_rule_set_without_legal_tables() -> None:
    custom = replace(R2022, id="custom", instrument="某办法")
    with pytest.raises(UnknownRule, match="某办法"):
        decide_route(custom, PetitionType.CLAIM, Route.PETITION)


def test_overlay_keeps_a_per_case_period() -> None:
    local = apply_overlay(
        R2022, {"id": "x", "rules": {"assign_feedback": {"unit": "working_days", "citation": CITE}}}
    )
    assert local.rule("assign_feedback").period_days is None
    assert local.rule("assign_feedback").unit is DayUnit.WORKING


def test_deadline_rule_invariants() -> None:
    rule = R2022.rule("handle")
    assert not rule.per_case and R2022.rule("redo").per_case
    with pytest.raises(ValueError, match="positive"):
        replace(rule, period_days=0)
    with pytest.raises(ValueError, match="cite the pause provision"):
        replace(rule, pausable=True, pause_citation=None)
