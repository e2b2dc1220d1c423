"""``POST /v1/admin/clock``: only mounted under ``serve --clock simulated``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from api import scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from workflow.domain.actor import Role
from workflow.domain.clock import SimulatedClock

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: AwareDatetime | None = None
    advance_days: int | None = Field(default=None, ge=0, le=3650)

    @model_validator(mode="after")
    def _one_of(self) -> ClockIn:
        if (self.now is None) == (self.advance_days is None):
            raise ValueError("give exactly one of now or advance_days")
        return self


class ClockOut(BaseModel):
    now: AwareDatetime


@router.post("/clock", response_model=ClockOut, responses=responses(401, 403, 422))
def move_clock(body: ClockIn, actor: CurrentActor, c: ContainerDep) -> ClockOut:
    scope.require_role(actor, frozenset({Role.ADMIN}), "move the simulated clock")
    clock = c.clock
    if not isinstance(clock, SimulatedClock):
        raise ApiProblem(422, "validation-error", "the clock is not simulated")
    if body.now is not None:
        try:
            clock.set(body.now)
        except ValueError as exc:
            raise ApiProblem(422, "validation-error", str(exc), field="now") from None
    else:
        clock.advance(days=body.advance_days or 0)
    # Whatever fell due is fired by the scheduler on its next sweep.
    return ClockOut(now=clock.now())
