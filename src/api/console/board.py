"""督办看板: overdue and due-soon matters of the supervisor's subtree, and item actions.

The rows come from the API's own route functions (same scope, same queries); an action
goes through ``PetitionService.supervise`` as the API's does, and comes back to the
board with a message (a domain refusal in Chinese, from the problem it raised).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api import parties, scope
from api.console import labels, session
from api.console.render import ConsoleRoute, page, redirect, set_flash
from api.deps import ContainerDep
from api.problems import ApiProblem
from api.routes.supervision import boards, items
from api.routes.supervision.boards import Board
from rules.classification import UnitKind
from workflow.domain.actions import SuperviseItem
from workflow.domain.actor import Actor, Role
from workflow.domain.errors import WorkflowError
from workflow.domain.units import Unit, supervision_root
from workflow.runtime.bootstrap import Container

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
FILTERS = ("unit", "rule", "min_days", "within_days")
BOARD_ROWS = 200


def rule_titles(c: Container) -> dict[str, str]:
    titles: dict[str, str] = {}
    for rule_set in c.engine.rule_book.all:
        for rule in rule_set.rules.values():
            titles.setdefault(rule.id, rule.title)
    return titles


def units_below(c: Container, actor: Actor, every: list[Unit]) -> list[Unit]:
    """Those of ``every`` unit in the actor's own scope: the pages' unit filter."""
    root = scope.oversight_root(actor, c.units)
    return [u for u in every if root is not None and root.contains(u)]


def _int(value: str | None, field: str, default: int, low: int, high: int) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiProblem(422, "validation-error", f"{field} 须为整数", field=field) from None
    if not low <= number <= high:
        raise ApiProblem(422, "validation-error", f"{field} 须在 {low} 至 {high} 之间", field=field)
    return number


def item_triggers(c: Container, state: str) -> list[str]:
    """The actions the supervision chart offers from an item's state (guards aside)."""
    chart = c.engine.supervision_chart
    if state not in chart.states:
        return []
    found = chart.actions_from(state)
    return [a for a in labels.ITEM_ACTIONS if a in found]


def escalation_targets(c: Container, every: list[Unit], current_code: str | None) -> list[Unit]:
    """Petition bureaus higher up whose government oversees the item's current bureau."""
    current = c.units.get(current_code) if current_code else None
    if current is None:
        return []
    return [
        u
        for u in every
        if u.kind == UnitKind.PETITION_BUREAU
        and u.code != current.code
        and supervision_root(u, c.units).contains(current)
    ]


def _board_url(values: dict[str, str]) -> str:
    kept = {k: v for k, v in values.items() if k in FILTERS and v}
    return "/console/board" + (f"?{urlencode(kept)}" if kept else "")


@router.get("/board")
def board(
    request: Request,
    c: ContainerDep,
    unit: Text = None,
    rule: Text = None,
    min_days: Text = None,
    within_days: Text = None,
) -> Response:
    actor = session.actor_of(request)
    chosen_unit = unit or None
    rules = [rule] if rule else None
    minimum = _int(min_days, "min_days", 1, 1, 3650)
    within = _int(within_days, "within_days", 3, 0, 90)
    # The route functions' own defaults: the whole subtree, today, the first page.
    over: Board = boards.overdue(
        actor, c, unit=chosen_unit, rule=rules, min_days=minimum, limit=BOARD_ROWS
    )
    soon: Board = boards.due_soon(
        actor, c, unit=chosen_unit, rule=rules, within_days=within, limit=BOARD_ROWS
    )
    titles = rule_titles(c)
    actions: dict[str, list[str]] = {}
    targets: dict[str, list[Unit]] = {}
    every = c.units.all()
    for row in over.items:
        if row.supervision is not None:
            ref = row.supervision
            actions[ref.id] = item_triggers(c, ref.state)
            current = ref.supervising_unit or row.responsible_unit
            targets[ref.id] = escalation_targets(c, every, current)
    filters: dict[str, Any] = {
        "unit": chosen_unit or "",
        "rule": rule or "",
        "min_days": minimum,
        "within_days": within,
    }
    item_titles = {n: s.title for n, s in c.engine.supervision_chart.states.items()}
    return page(
        request,
        "board.html",
        actor=actor,
        title="督办看板",
        overdue=over,
        soon=soon,
        units=units_below(c, actor, every),
        rule_titles=titles,
        state_titles={n: s.title for n, s in c.chart.states.items()},
        item_titles=item_titles,
        actions=actions,
        targets=targets,
        filters=filters,
        can_act=actor.role is Role.SUPERVISOR,
    )


@router.post("/items/{item_id}/actions")
async def act_on_item(
    request: Request, c: ContainerDep, item_id: Annotated[str, Path(max_length=160)]
) -> Response:
    actor = session.actor_of(request)
    form = await session.read_form(request)
    session.check_form_token(request, form.get("csrf"))
    case_id = items.item_matter(c, actor, item_id)
    authorize, check_now = parties.checks(
        c.db, case_id, lambda matter: items.item_visible(c, actor, item_id, matter)
    )
    # Out of scope the item is a 404 page, as an unknown one is, whatever the form says.
    check_now()
    back = redirect(_board_url(form))
    action = form.get("action", "")
    fields: dict[str, Any] = {"action": action}
    if form.get("note", "").strip():
        fields["note"] = form["note"].strip()
    if action == "escalate" and form.get("to_unit"):
        fields["to_unit"] = form["to_unit"]
    name = labels.ITEM_ACTIONS.get(action, action)
    try:
        command = SuperviseItem.model_validate(fields)
        case = c.petitions.supervise(
            case_id,
            item_id,
            command,
            actor,
            authorize=authorize,
        )
    except ValidationError as exc:
        detail = "; ".join(str(e.get("msg", "")) for e in exc.errors()[:3])
        set_flash(
            back, "error", f"{name}未成功：{labels.problem_title('validation-error')}（{detail}）"
        )
        return back
    except WorkflowError as exc:
        set_flash(
            back, "error", f"{name}未成功：{labels.problem_title(exc.problem)}（{exc.detail}）"
        )
        return back
    set_flash(back, "ok", f"已{name}：信访事项 {case.number}")
    return back
