"""依法分类处理: every (type, route) pair under both regulations.

Expected: (diverted, handling_clock, target_kind) or None when the pair is not
lawful (RuleViolation with a citation). handling_clock = review_rights.
"""

from __future__ import annotations

import pytest

from rules import (
    PetitionType,
    Route,
    RuleViolation,
    UnitKind,
    decide_route,
    default_rule_book,
)

BOOK = default_rule_book()
S, A, C = PetitionType.SUGGESTION, PetitionType.ACCUSATION, PetitionType.CLAIM
PL, DI = UnitKind.POLITICAL_LEGAL, UnitKind.DISCIPLINE
Expected = tuple[bool, bool, UnitKind | None] | None

TABLE: list[tuple[str, PetitionType, Route, Expected]] = [
    # --- 信访工作条例 (2022): the 60-day clock only for 申诉求决类 branch (六), art 34 ---
    ("xinfang-2022", S, Route.PETITION, (False, False, None)),  # art 29: study and reply, no clock
    ("xinfang-2022", S, Route.LITIGATION, None),  # suggestions are not litigation matters
    ("xinfang-2022", S, Route.ARBITRATION, None),  # art 31 branches are for claims only
    ("xinfang-2022", S, Route.PARTY_APPEAL, None),  # art 31(3) is for claims only
    ("xinfang-2022", S, Route.ADMINISTRATIVE, None),  # art 31(4) is for claims only
    ("xinfang-2022", S, Route.DUTY, None),  # art 31(5) is for claims only
    ("xinfang-2022", S, Route.DISCIPLINE, None),  # art 22¶2: only accusations go to 纪检监察
    ("xinfang-2022", A, Route.PETITION, (False, False, None)),  # art 30: 依规依纪依法, no art 34
    ("xinfang-2022", A, Route.LITIGATION, (True, False, PL)),  # art 28¶2: e.g. criminal complaint
    ("xinfang-2022", A, Route.ARBITRATION, None),  # art 31(2) is for claims only
    ("xinfang-2022", A, Route.PARTY_APPEAL, None),  # art 31(3) is for claims only
    ("xinfang-2022", A, Route.ADMINISTRATIVE, None),  # art 31(4) is for claims only
    ("xinfang-2022", A, Route.DUTY, None),  # art 31(5) is for claims only
    ("xinfang-2022", A, Route.DISCIPLINE, (True, False, DI)),  # art 22¶2: to 纪检监察机关
    ("xinfang-2022", C, Route.PETITION, (False, True, None)),  # art 31(6) + art 34: 60 days
    ("xinfang-2022", C, Route.LITIGATION, (True, False, PL)),  # art 31(1): 诉访分离
    ("xinfang-2022", C, Route.ARBITRATION, (True, False, None)),  # art 31(2)
    ("xinfang-2022", C, Route.PARTY_APPEAL, (True, False, None)),  # art 31(3)
    ("xinfang-2022", C, Route.ADMINISTRATIVE, (True, False, None)),  # art 31(4)
    # art 31(5): the organ performs its duty or replies: kept (not diverted), its own clock
    ("xinfang-2022", C, Route.DUTY, (False, False, None)),
    ("xinfang-2022", C, Route.DISCIPLINE, None),  # 纪检监察 diversion is for accusations
    # --- 信访条例 (2005): every accepted matter runs 60 days (art 33) ---
    ("xinfang-2005", S, Route.PETITION, (False, True, None)),  # art 33 covers all matters
    ("xinfang-2005", S, Route.LITIGATION, None),  # suggestions are not litigation matters
    ("xinfang-2005", S, Route.ARBITRATION, None),  # claims only
    ("xinfang-2005", S, Route.PARTY_APPEAL, None),  # no such route in 2005 (art 2 scope)
    ("xinfang-2005", S, Route.ADMINISTRATIVE, None),  # claims only
    ("xinfang-2005", S, Route.DUTY, None),  # no such route in 2005
    ("xinfang-2005", S, Route.DISCIPLINE, None),  # no 纪检 diversion in 2005 (art 23)
    ("xinfang-2005", A, Route.PETITION, (False, True, None)),  # art 33, confidential (art 23)
    ("xinfang-2005", A, Route.LITIGATION, (True, False, PL)),  # art 21¶1(1): 法定途径
    ("xinfang-2005", A, Route.ARBITRATION, None),  # claims only
    ("xinfang-2005", A, Route.PARTY_APPEAL, None),  # no such route in 2005
    ("xinfang-2005", A, Route.ADMINISTRATIVE, None),  # claims only
    ("xinfang-2005", A, Route.DUTY, None),  # no such route in 2005
    ("xinfang-2005", A, Route.DISCIPLINE, None),  # no 纪检 diversion in 2005 (art 23)
    ("xinfang-2005", C, Route.PETITION, (False, True, None)),  # art 33
    ("xinfang-2005", C, Route.LITIGATION, (True, False, PL)),  # art 21¶1(1), art 14¶2
    ("xinfang-2005", C, Route.ARBITRATION, (True, False, None)),  # art 21¶1(1): 仲裁
    ("xinfang-2005", C, Route.PARTY_APPEAL, None),  # 2005 covers governments only (art 2)
    ("xinfang-2005", C, Route.ADMINISTRATIVE, (True, False, None)),  # art 21¶1(1): 行政复议
    ("xinfang-2005", C, Route.DUTY, None),  # art 31(5) is new in 2022
    ("xinfang-2005", C, Route.DISCIPLINE, None),  # no 纪检 diversion in 2005 (art 23)
]


def test_table_covers_every_pair() -> None:
    pairs = {(row[0], row[1], row[2]) for row in TABLE}
    assert len(pairs) == len(TABLE) == 2 * len(PetitionType) * len(Route)


@pytest.mark.parametrize(("rule_set_id", "type_", "route", "expected"), TABLE)
def test_route_decisions(
    rule_set_id: str, type_: PetitionType, route: Route, expected: Expected
) -> None:
    rule_set = BOOK.get(rule_set_id)
    if expected is None:
        with pytest.raises(RuleViolation) as caught:
            decide_route(rule_set, type_, route)
        assert caught.value.rule_id == "route-invalid"
        assert caught.value.citation is not None
        assert caught.value.context == {"type": type_.value, "route": route.value}
        return
    decision = decide_route(rule_set, type_, route)
    diverted, clock, _ = expected
    assert (decision.diverted, decision.handling_clock, decision.target_kind) == expected
    assert decision.review_rights is clock
    # Only routes 1-4 (and the discipline/litigation diversions) leave the organ; route 5
    # (duty) keeps the matter open with the organ that performs or answers.
    assert diverted is (route not in (Route.PETITION, Route.DUTY))
    assert decision.confidential is (type_ is PetitionType.ACCUSATION)
    assert decision.citation.instrument == rule_set.instrument
    assert decision.explanation


@pytest.mark.parametrize(
    ("route", "article"),
    [
        (Route.PETITION, "第三十一条第六项"),
        (Route.LITIGATION, "第三十一条第一项"),
        (Route.ARBITRATION, "第三十一条第二项"),
        (Route.PARTY_APPEAL, "第三十一条第三项"),
        (Route.ADMINISTRATIVE, "第三十一条第四项"),
        (Route.DUTY, "第三十一条第五项"),
    ],
)
def test_claims_cite_the_branch_of_art_31(route: Route, article: str) -> None:
    decision = decide_route(BOOK.get("xinfang-2022"), C, route)
    assert decision.citation.article == article


def test_no_discipline_route_in_2005_cites_art_23() -> None:
    with pytest.raises(RuleViolation) as caught:
        decide_route(BOOK.get("xinfang-2005"), A, Route.DISCIPLINE)
    assert str(caught.value.citation) == "《信访条例》第二十三条"
