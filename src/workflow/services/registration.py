"""Registration (登记): the first event of a matter, and where its personal data goes.

Personal data (names, ID numbers, phones, addresses) never enters the hashed event: the
event keeps a reference and a salted digest per petitioner, the data itself is stored
beside the log, so it can be redacted later while every chain still verifies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rules import UnitKind
from rules.admissibility import check_representatives
from rules.time import local_date
from workflow.domain.actions import Channel, Register
from workflow.domain.actor import Actor, Role
from workflow.domain.case import Case
from workflow.domain.errors import Forbidden, GuardRejected, InvalidCommand
from workflow.domain.events import GENESIS, Event, canonical_json
from workflow.services import clocks
from workflow.services.context import Ctx
from workflow.services.engine import Engine


@dataclass(frozen=True)
class PersonalRecord:
    ref: str
    salt: str
    digest: str
    data: dict[str, Any]


def personal_digest(salt: str, data: dict[str, Any]) -> str:
    """The salted digest the registration event keeps in place of a petitioner's data."""
    return hashlib.sha256(salt.encode() + canonical_json(data)).hexdigest()


def personal_record(index: int, data: dict[str, Any]) -> PersonalRecord:
    salt = secrets.token_hex(16)
    return PersonalRecord(
        ref=f"p{index + 1}", salt=salt, digest=personal_digest(salt, data), data=data
    )


def _check_intake(engine: Engine, actor: Actor, intake_unit: str) -> None:
    unit = engine.unit(intake_unit)
    if actor.role != Role.SYSTEM and intake_unit != actor.unit:
        raise Forbidden("a matter is registered at the registering officer's own unit")
    if actor.role == Role.REGISTRAR and unit.kind != UnitKind.PETITION_BUREAU:
        raise Forbidden("registrars register at a petition bureau (信访部门)")


def _accused_units(engine: Engine, codes: list[str]) -> list[str]:
    """The accused units, each an existing unit, in the order named and once each.

    Accepted for any matter: its type is set only by ``classify``, and the names bind
    until then (``Case.confidential``), so they must be known from the first event.
    """
    for code in codes:
        if engine.find_unit(code) is None:
            raise InvalidCommand(f"unknown unit {code}", field="accused_units", unit=code)
    return list(dict.fromkeys(codes))


def decide_registration(
    engine: Engine,
    command: Register,
    actor: Actor,
    now: datetime,
    *,
    case_id: str,
    number: str,
    repeat: dict[str, Any] | None = None,
) -> tuple[Event, list[PersonalRecord]]:
    received_at = command.received_at or now
    if received_at > now:
        raise InvalidCommand("received_at is in the future", field="received_at")
    intake_unit = command.intake_unit or actor.unit
    _check_intake(engine, actor, intake_unit)
    if command.location_unit is not None:
        engine.unit(command.location_unit)
    accused = _accused_units(engine, command.accused_units)
    received_on = local_date(received_at)
    try:
        rule_set = engine.rule_set_for(received_on)
    except InvalidCommand as refused:
        # Bounded below by the first rule set (信访条例, in force from 2005-05-01): a
        # matter received before any petition regulation has no law to run on.
        raise InvalidCommand(str(refused), field="received_at") from None
    # 第二十条第三款 (2005: 第十八条第二款): “多人采用走访形式提出共同的信访事项的，应当推选代表，
    # 代表人数不得超过5人” — visits only; a joint letter or online petition with many
    # signatories registers as it is.
    verdict = check_representatives(rule_set, command.representatives)
    if command.channel is Channel.VISIT and not verdict.ok:
        raise GuardRejected(
            verdict.rule_id,
            verdict.reason,
            article=str(verdict.citation) if verdict.citation else None,
            problem="validation-error",
            status=422,
            field="representatives",
        )
    records = [
        personal_record(i, p.model_dump(mode="json", exclude_none=True))
        for i, p in enumerate(command.petitioners)
    ]
    payload: dict[str, Any] = {
        "number": number,
        "chart": engine.chart.key,
        "rule_set": rule_set.id,
        "channel": command.channel.value,
        "received_at": received_at.isoformat(),
        "intake_unit": intake_unit,
        "location_unit": command.location_unit,
        "subject": command.subject,
        "content": command.content,
        "headcount": command.headcount,
        "representatives": command.representatives,
        "petitioners": [{"ref": r.ref, "digest": r.digest} for r in records],
        "to": engine.chart.initial,
    }
    if repeat is not None:
        payload["repeat"] = repeat
    if command.contact_unknown:
        payload["contact_unknown"] = True
    if accused:
        # Only when named, so a registration naming no one hashes as it always did.
        payload["accused_units"] = accused
    draft = Case(
        id=case_id,
        number=number,
        chart=engine.chart.key,
        rule_set=rule_set.id,
        state=engine.chart.initial,
        version=0,
        channel=command.channel.value,
        received_at=received_at,
        intake_unit=intake_unit,
        holder_unit=intake_unit,
        location_unit=command.location_unit,
        subject=command.subject,
        content=command.content,
        headcount=command.headcount,
        representatives=command.representatives,
        petitioners=payload["petitioners"],
        last_hash=GENESIS,
        last_occurred_at=received_at,
        repeat=repeat,
        contact_unknown=command.contact_unknown,
        accused_units=accused,
    )
    ctx = Ctx.of(engine, draft, "register", {}, actor, received_at)
    opened = clocks.empty_clocks()
    for state in reversed(engine.chart.ancestors(engine.chart.initial)):
        for timer in engine.chart.timers_of(state):
            deadline = clocks.arm(ctx, timer, intake_unit)
            if deadline is not None:
                opened["opened"].append(deadline.to_doc())
    payload["clocks"] = opened
    # The draft is version 0 at GENESIS: its next event is seq 1, linked to GENESIS.
    event = draft.next_event(
        "registered",
        occurred_at=received_at,
        recorded_at=now,
        actor=actor.sub,
        unit=actor.unit,
        payload=payload,
    )
    return event, records
