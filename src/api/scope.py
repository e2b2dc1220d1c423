"""Object-level authorization: who may see and act on what. Every route asks here.

Outside the caller's scope an object does not exist for them (404, never 403, so ids
cannot be probed); a role that may never do an operation gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from api.problems import ApiProblem
from workflow.domain.actor import Actor, Role
from workflow.domain.case import Case
from workflow.domain.units import Unit, UnitDirectory, supervision_root

ACTING_ROLES = frozenset({Role.HANDLER, Role.REGISTRAR})
SUBTREE_READERS = frozenset({Role.SUPERVISOR, Role.AUDITOR})
PERSONAL_DATA_ROLES = frozenset({Role.HANDLER, Role.REGISTRAR})


def not_found(what: str) -> ApiProblem:
    return ApiProblem(404, "not-found", f"no {what}")


def forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", detail)


def require_role(actor: Actor, roles: frozenset[Role], operation: str) -> None:
    if actor.role not in roles:
        raise forbidden(f"role {actor.role.value} may not {operation}")


@dataclass(frozen=True)
class Parties:
    """What scope looks at in a matter: its holder and every unit it involves (holder,
    intake and each unit it has passed through). A command checks these without loading
    the whole matter (``api.parties.read``)."""

    case_id: str
    holder_unit: str
    units: frozenset[str]

    @classmethod
    def of(cls, case: Case) -> Parties:
        return cls(case.id, case.holder_unit, _units(case))


def _units(case: Case) -> frozenset[str]:
    return frozenset({case.holder_unit, case.intake_unit, *case.units_involved})


def oversight_root(actor: Actor, units: UnitDirectory) -> Unit | None:
    """The top of what the actor reads by subtree: a supervisor at a petition bureau
    oversees its whole government (the bureau's parent), see ``supervision_root``."""
    unit = units.get(actor.unit)
    if unit is not None and actor.role is Role.SUPERVISOR:
        return supervision_root(unit, units)
    return unit


def _in_subtree(root: Unit | None, codes: Iterable[str], units: UnitDirectory) -> bool:
    if root is None:
        return False
    for code in codes:
        unit = units.get(code)
        if unit is not None and root.contains(unit):
            return True
    return False


def can_read(actor: Actor, case: Case, units: UnitDirectory) -> bool:
    return _reads(actor, _units(case), units)


def can_read_parties(actor: Actor, parties: Parties, units: UnitDirectory) -> bool:
    """``can_read`` from the matter's parties alone (``api.parties.read``)."""
    return _reads(actor, parties.units, units)


def _reads(actor: Actor, involved: frozenset[str], units: UnitDirectory) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.role in SUBTREE_READERS:
        return _in_subtree(oversight_root(actor, units), involved, units)
    if actor.role in ACTING_ROLES:
        return actor.unit in involved
    return False


def can_act_on(actor: Actor, parties: Parties, units: UnitDirectory) -> bool:
    """Units involved, or an organ above the holder (review and re-review are recorded
    by the parent organ); whether it may do *this* action is the domain's guard."""
    if actor.role not in ACTING_ROLES:
        return False
    return actor.unit in parties.units or _in_subtree(
        oversight_root(actor, units), {parties.holder_unit}, units
    )


def readable(actor: Actor, case: Case, units: UnitDirectory) -> Case:
    if not can_read(actor, case, units):
        raise not_found(f"petition {case.id}")
    return case


def readable_parties(
    actor: Actor, matter: Parties, units: UnitDirectory, what: str | None = None
) -> Parties:
    """``readable`` on a matter's parties: 404 (``what``, default the petition) when the
    caller may not read it, the same answer as for an unknown id."""
    if not can_read_parties(actor, matter, units):
        raise not_found(what or f"petition {matter.case_id}")
    return matter


def require_acting(actor: Actor) -> None:
    """403 for a role that may never act on petitions (checked before any matter is read)."""
    require_role(actor, ACTING_ROLES, "act on petitions")


def actionable(actor: Actor, parties: Parties, units: UnitDirectory) -> None:
    require_acting(actor)
    if not can_act_on(actor, parties, units):
        raise not_found(f"petition {parties.case_id}")


def sees_personal_data(actor: Actor, case: Case) -> bool:
    return actor.role in PERSONAL_DATA_ROLES and actor.unit in _units(case)


def identity_withheld(actor: Actor, case: Case, units: UnitDirectory) -> bool:
    """《信访工作条例》第三十条第三款: the petitioner's identity is never shown to a unit
    the matter accuses or a unit below one, whichever role asks, while the accused units
    bind (``Case.confidential``). It overrides ``sees_personal_data``: a handler there
    that holds or held the matter is withheld it too.

    Below counts because a unit below answers to the accused one; an unknown unit (an
    admin's) is judged by its own code.
    """
    if not case.confidential:
        return False
    unit = units.get(actor.unit)
    lineage = unit.lineage if unit is not None else (actor.unit,)
    return any(code in case.accused_units for code in lineage)


def may_register(actor: Actor) -> None:
    # Which unit kind may register is the domain's rule (registration guards).
    require_role(actor, ACTING_ROLES, "register petitions")


def unit_visible(actor: Actor, unit: Unit) -> bool:
    """The organisation tree is not secret: every signed-in role may read it."""
    return True
