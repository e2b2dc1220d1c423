"""Admissibility guards: representatives, finality, windows, extensions, decline grounds."""

from __future__ import annotations

from datetime import date

import pytest

from rules import (
    DeclineReason,
    RuleSet,
    RuleViolation,
    check_extension,
    check_not_finalized,
    check_representatives,
    check_window,
    compute_due,
    decline_citation,
    default_calendar,
    default_rule_book,
)
from rules.admissibility import process_citation
from rules.taxonomy import Route

BOOK = default_rule_book()
R2022, R2005 = BOOK.get("xinfang-2022"), BOOK.get("xinfang-2005")


@pytest.mark.parametrize(
    ("count", "ok"),
    [
        (0, False),  # art 20¶3 “应当推选代表”: a group visit needs at least one
        (1, True),
        (5, True),  # “不得超过5人” includes 5 (民法典第一千二百五十九条)
        (6, False),  # over the limit
    ],
)
def test_representatives(count: int, ok: bool) -> None:
    verdict = check_representatives(R2022, count)
    assert verdict.ok is ok and verdict.rule_id == "representatives"
    assert str(verdict.citation) == "《信访工作条例》第二十条第三款"
    assert str(check_representatives(R2005, 6).citation) == "《信访条例》第十八条第二款"


@pytest.mark.parametrize(
    ("state", "same", "ok"),
    [
        ("concluded", True, False),  # art 36¶3: 同一事实和理由 → 不再受理
        ("concluded", False, True),  # new facts or reasons: a new matter
        ("handling", True, True),  # not concluded: the finality bar does not apply (art 19¶3 may)
    ],
)
def test_not_finalized(state: str, same: bool, ok: bool) -> None:
    verdict = check_not_finalized(state, same)
    assert verdict.ok is ok and verdict.rule_id == "finalized"
    assert str(verdict.citation) == "《信访工作条例》第三十六条第三款"


def test_not_finalized_under_2005_cites_art_35() -> None:
    verdict = check_not_finalized("concluded", True, rule_set=R2005)
    assert str(verdict.citation) == "《信访条例》第三十五条第三款"
    with pytest.raises(RuleViolation, match="不再受理"):
        verdict.raise_if_failed()


def test_window_includes_the_due_day() -> None:
    # Review request window (art 35): reply received Thu 2026-09-10 -> due Sat 10-10.
    due = compute_due(R2022.rule("review_request"), R2022.id, date(2026, 9, 10), default_calendar())
    inside = check_window(due, date(2026, 10, 10), rule_id="review_request")
    late = check_window(due, date(2026, 10, 11), rule_id="review_request")
    assert inside.ok and not late.ok
    assert "2026-10-10" in late.reason and "第三十五条" in late.reason
    assert late.citation == R2022.rule("review_request").citation
    inside.raise_if_failed()


# (already extended days, times extended, requested days, ok) — art 34: “延长期限不得超过
# 30日”, the days in total over the handling; the number of approvals is not limited.
EXTENSIONS = [
    (0, 0, 30, True),  # art 34: the maximum
    (0, 0, 31, False),  # art 34: over 30 days
    (0, 0, 1, True),  # the minimum
    (0, 0, 0, False),  # zero days is not an extension
    (10, 1, 5, True),  # art 34: a second approval, 15 days in total
    (20, 1, 10, True),  # art 34: 20 + 10, exactly 30 in total
    (30, 2, 1, False),  # art 34: one more day makes 31
    (10, 0, 20, True),  # art 34: total exactly 30
    (10, 0, 21, False),  # art 34: total 31
    (29, 7, 1, True),  # art 34: an eighth approval, still 30 in total
]


@pytest.mark.parametrize(("already", "times", "days", "ok"), EXTENSIONS)
def test_extension(already: int, times: int, days: int, ok: bool) -> None:
    verdict = check_extension(R2022.rule("handle"), already, times, days)
    assert verdict.ok is ok and verdict.rule_id == "extension-limit"
    assert str(verdict.citation) == "《信访工作条例》第三十四条"


def test_extension_of_a_rule_without_policy() -> None:
    verdict = check_extension(R2022.rule("review"), 0, 0, 10)
    assert not verdict.ok
    with pytest.raises(RuleViolation) as caught:
        verdict.raise_if_failed()
    assert caught.value.rule_id == "extension-limit"


# (rule set, ground, article) — 不予受理 / 不再受理 grounds per regulation
DECLINES = [
    (R2022, DeclineReason.FINALIZED, "第三十六条第三款"),
    (R2022, DeclineReason.NOT_IN_JURISDICTION, "第二十三条第一款"),
    (R2022, DeclineReason.BYPASSED_LEVEL, "第二十条第一款"),
    # The item follows the process named on the decline (process_citation, below).
    (R2022, DeclineReason.IN_STATUTORY_PROCESS, "第三十一条"),
    (R2022, DeclineReason.DUPLICATE, "第十九条第三款"),
    (R2005, DeclineReason.FINALIZED, "第三十五条第三款"),
    (R2005, DeclineReason.NOT_IN_JURISDICTION, "第二十二条第一款"),
    (R2005, DeclineReason.BYPASSED_LEVEL, "第十六条"),
    (R2005, DeclineReason.IN_STATUTORY_PROCESS, "第二十一条第一款第一项"),
    (R2005, DeclineReason.DUPLICATE, "第十六条"),
]


@pytest.mark.parametrize(("rule_set", "reason", "article"), DECLINES)
def test_decline_citations(rule_set: RuleSet, reason: DeclineReason, article: str) -> None:
    citation = decline_citation(rule_set, reason)
    assert citation is not None
    assert (citation.instrument, citation.article) == (rule_set.instrument, article)


def test_other_decline_reason_has_no_citation() -> None:
    assert decline_citation(R2022, DeclineReason.OTHER) is None


# (process, 2022 item) — in_statutory_process cites the item of the process (第三十一条).
PROCESSES = [
    (Route.LITIGATION, "第三十一条第一项"),
    (Route.ARBITRATION, "第三十一条第二项"),
    (Route.PARTY_APPEAL, "第三十一条第三项"),
    (Route.ADMINISTRATIVE, "第三十一条第四项"),
]


@pytest.mark.parametrize(("process", "article"), PROCESSES)
def test_statutory_process_citations(process: Route, article: str) -> None:
    citation = process_citation(R2022, process)
    assert citation is not None and citation.article == article
