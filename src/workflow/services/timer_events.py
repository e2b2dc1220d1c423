"""Decide the system event a due timer records, or that it records nothing.

Pure: the sweep hands in the case as stored and the timer row as a plan; nothing is
written here. Every event's ``occurred_at`` is the instant the timer fell due, unless the
matter already has a later event (a timer swept late after a human action was recorded):
history never runs backwards, so the event then occurs at that later instant and its
payload keeps the real due instant in ``due_at``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from rules.time import local_date
from workflow.domain.actor import SYSTEM_ACTOR
from workflow.domain.case import Case, Deadline
from workflow.domain.events import Event
from workflow.services import clocks
from workflow.services.decide import decide
from workflow.services.engine import Engine
from workflow.services.timers import TimerPlan, plan_timers

# The windows whose lapse moves the matter on (art 35/36: the answer becomes final),
# keyed by the state in which that window runs.
_LAPSE_MOVES = {"replied": "review_request", "review_replied": "re_review_request"}


def live_deadline(engine: Engine, case: Case, timer: TimerPlan) -> Deadline | None:
    """The deadline the timer still stands for, or None when it was met, moved or stopped."""
    try:
        deadline = case.deadline(timer.deadline_id)
    except KeyError:
        return None
    planned = plan_timers(case.id, deadline, engine.settings.warning_days)
    return deadline if any(p.id == timer.id for p in planned) else None


def occurred_at(case: Case, timer: TimerPlan) -> datetime:
    return max(timer.due_at, case.last_occurred_at)


def decide_timer(
    engine: Engine,
    case: Case,
    timer: TimerPlan,
    now: datetime,
    supervisor_of: Callable[[str], str | None],
) -> Event | None:
    """The event for a due timer; None when its deadline no longer waits for it.

    ``supervisor_of`` names the unit that supervises a responsible unit; it is asked
    only when a breach opens a supervision item.
    """
    deadline = live_deadline(engine, case, timer)
    if deadline is None:
        return None
    if timer.kind == "lapse" and _LAPSE_MOVES.get(case.state) == deadline.rule:
        fields = {"deadline_id": deadline.id, "rule": deadline.rule, **_due(deadline, timer)}
        return decide(engine, case, "lapse", fields, SYSTEM_ACTOR, occurred_at(case, timer), now)
    if timer.kind == "warning":
        changed = replace(deadline, warned=True)
        return _system_event(case, timer, now, "deadline_warned", changed, {})
    if timer.kind == "breach":
        changed = replace(
            deadline, status="breached", breached_on=deadline.due_on + timedelta(days=1)
        )
        extra: dict[str, Any] = {"responsible_unit": deadline.responsible_unit}
        # One item per obligation: a bureau may have opened it by hand before the sweep
        # came (第四十条 does not wait for the timer); the breach is recorded all the same.
        if not any(item.get("deadline_id") == deadline.id for item in case.supervision):
            supervisor = supervisor_of(deadline.responsible_unit)
            extra["supervision"] = _open_item(deadline, supervisor, case, timer)
        return _system_event(case, timer, now, "deadline_breached", changed, extra)
    changed = replace(deadline, status="lapsed")
    return _system_event(case, timer, now, "deadline_lapsed", changed, {})


def _open_item(
    deadline: Deadline, supervisor: str | None, case: Case, timer: TimerPlan
) -> dict[str, Any]:
    """The supervision item a breach opens (statecharts/supervision.yaml, ``open_item``)."""
    return {
        "trigger": "open_item",
        "to": "opened",
        "opened_for": supervisor,
        "item": {
            "id": f"{deadline.id}:sv",
            "deadline_id": deadline.id,
            "rule": deadline.rule,
            "article": deadline.article,
            "ground": "breach",  # 拖延 that a clock measured (rules.supervision)
            "responsible_unit": deadline.responsible_unit,
            "supervising_unit": supervisor,
            "state": "opened",
            "opened_on": local_date(occurred_at(case, timer)).isoformat(),
            "due_on": deadline.due_on.isoformat(),
        },
    }


def _due(deadline: Deadline, timer: TimerPlan) -> dict[str, Any]:
    return {"due_on": deadline.due_on.isoformat(), "due_at": timer.due_at.isoformat()}


def _system_event(
    case: Case,
    timer: TimerPlan,
    now: datetime,
    type_: str,
    changed: Deadline,
    extra: dict[str, Any],
) -> Event:
    payload: dict[str, Any] = {
        "deadline_id": changed.id,
        "rule": changed.rule,
        "kind": timer.kind,
        **_due(changed, timer),
        **extra,
        "clocks": {**clocks.empty_clocks(), "changed": [changed.to_doc()]},
    }
    return _seal(case, type_, occurred_at(case, timer), now, payload)


def decide_recompute(
    engine: Engine, case: Case, deadline_ids: set[str], reason: str, now: datetime
) -> Event | None:
    """Provisional deadlines computed again under a newly loaded calendar.

    Only deadlines whose computation actually changed are recorded; None if none did.
    A petitioner's window that lapsed before its recomputed last day had passed lapsed
    too early: while that day has not passed yet, the matter it closed opens again
    (``window_reopened``, Contract 1.1); otherwise the window keeps its lapse and its
    recomputed dates (``deadline_recomputed``).
    """
    changed: list[Deadline] = []
    moves: list[dict[str, Any]] = []
    reopened: Deadline | None = None
    for deadline in case.deadlines:
        if deadline.id not in deadline_ids or deadline.status not in _RECOMPUTED:
            continue
        fresh = clocks.recompute(engine, deadline)
        if fresh == deadline:
            continue
        lapsed = deadline.status == "lapsed"
        if lapsed and fresh.lapses_after <= deadline.lapses_after:
            continue  # it lapsed no earlier than it should have: nothing to correct
        changed.append(fresh)
        moves.append(
            {
                "deadline_id": deadline.id,
                "rule": deadline.rule,
                "old_due_on": deadline.due_on.isoformat(),
                "new_due_on": fresh.due_on.isoformat(),
                "provisional": fresh.provisional,
                **({"lapsed_too_early": True} if lapsed else {}),
            }
        )
        if lapsed and _reopens(case, deadline, fresh, now):
            reopened = deadline
    if not changed:
        return None
    if reopened is not None:
        fields = {
            "deadline_id": reopened.id,
            "rule": reopened.rule,
            "deadline_ids": [d.id for d in changed],
            "reason": reason,
            "recomputed": moves,
        }
        at = max(now, case.last_occurred_at)
        return decide(engine, case, "reopen_window", fields, SYSTEM_ACTOR, at, now)
    payload: dict[str, Any] = {
        "reason": reason,
        "recomputed": moves,
        "clocks": {**clocks.empty_clocks(), "changed": [d.to_doc() for d in changed]},
    }
    return _seal(case, "deadline_recomputed", max(now, case.last_occurred_at), now, payload)


_RECOMPUTED = ("pending", "paused", "lapsed")


def _reopens(case: Case, lapsed: Deadline, fresh: Deadline, now: datetime) -> bool:
    """The lapse of this window closed the matter, and its corrected last day has not
    passed: the petitioner may still use it."""
    window = case.latest(lapsed.rule)
    return (
        case.state == "closed"
        and lapsed.rule in _LAPSE_MOVES.values()
        and window is not None
        and window.id == lapsed.id
        and local_date(now) <= fresh.lapses_after
    )


def recomputed_moves(event: Event) -> list[dict[str, Any]]:
    """What a recompute event moved (``deadline_recomputed`` or ``window_reopened``)."""
    if event.type == "window_reopened":
        return list(event.payload["fields"]["recomputed"])
    return list(event.payload["recomputed"])


def _seal(
    case: Case, type_: str, occurred: datetime, now: datetime, payload: dict[str, Any]
) -> Event:
    return case.next_event(
        type_,
        occurred_at=occurred,
        recorded_at=now,
        actor=SYSTEM_ACTOR.sub,
        unit=SYSTEM_ACTOR.unit,
        payload=payload,
    )
