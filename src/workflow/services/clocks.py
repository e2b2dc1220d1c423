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
from rules.deadlines import DayUnit
from rules.due_dates import DueDate
from rules.provisional import LatestLastDay, latest_last_day
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
DUTY_DEFAULT_DAYS = 60


def _period(ctx: Ctx, rule: str, start: date) -> int | None:
    """A period the command sets: feedback and redo days, or the duty's last day."""
    if rule == "duty":
        due = ctx.field_date("due_on")
        # The governing law's period as the organ records it, else 60 days by analogy with
        # 第三十四条 (policy; the explanation says which).
        return (due - start).days if due is not None else DUTY_DEFAULT_DAYS
    field = _PERIOD_FIELD.get(rule)
    value = ctx.fields.get(field) if field else None
    return int(value) if value is not None else None


def _duty_note(ctx: Ctx, rule: str) -> list[str]:
    """What the duty clock rests on (第三十一条第五项 sets no period of its own)."""
    if rule != "duty":
        return []
    if ctx.fields.get("due_on"):
        return ["期限为机关依所依据的法律确定的履行或答复期限（分类时记录的 due_on）。"]
    return [
        f"所依据的法律期限未记录：参照《信访工作条例》第三十四条按{DUTY_DEFAULT_DAYS}日计算"
        "（政策）。"
    ]


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
    # A province's overlay governs the clocks of the units in its subtree.
    choice = ctx.engine.choose_rule_set(start, responsible_unit)
    rule_set = choice.rule_set
    if timer.rule not in rule_set.rules:
        return None  # e.g. the 2005 regulation has no objection window
    rule = rule_set.rules[timer.rule]
    due = compute_due(
        rule,
        rule_set.id,
        start,
        ctx.engine.calendar,
        period_days=_period(ctx, timer.rule, start),
        chosen_because=choice.because,
    )
    armed = Deadline(
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
        explanation=[],
    )
    return _with_bound(ctx.engine, armed, due, _duty_note(ctx, timer.rule))


def recompute(engine: Engine, deadline: Deadline, **changes: Any) -> Deadline:
    """The same clock with new extension days or pauses, due date from the rules again."""
    updated = replace(deadline, **changes)
    rule_set = engine.rule_book.get(updated.rule_set)
    rule = rule_set.rule(updated.rule)
    # The recorded rule set stays: it was chosen when the clock was armed, even if the
    # unit has moved since; the explanation says why it applies.
    because = engine.rule_book.explain_choice(
        rule_set, updated.trigger_on, engine.lineage(updated.responsible_unit)
    )
    due = compute_due(
        rule,
        updated.rule_set,
        updated.trigger_on,
        engine.calendar,
        period_days=updated.period_days,
        extension_days=updated.extension_days,
        pauses=[Pause(a, b) for a, b in updated.pauses],
        chosen_because=because,
    )
    return _with_bound(
        engine, replace(updated, due_on=due.due_on, provisional=due.provisional), due, []
    )


# The petitioner's windows (第三十五条、第三十六条第一款): they never lapse on a
# provisional date (Contract 1.1).
PETITIONER_WINDOWS = ("review_request", "re_review_request")


def _bound(engine: Engine, rule: str, due: DueDate) -> LatestLastDay | None:
    # Only a calendar-day window has a roll-forward bound; an overlay that counted a
    # window in working days would keep the provisional date rather than fail.
    if rule not in PETITIONER_WINDOWS or not due.provisional or due.unit is not DayUnit.CALENDAR:
        return None
    bound = latest_last_day(due, engine.calendar)
    return None if bound.settled else bound


def _with_bound(engine: Engine, deadline: Deadline, due: DueDate, notes: list[str]) -> Deadline:
    """The deadline with its explanation and, for a petitioner's window on a provisional
    date, its latest last day: the bound is walked once for both."""
    bound = _bound(engine, deadline.rule, due)
    return replace(
        deadline,
        explanation=due.explain() + notes + _provisional_note(deadline.rule, due, bound),
        latest_on=bound.latest_on if bound is not None else None,
    )


def _provisional_note(rule: str, due: DueDate, bound: LatestLastDay | None) -> list[str]:
    """What a provisional date means for this clock, in the explanation's words."""
    if not due.provisional:
        return []
    if bound is not None:
        return [
            f"申请期限不在暂定日期届满：放假安排公布前，{bound.latest_on} 24时后方届满；"
            "公布后按正式安排重新计算，过早届满的期限重新开放。",
            *bound.explain(),
        ]
    if rule in PETITIONER_WINDOWS:
        return []
    return [
        "按暂定日历计算（当年放假安排尚未公布）：公布后重新计算；机关、单位的办理期限"
        "若因此延后，此前的提醒只会提早，不损害信访人的权利。"
    ]


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
    # A request meets its window on the day it was received (第三十五条、第三十六条); any
    # other move meets its clocks on its own day (a receiving organ's ``received_on``
    # moves clocks, it does not date the move).
    requested = ctx.trigger in ("request_review", "request_re_review")
    met_on = (ctx.field_date("received_on") if requested else None) or ctx.occurred_on
    for d in ctx.case.deadlines:
        if d.rule in NOTICES and ctx.trigger in ("decline", "classify"):
            # 第二十三条第一款: a matter refused or sent elsewhere is still owed its written
            # notice (告知信访人向有权处理的机关、单位提出): only a notify meets the clock.
            continue
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


# 第三十二条第二款: a supported claim is carried out (落实). Its check belongs to no state
# of the chart: it runs on through review and after the matter has ended, so no move
# stops it (``plan_move`` closes only the clocks of the states left). ``implemented``
# meets it; a review that sets the supported opinion aside cancels it.
IMPLEMENTATION = "implement"
_OUTSIDE_THE_CHART = "implementation"  # the check's ``state``: not a state of the chart
_IMPLEMENT_NOTE = (
    "条例未规定落实期限：60日为引擎设计选择（政策，参照第三十四条），地方规定可以另定；"
    "复查、复核期间和事项办结后继续计算。"
)
# 撤销 or 责令重新办理 leaves nothing to carry out (a redone answer that supports arms a new
# check); uphold and change leave it running: the opinion, as changed, is still owed.
_SETS_ASIDE = frozenset({"revoke", "redo"})
_DECISIONS = ("review_decide", "re_review_decide")


def implementation(ctx: Ctx, responsible_unit: str) -> Clocks:
    """The implementation check a move arms (a reply that supports the claim, owed by the
    replying unit) or cancels (a review or re-review that sets the opinion aside)."""
    clocks = empty_clocks()
    if ctx.trigger == "reply" and ctx.fields.get("outcome") == "support":
        timer = TimerSpec(rule=IMPLEMENTATION, when=None, state=_OUTSIDE_THE_CHART)
        deadline = arm(ctx, timer, responsible_unit)
        if deadline is not None:
            noted = replace(deadline, explanation=[*deadline.explanation, _IMPLEMENT_NOTE])
            clocks["opened"].append(noted.to_doc())
    elif ctx.trigger in _DECISIONS and ctx.fields.get("outcome") in _SETS_ASIDE:
        on = ctx.occurred_on.isoformat()
        clocks["closed"] = [
            {"id": d.id, "status": "cancelled", "on": on}
            for d in ctx.case.open_deadlines(IMPLEMENTATION)
        ]
    return clocks


def implemented(ctx: Ctx) -> Clocks:
    """``implemented`` meets the open check on the day the opinion was carried out."""
    on = (ctx.field_date("implemented_on") or ctx.occurred_on).isoformat()
    clocks = empty_clocks()
    clocks["closed"] = [
        {"id": d.id, "status": "met", "on": on} for d in ctx.case.open_deadlines(IMPLEMENTATION)
    ]
    return clocks


NOTICES = ("notice_direct", "notice_transfer")


def recomputed(ctx: Ctx) -> Clocks:
    """The deadlines a newly loaded calendar moves (``fields["deadline_ids"]``); the
    window that lapsed too early (``fields["deadline_id"]``) runs again."""
    clocks = empty_clocks()
    reopened = ctx.fields.get("deadline_id")
    for d in ctx.case.deadlines:
        if d.id in ctx.fields["deadline_ids"]:
            fresh = recompute(ctx.engine, d)
            if d.id == reopened:
                fresh = replace(fresh, status="pending")
            clocks["changed"].append(fresh.to_doc())
    return clocks
