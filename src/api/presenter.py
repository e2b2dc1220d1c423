"""Turning a Case projection into the petition resource, masking personal data by role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from api import parties, scope
from api.schemas import DeadlineOut, PetitionerOut, PetitionOut
from workflow.adapters.prepared import Prepared, json_value
from workflow.adapters.repository import PERSONAL
from workflow.domain.actor import Actor, Role
from workflow.domain.case import Case, Deadline
from workflow.domain.units import UnitDirectory
from workflow.statechart import Chart


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=d.id,
        rule=d.rule,
        rule_set=d.rule_set,
        article=d.article,
        kind=d.kind,
        responsible_unit=d.responsible_unit,
        starts_on=d.starts_on,
        due_on=d.due_on,
        status=d.status,
        provisional=d.provisional,
        explanation=d.explanation,
        extension_days=d.extension_days,
        met_on=d.met_on,
    )


def _mask(value: str | None, keep_start: int, keep_end: int) -> str | None:
    if value is None:
        return None
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


# Every petition the API returns reads these rows, in the command's own transaction
# after its write: compiled once and run on the driver's cursor like the write path's
# statements (``workflow.adapters.prepared``), which saves the Core execution (~20 us).
_PERSONAL_OF = Prepared(
    select(PERSONAL.c.ref, PERSONAL.c.data).where(PERSONAL.c.case_id == bindparam("w_case"))
)


def _petitioner(ref: str, data: dict[str, Any] | None, show: bool) -> PetitionerOut:
    if data is None:
        return PetitionerOut(ref=ref, redacted=True)
    if show:
        return PetitionerOut(
            ref=ref,
            **{k: data.get(k) for k in ("name", "id_number", "phone")},
            address=data.get("address"),
        )
    return PetitionerOut(
        ref=ref,
        name=data.get("name"),
        id_number=_mask(data.get("id_number"), 4, 4),
        phone=_mask(data.get("phone"), 3, 4),
        address="***" if data.get("address") else None,
        masked=True,
    )


WITHHELD = "***"


def _withheld(ref: str, data: dict[str, Any] | None) -> PetitionerOut:
    """第三十条第三款 toward an accused unit: stronger than the supervisors' masking, the
    name goes too, and no part of a number is kept (region, birth date and the last
    digits together name a person in a county). A field given shows as ``***``, one not
    given as null, so the reader knows the holder has it."""
    if data is None:
        return PetitionerOut(ref=ref, redacted=True)
    hidden = {k: WITHHELD if data.get(k) else None for k in ("name", "id_number", "phone")}
    return PetitionerOut(
        ref=ref,
        **hidden,
        address=WITHHELD if data.get("address") else None,
        masked=True,
        confidential=True,
    )


def petitioners(
    conn: Connection, case: Case, actor: Actor, units: UnitDirectory
) -> list[PetitionerOut]:
    """The petitioners as ``actor`` may see them; every response showing a petitioner
    (the resource, lists, command responses, the dossier) is built here."""
    rows = {ref: json_value(data) for ref, data in _PERSONAL_OF.rows(conn, {"w_case": case.id})}
    if scope.identity_withheld(actor, case, units):
        return [_withheld(p["ref"], rows.get(p["ref"])) for p in case.petitioners]
    show = scope.sees_personal_data(actor, case)
    return [_petitioner(p["ref"], rows.get(p["ref"]), show) for p in case.petitioners]


def repeat_view(
    conn: Connection, repeat: dict[str, Any] | None, actor: Actor, units: UnitDirectory
) -> dict[str, Any] | None:
    """A repeat link (重复信访) as ``actor`` may see it (issue 22, F4). Detection by ID
    number links across scope, but the earlier matter's id, number and state are shown
    only to a reader of every matter the link names (its first and its previous one:
    the supervisors above both, an admin); anyone else learns that the matter is a
    repeat and what that decides, nothing of the other matter."""
    if not repeat or actor.role is Role.ADMIN:
        return repeat
    named = {repeat.get("of"), repeat.get("previous")} - {None}
    for case_id in named:
        earlier = parties.read_in(conn, str(case_id))
        if earlier is None or not scope.can_read_parties(actor, earlier, units):
            return {
                "repeat": True,
                "disposition": repeat.get("disposition"),
                "via": repeat.get("via"),
                "new_facts": repeat.get("new_facts"),
            }
    return repeat


def event_payload(
    conn: Connection, payload: dict[str, Any], actor: Actor, units: UnitDirectory
) -> dict[str, Any]:
    """An event's payload as ``actor`` may see it: a registration's repeat link through
    ``repeat_view`` (history, replay and the change feed show payloads)."""
    if not payload.get("repeat"):
        return payload
    return {**payload, "repeat": repeat_view(conn, payload["repeat"], actor, units)}


def present(
    conn: Connection, case: Case, actor: Actor, chart: Chart, units: UnitDirectory
) -> PetitionOut:
    return PetitionOut(
        id=case.id,
        number=case.number,
        state=case.state,
        version=case.version,
        rule_set=case.rule_set,
        chart=case.chart,
        intake_unit=case.intake_unit,
        holder_unit=case.holder_unit,
        location_unit=case.location_unit,
        channel=case.channel,
        received_at=case.received_at,
        subject=case.subject,
        content=case.content,
        headcount=case.headcount,
        representatives=case.representatives,
        classification=case.classification,
        deadlines=[deadline_out(d) for d in case.deadlines],
        overdue=case.overdue,
        allowed_actions=list(chart.actions_from(case.state)),
        petitioners=petitioners(conn, case, actor, units),
        transferred_by=case.transferred_by,
        transfer_mode=case.transfer_mode,
        accepted_on=case.accepted_on,
        reply=case.reply,
        review=case.review,
        re_review=case.re_review,
        evaluations=case.evaluations,
        extensions=case.extensions,
        hearings=case.hearings,
        decline=case.decline,
        withdrawal=case.withdrawal,
        objection=case.objection,
        diverted_to=case.diverted_to,
        closed_on=case.closed_on,
        units_involved=case.units_involved,
        repeat=repeat_view(conn, case.repeat, actor, units),
        leader=case.leader,
        leaders=case.leaders,
        supervision=case.supervision,
        awaiting_delivery=case.awaiting_delivery,
        notices=case.notices,
        contact_unknown=case.contact_unknown,
        accused_units=case.accused_units,
        transferred_on=case.transferred_on,
        transfer_received_on=case.transfer_received_on,
    )


def etag(case: Case) -> str:
    return f'"{case.version}"'
