"""The vocabulary of classification: petition types, routes, units, decline grounds.

Kept apart from the logic so that the per-regulation data modules can key their
citation tables by these enums without importing the logic that reads them.
"""

from __future__ import annotations

from enum import StrEnum


class HandlingScope(StrEnum):
    """Which accepted matters run the 60-day handling clock."""

    ALL_ACCEPTED = "all_accepted"
    """2005 《信访条例》第三十三条：“信访事项应当自受理之日起60日内办结”."""
    CLAIMS_ROUTED_PETITION = "claims_routed_petition"
    """2022 《信访工作条例》第三十四条：only matters under 第三十一条第六项."""


class PetitionType(StrEnum):
    """The three kinds of matter in chapter 4 of the 2022 regulation."""

    SUGGESTION = "suggestion"
    """建议意见类（第二十九条）."""
    ACCUSATION = "accusation"
    """检举控告类（第三十条）."""
    CLAIM = "claim"
    """申诉求决类（第三十一条）."""


class Route(StrEnum):
    """Where a matter goes after classification (依法分类处理, 诉访分离)."""

    PETITION = "petition"
    """Stays in the petition track (第三十一条第六项, or 第二十九/三十条 handling)."""
    LITIGATION = "litigation"
    """Litigation and other 政法 procedures (第三十一条第一项; 第二十二、二十八条第二款)."""
    ARBITRATION = "arbitration"
    """Arbitration (第三十一条第二项)."""
    PARTY_APPEAL = "party_appeal"
    """党员申诉、申请复审 (第三十一条第三项)."""
    ADMINISTRATIVE = "administrative"
    """行政复议、行政裁决 and other administrative procedures (第三十一条第四项)."""
    DUTY = "duty"
    """The organ performs its statutory duty or replies (第三十一条第五项)."""
    DISCIPLINE = "discipline"
    """纪检监察机关 (第二十二条第二款、第三十条)."""


class UnitKind(StrEnum):
    """Kinds of organ a matter can be sent to."""

    GOVERNMENT = "government"
    PETITION_BUREAU = "petition_bureau"
    AGENCY = "agency"
    POLITICAL_LEGAL = "political_legal"
    DISCIPLINE = "discipline"


class DeclineReason(StrEnum):
    """Grounds for 不予受理 / 不再受理."""

    FINALIZED = "finalized"
    NOT_IN_JURISDICTION = "not_in_jurisdiction"
    BYPASSED_LEVEL = "bypassed_level"
    IN_STATUTORY_PROCESS = "in_statutory_process"
    DUPLICATE = "duplicate"
    OTHER = "other"


TYPE_LABELS: dict[PetitionType, str] = {
    PetitionType.SUGGESTION: "建议意见类",
    PetitionType.ACCUSATION: "检举控告类",
    PetitionType.CLAIM: "申诉求决类",
}

ROUTE_LABELS: dict[Route, str] = {
    Route.PETITION: "信访程序办理",
    Route.LITIGATION: "诉讼等法定程序（政法部门）",
    Route.ARBITRATION: "仲裁",
    Route.PARTY_APPEAL: "党员申诉、申请复审",
    Route.ADMINISTRATIVE: "行政程序",
    Route.DUTY: "依法履行职责或者答复",
    Route.DISCIPLINE: "纪检监察机关",
}
