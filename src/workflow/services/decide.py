"""Decide: turn a command on a matter into the event that records it, or refuse it.

Nothing is written here. The order is fixed: time checks, the chart (is the move there at
all), guards (may it happen, by law and by organisation), conditions (which way it goes),
the shared machine (where it lands), then effects and clocks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from rules.errors import RuleViolation
from workflow.domain.actions import ACTION_ADAPTER, ACTION_NAMES, Action
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected, IllegalTransition, InvalidCommand
from workflow.domain.events import Event
from workflow.services import clocks, notice_clocks
from workflow.services.conditions import CONDITIONS
from workflow.services.context import Ctx
from workflow.services.effects import EFFECTS
from workflow.services.engine import Engine
from workflow.services.guards import GUARDS
from workflow.statechart import Chart, TransitionSpec


def check_occurred_at(occurred_at: datetime, now: datetime, previous: datetime | None) -> None:
    if occurred_at > now:
        raise InvalidCommand("occurred_at is in the future", field="occurred_at")
    if previous is not None and occurred_at < previous:
        raise InvalidCommand(
            f"occurred_at precedes the matter's previous event ({previous.isoformat()})",
            field="occurred_at",
        )


def decide_action(engine: Engine, case: Case, action: Action, actor: Actor, now: datetime) -> Event:
    fields = action.model_dump(mode="json", exclude={"action", "occurred_at"}, exclude_none=True)
    occurred_at = action.occurred_at or now
    # The fields come from a validated Action: validating their dump again is waste.
    return decide(engine, case, action.action, fields, actor, occurred_at, now, checked=True)


def decide(
    engine: Engine,
    case: Case,
    trigger: str,
    fields: dict[str, Any],
    actor: Actor,
    occurred_at: datetime,
    now: datetime,
    *,
    checked: bool = False,
) -> Event:
    """Decide the event ``trigger`` makes of ``case``; ``checked`` says ``fields`` are
    already an action model's (otherwise they meet the model here)."""
    check_occurred_at(occurred_at, now, case.last_occurred_at)
    chart = engine.chart
    spec = transition(chart, case.state, trigger)
    if not checked:
        _check_fields(trigger, fields)
    ctx = Ctx.of(engine, case, trigger, fields, actor, occurred_at)
    ctx.recorded_at = now
    try:
        for name in spec.guards:
            GUARDS[name](ctx)
        ctx.facts = {name: CONDITIONS[name](ctx) for name in spec.condition_names}
        dest = engine.machine.next_state(case.state, trigger, ctx.facts)
        effect = EFFECTS[trigger](ctx, dest)
        holder_after = effect.set.get("holder_unit", case.holder_unit)
        planned = _clocks(ctx, spec.internal, spec.reopen, dest, holder_after, spec.restarts)
    except RuleViolation as violation:
        # The rules refuse what the command asks (e.g. arbitration for a suggestion):
        # that is bad input with an article, not a crash.
        raise GuardRejected(
            violation.rule_id,
            violation.reason,
            article=str(violation.citation) if violation.citation else None,
            problem="validation-error",
            status=422,
            # The violation's own rule id is the guard's; its context never overrides it.
            **{k: v for k, v in violation.context.items() if k != "rule"},
        ) from violation
    payload: dict[str, Any] = {
        "trigger": trigger,
        "fields": fields,
        "from": case.state,
        "to": dest,
        "facts": ctx.facts,
        "set": effect.set,
        "append": effect.append,
        "clocks": planned,
    }
    return recorded(ctx, chart, now, payload)


def transition(chart: Chart, state: str, trigger: str) -> TransitionSpec:
    """The chart's move for ``trigger`` from ``state``; refused when the chart has none."""
    specs = chart.transitions_from(state, trigger)
    if not specs:
        raise IllegalTransition(state, trigger, chart.actions_from(state))
    return specs[0]


def recorded(ctx: Ctx, chart: Chart, now: datetime, payload: dict[str, Any]) -> Event:
    """The event that records a decided move of ``chart``, next in the matter's chain."""
    return ctx.case.next_event(
        chart.triggers[ctx.trigger].event,
        occurred_at=ctx.occurred_at,
        recorded_at=now,
        actor=ctx.actor.sub,
        unit=ctx.actor.unit,
        payload=payload,
    )


def _check_fields(trigger: str, fields: dict[str, Any]) -> None:
    """``decide`` is a boundary too: a caller's raw fields meet the action's model."""
    if trigger not in ACTION_NAMES:
        return  # system triggers (lapse) carry no caller fields
    try:
        ACTION_ADAPTER.validate_python({"action": trigger, **fields})
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise InvalidCommand(f"invalid fields for {trigger}: {problems}", errors=problems) from None


def _clocks(
    ctx: Ctx, internal: bool, reopen: bool, dest: str, holder: str, restarts: tuple[str, ...]
) -> clocks.Clocks:
    if ctx.trigger == "extend":
        return clocks.merge(clocks.extend(ctx), notice_clocks.extension_notice(ctx, holder))
    if ctx.trigger == "deliver":
        return notice_clocks.deliver(ctx, holder)
    if ctx.trigger == "notify":
        return clocks.merge(notice_clocks.notify(ctx), notice_clocks.receipt_shift(ctx, set()))
    if ctx.trigger == "hearing_start":
        return clocks.pause(ctx)
    if ctx.trigger == "hearing_end":
        return clocks.resume(ctx)
    if ctx.trigger == "implemented":
        return clocks.implemented(ctx)
    if internal:
        return clocks.empty_clocks()
    moved = clocks.plan_move(ctx, ctx.case.state, dest, holder, restarts)
    if ctx.trigger == "reopen_window":
        return clocks.merge(moved, clocks.recomputed(ctx))
    # A receiving organ's own receipt date moves the clocks this move leaves running.
    moved = clocks.merge(
        moved, notice_clocks.receipt_shift(ctx, {c["id"] for c in moved["closed"]})
    )
    # 第三十二条第二款: a supported reply arms the implementation check; a review that sets
    # the opinion aside cancels it.
    moved = clocks.merge(moved, clocks.implementation(ctx, holder))
    if reopen:
        window = "review_request" if ctx.trigger == "request_review" else "re_review_request"
        return clocks.merge(clocks.reopen_window(ctx, window), moved)
    return moved
