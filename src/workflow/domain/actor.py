"""Who is acting: the authenticated principal, as the domain needs it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REGISTRAR = "registrar"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    sub: str
    role: Role
    unit: str


SYSTEM_ACTOR = Actor(sub="system", role=Role.SYSTEM, unit="system")
# The petitioner acting alone through the public routes (query code, no token): not a
# unit, so the fold never makes it a party, and no token can claim it (role system).
PETITIONER_ACTOR = Actor(sub="petitioner", role=Role.SYSTEM, unit="system")
