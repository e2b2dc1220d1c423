"""Fold: apply one recorded event to the case projection.

The same function builds the projection when a command is accepted and rebuilds it on
replay. A state change is re-derived through the shared machine from the recorded facts;
if it does not land where the event says, the history and the chart disagree and the
fold refuses to go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from rules.time import local_date
from workflow.domain.case import SETTABLE, Case, Deadline
from workflow.domain.errors import IntegrityFailure
from workflow.domain.events import Event
from workflow.statechart import ChartMachine
from workflow.statechart.machine import IllegalMove


def new_case(event: Event) -> Case:
    p = event.payload
    case = Case(
        id=event.case_id,
        number=p["number"],
        chart=p["chart"],
        rule_set=p["rule_set"],
        state=p["to"],
        version=0,
        channel=p["channel"],
        received_at=datetime.fromisoformat(p["received_at"]),
        intake_unit=p["intake_unit"],
        holder_unit=p["intake_unit"],
        location_unit=p.get("location_unit"),
        subject=p["subject"],
        content=p["content"],
        headcount=p["headcount"],
        representatives=p["representatives"],
        petitioners=list(p["petitioners"]),
        last_hash=event.prev_hash,
        last_occurred_at=event.occurred_at,
        repeat=p.get("repeat"),
        contact_unknown=bool(p.get("contact_unknown", False)),
        accused_units=list(p.get("accused_units", [])),
    )
    return case


def fold_events(machine: ChartMachine, events: Iterable[Event]) -> Case | None:
    """The matter its history makes (None for no history)."""
    case: Case | None = None
    for event in events:
        case = apply(machine, case, event)
    return case


def apply(machine: ChartMachine, case: Case | None, event: Event) -> Case:
    if case is None:
        if event.type != "registered":
            raise IntegrityFailure(f"case {event.case_id} does not start with registration")
        case = new_case(event)
    else:
        _move(machine, case, event)
    p = event.payload
    for key, value in p.get("set", {}).items():
        if key not in SETTABLE:
            raise IntegrityFailure(f"event {event.seq} sets unknown field {key}")
        setattr(case, key, value)
    for key, value in p.get("append", {}).items():
        getattr(case, key).append(value)
    _apply_clocks(case, p.get("clocks", {}))
    if "supervision" in p:
        _supervise(machine, case, event)
    # The units that have held the matter (its intake, each transfer, objection,
    # overruling, review and re-review moves it): never merely the unit that acted, so
    # no action widens who reads the matter (api.scope). Replay folds the same way.
    if case.holder_unit not in case.units_involved:
        case.units_involved.append(case.holder_unit)
    case.version = event.seq
    case.last_hash = event.hash
    case.last_occurred_at = event.occurred_at
    return case


def _move(machine: ChartMachine, case: Case, event: Event) -> None:
    p = event.payload
    trigger = p.get("trigger")
    if trigger is None:
        return  # a clock or supervision event: no state change
    if p.get("from") != case.state:
        raise IntegrityFailure(
            f"event {event.seq} of case {case.id} starts from {p.get('from')}, "
            f"but the case was in {case.state}"
        )
    landed = machine.next_state(case.state, trigger, p.get("facts", {}))
    if landed != p.get("to"):
        raise IntegrityFailure(
            f"event {event.seq} of case {case.id} says {p.get('to')}, the chart gives {landed}"
        )
    case.state = landed


def _supervise(machine: ChartMachine, case: Case, event: Event) -> None:
    """A supervision item's step, re-derived through the supervision chart's machine."""
    step: dict[str, Any] = event.payload["supervision"]
    trigger = step.get("trigger", "open_item")
    record = {
        "trigger": trigger,
        "on": local_date(event.occurred_at).isoformat(),
        "seq": event.seq,
        "actor": event.actor,
        "unit": event.unit,
        "note": step.get("fields", {}).get("note"),
    }
    if trigger == "open_item":
        item = dict(step["item"]) if "item" in step else _legacy_item(event)
        item["history"] = [record]
        case.supervision.append(item)
        return
    try:
        item = case.supervision_item(step["item"])
        sub = machine.companion("supervision")
        landed = sub.next_state(item["state"], trigger, {})
    except (KeyError, IllegalMove) as exc:
        raise IntegrityFailure(
            f"event {event.seq} of case {case.id}: supervision step {trigger} cannot apply ({exc})"
        ) from None
    if step.get("from") != item["state"] or landed != step.get("to"):
        raise IntegrityFailure(
            f"event {event.seq} of case {case.id}: supervision item {item['id']} moves "
            f"{step.get('from')}->{step.get('to')}, the chart gives {item['state']}->{landed}"
        )
    item["state"] = landed
    item.update(step.get("set", {}))
    item["history"].append(record)


def _legacy_item(event: Event) -> dict[str, Any]:
    """Breach events written before items had their own lifecycle named only the bureau."""
    p = event.payload
    return {
        "id": f"{p['deadline_id']}:sv",
        "deadline_id": p["deadline_id"],
        "rule": p["rule"],
        "article": p.get("article", ""),
        "responsible_unit": p.get("responsible_unit"),
        "supervising_unit": p["supervision"].get("opened_for"),
        "state": "opened",
        "opened_on": local_date(event.occurred_at).isoformat(),
        "due_on": p.get("due_on"),
    }


def _apply_clocks(case: Case, clocks: dict[str, list[dict[str, Any]]]) -> None:
    for closed in clocks.get("closed", []):
        deadline = case.deadline(closed["id"])
        on = date.fromisoformat(closed["on"])
        if deadline.status == "breached":
            deadline.met_on = on  # late is still late: the breach stays on record
            continue
        deadline.status = closed["status"]
        if closed["status"] == "met":
            deadline.met_on = on
    for doc in clocks.get("changed", []):
        changed = Deadline.from_doc(doc)
        index = next(i for i, d in enumerate(case.deadlines) if d.id == changed.id)
        case.deadlines[index] = changed
    for doc in clocks.get("opened", []):
        case.deadlines.append(Deadline.from_doc(doc))
