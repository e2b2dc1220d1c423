"""What every supervision route shares: who reads, the scope query, the backlog policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api import scope
from workflow.domain.actor import Actor, Role
from workflow.oversight import backlog
from workflow.oversight.board import Scope
from workflow.runtime.bootstrap import Container

READERS = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
Unit = Annotated[
    str | None, Query(max_length=64, description="Defaults to the caller's own scope root.")
]
Subtree = Annotated[bool, Query(description="Include every unit below `unit`.")]
Rules = Annotated[list[str] | None, Query(max_length=20, description="Only these rule ids.")]
Limit = Annotated[int, Query(ge=1)]
Cursor = Annotated[str | None, Query(max_length=500)]


def resolve_scope(c: Container, actor: Actor, unit: str | None, subtree: bool) -> Scope:
    scope.require_role(actor, READERS, "read supervision boards")
    root = scope.oversight_root(actor, c.units)
    if root is None:
        raise scope.not_found(f"unit {actor.unit}")
    target = root if unit is None else c.units.get(unit)
    if target is None or (actor.role is not Role.ADMIN and not root.contains(target)):
        raise scope.not_found(f"unit {unit}")
    return Scope.of(target, subtree)


def policy(c: Container) -> backlog.BacklogPolicy:
    """The backlog (积案) thresholds of this deployment."""
    return backlog.BacklogPolicy(c.settings.backlog_age_days, c.settings.backlog_repeats)
