"""Which clocks a move arms, stops, pauses, extends or restarts, as the rules compute them.

No date arithmetic happens here: every due date comes from ``rules.compute_due`` under
the rule set in force on the day the clock's triggering event happened.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from rules import compute_due
from rules.counting import Pause
from rules.time import local_date
from workflow.domain.case import Deadline
from workflow.services.conditions import CONDITIONS
from workflow.services.context import Ctx
from workflow.services.engine import Engine
from workflow.statechart.chart import TimerSpec

Clocks = dict[str, list[dict[str, Any]]]

# The event that starts each clock (regulations.md §5 note 1); every other rule starts
# from the business day of the action that arms it.
_STARTS_FROM_FIELD = {
    "review_request": "delivered_on",  # art 35: petitioner's receipt of the written reply
    "re_review_request": "delivered_on",  # art 36: receipt of the review reply
    "review": "received_on",  # art 35: the reviewing organ's receipt of the request
    "re_review": "received_on",  # art 36: receipt of the re-review request
}
_PERIOD_FIELD = {"assign_feedback": "feedback_days", "redo": "redo_days"}


def empty_clocks() -> Clocks:
    return {"opened": [], "closed": [], "changed": []}


def trigger_date(ctx: Ctx, rule: str) -> date:
    if rule in ("route", "notice_direct"):
        return local_date(ctx.case.received_at)  # arts 22 and 23: from receipt
    field = _STARTS_FROM_FIELD.get(rule)
    if field is not None:
        return ctx.field_date(field) or ctx.occurred_on
    return ctx.occurred_on


def arm(ctx: Ctx, timer: TimerSpec, responsible_unit: str) -> Deadline | None:
    if timer.when is not None and not CONDITIONS[timer.when](ctx):
        return None
    start = trigger_date(ctx, timer.rule)
    rule_set = ctx.engine.rule_set_for(start)
    if timer.rule not in rule_set.rules:
        return None  # e.g. the 2005 regulation has no objection window
    rule = rule_set.rules[timer.rule]
    period_field = _PERIOD_FIELD.get(timer.rule)
    period = ctx.fields.get(period_field) if period_field else None
    due = compute_due(
        rule,
        rule_set.id,
        start,
        ctx.engine.calendar,
        period_days=int(period) if period is not None else None,
    )
    return Deadline(
        id=f"{ctx.case.id}-{ctx.seq}-{timer.rule}",
        rule=timer.rule,
        rule_set=rule_set.id,
        article=due.article,
        kind=rule.kind.value,
        state=timer.state,
        responsible_unit=responsible_unit,
        trigger_on=start,
        starts_on=due.starts_on,
        period_days=due.period_days,
        due_on=due.due_on,
        status="pending",
        provisional=due.provisional,
        explanation=due.explain(),
    )


def recompute(engine: Engine, deadline: Deadline, **changes: Any) -> Deadline:
    """The same clock with new extension days or pauses, due date from the rules again."""
    updated = replace(deadline, **changes)
    rule = engine.rule_book.get(updated.rule_set).rule(updated.rule)
    due = compute_due(
        rule,
        updated.rule_set,
        updated.trigger_on,
        engine.calendar,
        period_days=updated.period_days,
        extension_days=updated.extension_days,
        pauses=[Pause(a, b) for a, b in updated.pauses],
    )
    return replace(
        updated, due_on=due.due_on, provisional=due.provisional, explanation=due.explain()
    )


def _close_status(trigger: str) -> str:
    if trigger == "withdraw":
        return "cancelled"
    if trigger == "lapse":
        return "lapsed"
    return "met"


def plan_move(
    ctx: Ctx, source: str, dest: str, responsible_unit: str, restarts: tuple[str, ...]
) -> Clocks:
    """Stop the clocks of the states left, arm those of the states entered."""
    chart = ctx.engine.chart
    clocks = empty_clocks()
    left = set(chart.exited(source, dest))
    met_on = ctx.field_date("received_on") or ctx.occurred_on
    for d in ctx.case.deadlines:
        if d.open and (d.state in left or d.rule in restarts):
            status = "cancelled" if d.rule in restarts and d.state not in left else None
            clocks["closed"].append(
                {
                    "id": d.id,
                    "status": status or _close_status(ctx.trigger),
                    "on": met_on.isoformat(),
                }
            )
    timers = [t for s in chart.entered(source, dest) for t in chart.timers_of(s)]
    timers += [
        t
        for s in chart.ancestors(dest)
        if s not in chart.entered(source, dest)
        for t in chart.timers_of(s)
        if t.rule in restarts
    ]
    for timer in timers:
        deadline = arm(ctx, timer, responsible_unit)
        if deadline is not None:
            clocks["opened"].append(deadline.to_doc())
    return clocks


def reopen_window(ctx: Ctx, rule: str) -> Clocks:
    """A request received in time but recorded after the lapse: the window was used."""
    clocks = empty_clocks()
    window = ctx.case.latest(rule)
    received = ctx.field_date("received_on")
    if window is not None and received is not None and window.status == "lapsed":
        clocks["closed"].append({"id": window.id, "status": "met", "on": received.isoformat()})
    return clocks


def extend(ctx: Ctx) -> Clocks:
    clocks = empty_clocks()
    deadline = ctx.case.open_deadlines("handle")[-1]
    changed = recompute(
        ctx.engine,
        deadline,
        extension_days=deadline.extension_days + int(ctx.fields["days"]),
        times_extended=deadline.times_extended + 1,
    )
    clocks["changed"].append(changed.to_doc())
    return clocks


def _pausable(engine: Engine, deadline: Deadline) -> bool:
    return engine.rule_book.get(deadline.rule_set).rule(deadline.rule).pausable


def pause(ctx: Ctx) -> Clocks:
    """Hearing time is not counted where the rule says so (art 36 ¶2: re-review only)."""
    clocks = empty_clocks()
    for d in ctx.case.deadlines:
        if d.status == "pending" and _pausable(ctx.engine, d):
            clocks["changed"].append(
                replace(d, status="paused", paused_since=ctx.occurred_on).to_doc()
            )
    return clocks


def resume(ctx: Ctx) -> Clocks:
    clocks = empty_clocks()
    for d in ctx.case.deadlines:
        if d.status == "paused" and d.paused_since is not None:
            # The trigger day is never counted (民法典 art 201), so a hearing that starts
            # on it pauses only the days after it; B−A+1 applies to counted days.
            start = max(d.paused_since, d.trigger_on + timedelta(days=1))
            pauses = [*d.pauses, (start, ctx.occurred_on)] if start <= ctx.occurred_on else d.pauses
            changed = recompute(ctx.engine, d, pauses=pauses, status="pending", paused_since=None)
            clocks["changed"].append(changed.to_doc())
    return clocks


def merge(*parts: Clocks) -> Clocks:
    out = empty_clocks()
    for part in parts:
        for key in out:
            out[key].extend(part[key])
    return out
