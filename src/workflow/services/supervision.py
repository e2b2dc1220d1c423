"""Decide a step on a supervision item (督办事项): urge, escalate, report or close.

The item lives inside its matter, so each step is an event in the matter's own chain;
the move is checked against statecharts/supervision.yaml here and re-derived through
the same shared machine when the event is folded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.domain.actions import SuperviseItem
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.domain.errors import NotFound
from workflow.domain.events import Event
from workflow.services.context import Ctx
from workflow.services.decide import check_occurred_at, recorded, transition
from workflow.services.engine import Engine
from workflow.services.guards import GUARDS


def decide_supervision(
    engine: Engine, case: Case, item_id: str, command: SuperviseItem, actor: Actor, now: datetime
) -> Event:
    chart = engine.supervision_chart
    try:
        item = case.supervision_item(item_id)
    except KeyError:
        raise NotFound(f"no supervision item {item_id}") from None
    occurred_at = command.occurred_at or now
    check_occurred_at(occurred_at, now, case.last_occurred_at)
    trigger = command.action.value
    spec = transition(chart, item["state"], trigger)
    fields: dict[str, Any] = command.model_dump(
        mode="json", exclude={"action", "occurred_at"}, exclude_none=True
    )
    ctx = Ctx.of(engine, case, trigger, {**fields, "item": item_id}, actor, occurred_at)
    for name in spec.guards:
        GUARDS[name](ctx)
    landed = engine.machine.companion("supervision").next_state(item["state"], trigger, {})
    changes: dict[str, Any] = {}
    if trigger == "escalate" and "to_unit" in fields:
        changes["supervising_unit"] = fields["to_unit"]
    if trigger == "close":
        changes["closed_on"] = ctx.occurred_on.isoformat()
    payload = {
        "supervision": {
            "item": item_id,
            "trigger": trigger,
            "from": item["state"],
            "to": landed,
            "fields": fields,
            "set": changes,
        }
    }
    return recorded(ctx, chart, now, payload)
