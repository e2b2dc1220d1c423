"""``POST /v1/admin/clock``: only mounted under ``serve --clock simulated``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, model_validator

from api import scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import responses
from workflow.domain.actions import Instant
from workflow.domain.actor import Role
from workflow.timers.sweep import advance_clock

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: Instant | None = None
    advance_days: StrictInt | None = Field(default=None, ge=0, le=3650)

    @model_validator(mode="after")
    def _one_of(self) -> ClockIn:
        if (self.now is None) == (self.advance_days is None):
            raise ValueError("give exactly one of now or advance_days")
        return self


class ClockOut(BaseModel):
    now: AwareDatetime
    fired: int = Field(description="Timers fired while the clock moved, in due order.")
    cancelled: int
    failed: int


@router.post("/clock", response_model=ClockOut, responses=responses(401, 403, 422))
def move_clock(body: ClockIn, actor: CurrentActor, c: ContainerDep) -> ClockOut:
    """Move the simulated clock; everything that falls due fires before the call returns."""
    scope.require_role(actor, frozenset({Role.ADMIN}), "move the simulated clock")
    report = advance_clock(c, now=body.now, advance_days=body.advance_days)
    return ClockOut(
        now=report.now,
        fired=len(report.fired),
        cancelled=len(report.cancelled),
        failed=len(report.failed),
    )
