"""The dossier (案卷): the whole file of one matter, from its projection and its events.

Everything here is read from the recorded history; the web layer decides how the
petitioners may be shown (masking by role) and passes them in already presented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.domain.case import Case
from workflow.domain.events import GENESIS, Event
from workflow.statechart import Chart


def chain_status(events: list[Event]) -> dict[str, Any]:
    """This matter's own chain: seq run, links and recomputed hashes."""
    problem = _first_break(events)
    return {
        "ok": problem is None,
        "events": len(events),
        "last_hash": events[-1].hash if events else None,
        "first_broken": problem,
    }


def _first_break(events: list[Event]) -> dict[str, Any] | None:
    """The first event, in seq order, out of sequence, unlinked or not matching its hash."""
    prev_hash = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.seq != expected:
            return {"seq": event.seq, "reason": f"sequence gap: expected seq {expected}"}
        if event.prev_hash != prev_hash:
            if expected == 1:
                return {"seq": event.seq, "reason": "the first event does not start the chain"}
            return {"seq": event.seq, "reason": "prev_hash does not link"}
        if event.computed_hash() != event.hash:
            return {"seq": event.seq, "reason": "hash does not match the event's content"}
        prev_hash = event.hash
    return None


def _titles(chart: Chart) -> dict[str, str]:
    titles = {spec.event: spec.title for spec in chart.triggers.values()}
    titles.setdefault("personal_data_redacted", "个人信息删除")
    return titles


def _transfers(case: Case, events: list[Event]) -> list[dict[str, Any]]:
    """Every change of the unit holding the matter, with the event that made it."""
    out: list[dict[str, Any]] = []
    holder = case.intake_unit
    for event in events:
        to_unit = event.payload.get("set", {}).get("holder_unit")
        if to_unit is None or to_unit == holder:
            continue
        fields = event.payload.get("fields", {})
        out.append(
            {
                "seq": event.seq,
                "type": event.type,
                "occurred_at": event.occurred_at.isoformat(),
                "from_unit": holder,
                "to_unit": to_unit,
                "mode": fields.get("mode"),
                "by": event.actor,
                "by_unit": event.unit,
                "details": fields,
            }
        )
        holder = to_unit
    return out


def build(
    case: Case,
    events: list[Event],
    chart: Chart,
    petitioners: list[dict[str, Any]],
    generated_at: datetime,
) -> dict[str, Any]:
    doc = case.to_doc()
    titles = _titles(chart)
    state = chart.states.get(case.state)
    timeline = [
        {
            "seq": e.seq,
            "type": e.type,
            "title": titles.get(e.type, e.type),
            "occurred_at": e.occurred_at.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
            "actor": e.actor,
            "unit": e.unit,
            "from": e.payload.get("from"),
            "to": e.payload.get("to"),
            "fields": e.payload.get("fields", {}),
            "hash": e.hash,
        }
        for e in events
    ]
    notices = [
        {"kind": kind, **value}
        for kind in ("decline", "objection", "withdrawal")
        if isinstance(value := doc.get(kind), dict)
    ]
    if case.diverted_to:
        notices.append({"kind": "diverted", "to": case.diverted_to})
    return {
        "petition": {
            "id": case.id,
            "number": case.number,
            "subject": case.subject,
            "content": case.content,
            "channel": case.channel,
            "received_at": case.received_at.isoformat(),
            "intake_unit": case.intake_unit,
            "holder_unit": case.holder_unit,
            "location_unit": case.location_unit,
            "state": case.state,
            "state_title": state.title if state is not None else case.state,
            "rule_set": case.rule_set,
            "chart": case.chart,
            "version": case.version,
            "headcount": case.headcount,
            "representatives": case.representatives,
            "accepted_on": case.accepted_on,
            "closed_on": case.closed_on,
            "leader": case.leader,
            "units_involved": case.units_involved,
        },
        "petitioners": petitioners,
        "classification": case.classification,
        "transfers": _transfers(case, events),
        "notices": notices,
        "deadlines": [d.to_doc() for d in case.deadlines],
        "extensions": case.extensions,
        "hearings": case.hearings,
        "reply": case.reply,
        "evaluations": case.evaluations,
        "review": case.review,
        "re_review": case.re_review,
        "supervision": list(doc.get("supervision") or []),
        "timeline": timeline,
        "integrity": chain_status(events),
        "generated_at": generated_at.isoformat(),
    }
