"""Admissibility guards: may a matter, a request or an act be accepted?

Each guard returns a :class:`Verdict` (ok or not, with the reason and the
article); ``raise_if_failed`` turns a failed verdict into a :class:`RuleViolation`
for the workflow's validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.citations import INCLUSIVE_NUMBERS, Citation
from rules.data_2022 import REGULATION as XINFANG_2022
from rules.deadlines import DeadlineRule
from rules.due_dates import DueDate
from rules.errors import RuleViolation
from rules.rulesets import RuleSet, regulation_of
from rules.taxonomy import DeclineReason, PetitionType, Route

__all__ = [
    "DeclineReason",
    "Verdict",
    "check_extension",
    "check_not_finalized",
    "check_representatives",
    "check_window",
    "decline_citation",
    "process_citation",
]

CONCLUDED = "concluded"


@dataclass(frozen=True)
class Verdict:
    """The result of a guard."""

    ok: bool
    rule_id: str
    reason: str
    citation: Citation | None = None

    def raise_if_failed(self) -> None:
        """Raise :class:`RuleViolation` if the guard failed."""
        if not self.ok:
            raise RuleViolation(self.rule_id, self.reason, self.citation)


def decline_citation(rule_set: RuleSet, reason: DeclineReason) -> Citation | None:
    """The article behind a 不予受理 / 不再受理 ground (None for ``OTHER``)."""
    return regulation_of(rule_set).decline_grounds.get(reason)


def process_citation(rule_set: RuleSet, process: Route) -> Citation | None:
    """The item of 第三十一条 (2005: 第二十一条) behind a claim's statutory process."""
    law = regulation_of(rule_set).routes.get((PetitionType.CLAIM, process))
    return law.citation if law is not None else None


def check_representatives(rule_set: RuleSet, representatives: int) -> Verdict:
    """多人走访 must elect at most 5 representatives.

    《信访工作条例》第二十条第三款 (2005: 第十八条第二款) “代表人数不得超过5人”; by
    《民法典》第一千二百五十九条 “超过” excludes the number, so 5 is allowed. At
    least one representative is required (“应当推选代表”).
    """
    limit, citation = rule_set.max_representatives, rule_set.representatives_citation
    if representatives < 1:
        return Verdict(False, "representatives", "多人走访应当推选代表，至少1人", citation)
    if representatives > limit:
        reason = f"代表人数{representatives}人，超过{limit}人的上限"
        return Verdict(False, "representatives", reason, citation)
    reason = f"代表人数{representatives}人，未超过{limit}人（含本数，{INCLUSIVE_NUMBERS}）"
    return Verdict(True, "representatives", reason, citation)


def check_not_finalized(
    prior_state: str, same_facts_and_reasons: bool, *, rule_set: RuleSet | None = None
) -> Verdict:
    """A concluded matter may not be raised again on the same facts and reasons.

    《信访工作条例》第三十六条第三款 (2005: 第三十五条第三款): “信访人对复核意见不服，
    仍然以同一事实和理由提出投诉请求的，…不再受理”. Whether facts and reasons are the
    same is a human finding; the caller passes it in.
    """
    regulation = XINFANG_2022 if rule_set is None else regulation_of(rule_set)
    citation = regulation.finality_citation
    if prior_state == CONCLUDED and same_facts_and_reasons:
        return Verdict(False, "finalized", "同一事实和理由的信访事项已办理终结，不再受理", citation)
    return Verdict(True, "finalized", "不存在以同一事实和理由已办理终结的信访事项", citation)


def check_window(due: DueDate, day: date, *, rule_id: str) -> Verdict:
    """An act on ``day`` is in time if ``day`` is on or before the due date.

    “以内、届满” include the last day (《民法典》第一千二百五十九条); the due date
    already reflects roll-forward over rest days (《民法典》第二百零三条).
    """
    if day <= due.due_on:
        reason = f"{day} 在期限内（届满日 {due.due_on}，{due.article}）"
        return Verdict(True, rule_id, reason, due.citation)
    reason = f"{day} 已超过期限（届满日 {due.due_on}，{due.article}）"
    return Verdict(False, rule_id, reason, due.citation)


def check_extension(
    rule: DeadlineRule, already_extended_days: int, times_extended: int, days: int
) -> Verdict:
    """An extension must respect the rule's extension policy.

    《信访工作条例》第三十四条 (2005: 第三十三条): “经本机关、单位负责人批准，可以适当
    延长办理期限，但延长期限不得超过30日，并告知信访人延期理由” — the cap is on the
    days in total over the handling (``already_extended_days`` + ``days``); the text
    does not limit the number of approvals, so ``times_extended`` is checked only where
    the policy (a local overlay) sets ``max_times``.
    """
    policy = rule.extension
    if policy is None:
        return Verdict(False, "extension-limit", f"“{rule.title}”的期限不得延长", rule.citation)
    if days < 1:
        return Verdict(False, "extension-limit", f"延长天数须至少1日，得到{days}", policy.citation)
    if policy.max_times is not None and times_extended >= policy.max_times:
        reason = f"已延长{times_extended}次，最多{policy.max_times}次"
        return Verdict(False, "extension-limit", reason, policy.citation)
    total = already_extended_days + days
    if total > policy.max_total_days:
        reason = (
            f"已延长{already_extended_days}日，再延长{days}日合计{total}日，"
            f"超过{policy.max_total_days}日"
        )
        return Verdict(False, "extension-limit", reason, policy.citation)
    reason = f"延长{days}日（合计{total}日，不超过{policy.max_total_days}日）"
    return Verdict(True, "extension-limit", reason, policy.citation)
