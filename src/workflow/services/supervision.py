"""Decide a step on a supervision item (督办事项): open it by hand, urge, escalate, report
or close it.

The item lives inside its matter, so each step is an event in the matter's own chain;
the move is checked against statecharts/supervision.yaml here and re-derived through
the same shared machine when the event is folded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rules import UnitKind
from rules.supervision import SupervisionGround, ground_law
from workflow.domain.actions import OpenSupervisionItem, SuperviseItem
from workflow.domain.actor import Actor
from workflow.domain.case import Case, Deadline
from workflow.domain.errors import Forbidden, GuardRejected, InvalidCommand, NotFound
from workflow.domain.events import Event
from workflow.domain.units import supervision_root
from workflow.services.context import Ctx
from workflow.services.decide import check_occurred_at, recorded, transition
from workflow.services.engine import Engine
from workflow.services.guards import GUARDS
from workflow.services.oversight_guards import open_implementation

# 督办 is the petition bureau's (党委和政府信访部门发现……应当及时督办).
_OPEN = "《信访工作条例》第四十条第一款"


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


def decide_opening(
    engine: Engine, case: Case, command: OpenSupervisionItem, actor: Actor, now: datetime
) -> Event:
    """A petition bureau opens an item by hand (《信访工作条例》第四十条第一款: 信访部门发现
    ……等情形的，应当及时督办). Only a bureau, and only over a unit its government oversees,
    never over itself (a late bureau is supervised by the bureau above, as on a breach)."""
    occurred_at = command.occurred_at or now
    check_occurred_at(occurred_at, now, case.last_occurred_at)
    fields: dict[str, Any] = command.model_dump(
        mode="json", exclude={"occurred_at"}, exclude_none=True
    )
    ctx = Ctx.of(engine, case, "open_item", fields, actor, occurred_at)
    ctx.recorded_at = now
    home = engine.find_unit(actor.unit)
    if home is None or home.kind != UnitKind.PETITION_BUREAU:
        raise Forbidden(f"only a petition bureau (信访部门) opens a supervision item ({_OPEN})")
    ground = command.ground
    deadline = _followed(ctx, ground, command.deadline_id)
    responsible = deadline.responsible_unit if deadline is not None else case.holder_unit
    _may_supervise(ctx, responsible)
    law = ground_law(engine.rule_set_for(ctx.occurred_on), ground)
    late = deadline if ground is SupervisionGround.BREACH else None
    item = {
        # A breach's item is the one the sweep would open (same id, the late obligation's
        # article): one item per obligation, whoever opens it first. Any other item rests
        # on the supervision article itself.
        "id": f"{late.id}:sv" if late is not None else f"{case.id}-{ctx.seq}:sv",
        "deadline_id": deadline.id if deadline is not None else None,
        "rule": deadline.rule if deadline is not None else None,
        "article": late.article if late is not None else str(law.citation),
        "ground": ground.value,
        "basis": f"{law.citation}：{law.words}",
        "detail": command.detail,
        "responsible_unit": responsible,
        "supervising_unit": actor.unit,
        "state": "opened",
        "opened_on": ctx.occurred_on.isoformat(),
        "due_on": deadline.due_on.isoformat() if deadline is not None else None,
    }
    payload = {
        "supervision": {"trigger": "open_item", "to": "opened", "fields": fields, "item": item}
    }
    return recorded(ctx, engine.supervision_chart, now, payload)


def _followed(ctx: Ctx, ground: SupervisionGround, deadline_id: str | None) -> Deadline | None:
    """The obligation the item follows: closed (销号) only once it is met."""
    if ground is SupervisionGround.NOT_IMPLEMENTING_OPINION and deadline_id is None:
        # 拒不执行信访处理意见 presupposes a supported opinion still to be carried out.
        check = open_implementation(ctx)
        if check is None:
            raise GuardRejected(
                "supervision",
                "no supported opinion awaits implementation on this matter "
                "(《信访工作条例》第三十二条第二款): name the obligation, or open the item "
                "on another ground",
                article="《信访工作条例》第三十二条第二款",
            )
        deadline_id = check.id
    if deadline_id is None:
        return None
    try:
        deadline = ctx.case.deadline(deadline_id)
    except KeyError:
        raise InvalidCommand(
            f"no deadline {deadline_id} on this matter", field="deadline_id"
        ) from None
    if deadline.kind != "obligation":
        raise InvalidCommand(
            f"{deadline_id} is a petitioner's window ({deadline.rule}), not an organ's "
            "obligation: nothing to supervise",
            field="deadline_id",
        )
    taken = next((i for i in ctx.case.supervision if i.get("deadline_id") == deadline.id), None)
    if taken is not None:
        raise GuardRejected(
            "supervision",
            f"the {deadline.rule} obligation is already supervised by item {taken['id']} "
            f"({taken['state']}): urge or escalate it",
            article=_OPEN,
            item=taken["id"],
        )
    if ground is SupervisionGround.BREACH and not (
        deadline.open and deadline.due_on < ctx.occurred_on
    ):
        raise GuardRejected(
            "supervision",
            f"the {deadline.rule} obligation is not overdue (due {deadline.due_on.isoformat()}, "
            f"{deadline.status}): a breach is opened once its last day has passed unmet",
            article=deadline.article,
        )
    return deadline


def _may_supervise(ctx: Ctx, responsible: str) -> None:
    home = ctx.engine.find_unit(ctx.actor.unit)
    target = ctx.engine.find_unit(responsible)
    above = (
        home is not None
        and target is not None
        and target.code != home.code
        and supervision_root(home, ctx.engine.units).contains(target)
    )
    if not above:
        raise GuardRejected(
            "supervision",
            f"{ctx.actor.unit} does not supervise {responsible}: an item is opened by the "
            f"petition bureau of the responsible unit's government or one above it, never by "
            f"the unit itself ({_OPEN})",
            article=_OPEN,
            responsible_unit=responsible,
        )
