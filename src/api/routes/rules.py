"""The legal rules as data, and a deadline preview computed by the rules package."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.schemas import PreviewIn, RuleOut, RuleSetOut
from rules import DeadlineRule, RuleSet, compute_due

router = APIRouter(prefix="/v1/rules", tags=["rules"])


def rule_out(rule: DeadlineRule) -> RuleOut:
    ext = rule.extension
    return RuleOut(
        id=rule.id,
        title=rule.title,
        article=str(rule.citation),
        period_days=rule.period_days,
        unit=rule.unit.value,
        kind=rule.kind.value,
        extension=None
        if ext is None
        else {
            "max_total_days": ext.max_total_days,
            "max_times": ext.max_times,
            "requires_approval": ext.requires_approval,
            "article": str(ext.citation),
        },
        pausable=rule.pausable,
    )


def rule_set_out(rs: RuleSet) -> RuleSetOut:
    return RuleSetOut(
        id=rs.id,
        title=rs.title,
        instrument=rs.instrument,
        effective_from=rs.effective_from,
        effective_to=rs.effective_to,
        base=rs.base,
        rules=[rule_out(r) for r in rs.rules.values()],
    )


@router.get("", response_model=list[RuleSetOut], responses=responses(401))
def list_rules(actor: CurrentActor, c: ContainerDep) -> list[RuleSetOut]:
    return [rule_set_out(rs) for rs in c.engine.rule_book.all]


@router.post(
    "/deadline-preview",
    response_model=dict[str, Any],
    responses=responses(401, 422),
    summary="Compute a due date with its explanation (days counted, holidays, shifts)",
)
def deadline_preview(body: PreviewIn, actor: CurrentActor, c: ContainerDep) -> dict[str, Any]:
    book = c.engine.rule_book
    rule_set = book.get(body.rule_set) if body.rule_set else book.for_date(body.start_on)
    rule = rule_set.rule(body.rule)
    if rule.per_case and body.period_days is None:
        raise ApiProblem(
            422, "validation-error", f"rule {rule.id} needs period_days", field="period_days"
        )
    due = compute_due(
        rule, rule_set.id, body.start_on, c.engine.calendar, period_days=body.period_days
    )
    return due.to_dict(days=True)
