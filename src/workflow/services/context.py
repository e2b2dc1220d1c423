"""What a guard, a condition or a clock may look at when a command is decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rules.time import local_date
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.services.engine import Engine


@dataclass
class Ctx:
    engine: Engine
    case: Case
    trigger: str
    fields: dict[str, Any]
    actor: Actor
    occurred_at: datetime
    occurred_on: date
    seq: int
    facts: dict[str, bool] = field(default_factory=dict)
    # When the event is recorded (the decision's "now"): a date the command reports, such
    # as a delivery, cannot lie after it.
    recorded_at: datetime | None = None

    @classmethod
    def of(
        cls,
        engine: Engine,
        case: Case,
        trigger: str,
        fields: dict[str, Any],
        actor: Actor,
        occurred_at: datetime,
    ) -> Ctx:
        """The context of the next event of ``case``."""
        return cls(
            engine=engine,
            case=case,
            trigger=trigger,
            fields=fields,
            actor=actor,
            occurred_at=occurred_at,
            occurred_on=local_date(occurred_at),
            seq=case.version + 1,
        )

    @property
    def recorded_on(self) -> date:
        return local_date(self.recorded_at) if self.recorded_at is not None else self.occurred_on

    def field_date(self, name: str) -> date | None:
        value = self.fields.get(name)
        return date.fromisoformat(value) if isinstance(value, str) else None
