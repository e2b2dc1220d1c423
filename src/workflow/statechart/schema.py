"""Pydantic models of ``statecharts/*.yaml``: unknown keys are errors, not ignored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimerDoc(_Strict):
    rule: str
    when: str | None = None


class StateDoc(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    title: str
    final: bool = False
    timers: tuple[TimerDoc, ...] = ()
    children: tuple[StateDoc, ...] = ()


class TriggerDoc(_Strict):
    event: str = Field(pattern=r"^[a-z][a-z_]*$")
    title: str
    system: bool = False
    creates: bool = False


class AlternativeDoc(_Strict):
    state: str
    conditions: tuple[str, ...] = ()


class TransitionDoc(_Strict):
    trigger: str
    source: tuple[str, ...]
    dest: tuple[AlternativeDoc, ...] = ()
    guards: tuple[str, ...] = ()
    internal: bool = False
    reopen: bool = False
    restarts: tuple[str, ...] = ()

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("dest", mode="before")
    @classmethod
    def _dest_forms(cls, value: object) -> object:
        if isinstance(value, str):
            return ({"state": value},)
        return value


class ChartDoc(_Strict):
    statechart: str
    version: int = Field(ge=1)
    title: str
    initial: str
    triggers: dict[str, TriggerDoc]
    states: tuple[StateDoc, ...]
    transitions: tuple[TransitionDoc, ...]
