"""Timer rows derived from deadlines: what must wake the system up, and when.

A breach fires at 24:00 of the due day (Asia/Shanghai) — the period ends then, so the
first instant of the next day is when it is missed. A window lapses at the same moment.
A warning fires at the start of the day ``warning_days`` before the due day.
The timer id includes the due day, so a moved deadline gets a new timer and the old one
is cancelled: an event keyed by a timer id can never be appended twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rules.time import end_of_day, start_of_day
from workflow.domain.case import Deadline


@dataclass(frozen=True)
class TimerPlan:
    id: str
    case_id: str
    deadline_id: str
    kind: str  # warning | breach | lapse
    due_at: datetime


def timer_id(deadline_id: str, kind: str, day: str) -> str:
    """The id of a deadline's timer of ``kind`` for ``day`` (ISO): verify names timers
    by it too, from an event's hashed payload."""
    return f"{deadline_id}:{kind}:{day}"


def plan_timers(case_id: str, deadline: Deadline, warning_days: int) -> list[TimerPlan]:
    if deadline.status != "pending":
        return []
    due = deadline.due_on.isoformat()
    if deadline.kind == "window":
        # A petitioner's window on a provisional date lapses only after its latest
        # possible last day (``Deadline.latest_on``); the id names the day it lapses.
        last = deadline.lapses_after
        return [
            TimerPlan(
                timer_id(deadline.id, "lapse", last.isoformat()),
                case_id,
                deadline.id,
                "lapse",
                end_of_day(last),
            )
        ]
    plans = [
        TimerPlan(
            timer_id(deadline.id, "breach", due),
            case_id,
            deadline.id,
            "breach",
            end_of_day(deadline.due_on),
        )
    ]
    warn_on = deadline.due_on - timedelta(days=warning_days)
    if warning_days > 0 and warn_on > deadline.trigger_on and not deadline.warned:
        plans.append(
            TimerPlan(
                timer_id(deadline.id, "warning", due),
                case_id,
                deadline.id,
                "warning",
                start_of_day(warn_on),
            )
        )
    return plans
