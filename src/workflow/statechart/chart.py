"""The resolved chart: a nested state tree flattened into leaves, with expanded transitions.

A transition declared on a compound state applies to every leaf below it; timers declared
on a compound state run while the matter is anywhere inside it. Entering and leaving are
computed on the tree, so a move between two leaves of one compound keeps its clocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TimerSpec:
    rule: str
    when: str | None
    state: str


@dataclass(frozen=True)
class StateSpec:
    name: str
    title: str
    parent: str | None
    final: bool
    timers: tuple[TimerSpec, ...]
    children: tuple[str, ...]

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class Alternative:
    state: str
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    source: str
    alternatives: tuple[Alternative, ...]
    guards: tuple[str, ...]
    internal: bool
    reopen: bool
    restarts: tuple[str, ...]

    @property
    def condition_names(self) -> tuple[str, ...]:
        return tuple(c for alt in self.alternatives for c in alt.conditions)


@dataclass(frozen=True)
class TriggerSpec:
    name: str
    event: str
    title: str
    system: bool
    creates: bool


@dataclass(frozen=True)
class Chart:
    name: str
    version: int
    title: str
    initial: str
    states: Mapping[str, StateSpec]
    roots: tuple[str, ...]
    triggers: Mapping[str, TriggerSpec]
    transitions: tuple[TransitionSpec, ...]
    source_text: str = field(repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def leaves(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.states.items() if s.is_leaf)

    @property
    def final_states(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.states.items() if s.final)

    def ancestors(self, state: str) -> tuple[str, ...]:
        """The state itself and every compound state around it, innermost first."""
        chain: list[str] = []
        current: str | None = state
        while current is not None:
            chain.append(current)
            current = self.states[current].parent
        return tuple(chain)

    def entered(self, source: str, dest: str) -> tuple[str, ...]:
        """States entered when moving from source to dest, outermost first."""
        left = set(self.ancestors(source))
        return tuple(s for s in reversed(self.ancestors(dest)) if s not in left)

    def exited(self, source: str, dest: str) -> tuple[str, ...]:
        """States left when moving from source to dest, innermost first."""
        arriving = set(self.ancestors(dest))
        return tuple(s for s in self.ancestors(source) if s not in arriving)

    def transitions_from(self, state: str, trigger: str) -> tuple[TransitionSpec, ...]:
        return tuple(t for t in self.transitions if t.source == state and t.trigger == trigger)

    def actions_from(self, state: str) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.transitions:
            if t.source == state and not self.triggers[t.trigger].system:
                seen[t.trigger] = None
        return tuple(seen)

    def timers_of(self, state: str) -> tuple[TimerSpec, ...]:
        return self.states[state].timers
