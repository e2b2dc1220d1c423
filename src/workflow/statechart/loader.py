"""Load a statechart file, check it against its schema and resolve every name it uses.

Everything is checked before a machine is built, and all problems are reported at once,
so a bad chart stops the process with one clear message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from workflow.statechart.chart import (
    Alternative,
    Chart,
    StateSpec,
    TimerSpec,
    TransitionSpec,
    TriggerSpec,
)
from workflow.statechart.errors import StatechartInvalid
from workflow.statechart.schema import ChartDoc, StateDoc, TransitionDoc


@dataclass(frozen=True)
class NameRegistry:
    """The names a chart may use: guards, conditions and deadline rule ids."""

    guards: frozenset[str]
    conditions: frozenset[str]
    rules: frozenset[str]


def load_chart(path: Path, registry: NameRegistry) -> Chart:
    text = path.read_text(encoding="utf-8")
    return parse_chart(text, registry, source=str(path))


def parse_chart(text: str, registry: NameRegistry, *, source: str = "<text>") -> Chart:
    try:
        raw = yaml.safe_load(text)
        doc = ChartDoc.model_validate(raw)
    except yaml.YAMLError as exc:
        raise StatechartInvalid(source, [f"not valid YAML: {exc}"]) from None
    except ValidationError as exc:
        found = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise StatechartInvalid(source, found) from None
    problems: list[str] = []
    states = _flatten(doc.states, None, problems)
    transitions = _expand(doc.transitions, states, problems)
    triggers = {
        name: TriggerSpec(name, t.event, t.title, t.system, t.creates)
        for name, t in doc.triggers.items()
    }
    _check_names(doc, states, transitions, registry, problems)
    if problems:
        raise StatechartInvalid(source, problems)
    return Chart(
        name=doc.statechart,
        version=doc.version,
        title=doc.title,
        initial=doc.initial,
        states=states,
        roots=tuple(s.name for s in doc.states),
        triggers=triggers,
        transitions=tuple(transitions),
        source_text=text,
    )


def _flatten(
    docs: Iterable[StateDoc], parent: str | None, problems: list[str]
) -> dict[str, StateSpec]:
    out: dict[str, StateSpec] = {}
    for doc in docs:
        if doc.final and doc.children:
            problems.append(f"state {doc.name}: a compound state cannot be final")
        timers = tuple(TimerSpec(t.rule, t.when, doc.name) for t in doc.timers)
        children = tuple(c.name for c in doc.children)
        out[doc.name] = StateSpec(doc.name, doc.title, parent, doc.final, timers, children)
        for name, spec in _flatten(doc.children, doc.name, problems).items():
            if name in out:
                problems.append(f"state {name} is declared twice")
            out[name] = spec
    return out


def _leaves_under(state: str, states: dict[str, StateSpec]) -> list[str]:
    spec = states[state]
    if spec.is_leaf:
        return [state]
    return [leaf for child in spec.children for leaf in _leaves_under(child, states)]


def _expand(
    docs: Iterable[TransitionDoc], states: dict[str, StateSpec], problems: list[str]
) -> list[TransitionSpec]:
    out: list[TransitionSpec] = []
    for doc in docs:
        for source in doc.source:
            if source not in states:
                problems.append(f"transition {doc.trigger}: unknown source state {source}")
                continue
            for leaf in _leaves_under(source, states):
                alternatives = _alternatives(doc, leaf)
                out.append(
                    TransitionSpec(
                        doc.trigger,
                        leaf,
                        alternatives,
                        doc.guards,
                        doc.internal,
                        doc.reopen,
                        doc.restarts,
                    )
                )
    return out


def _alternatives(doc: TransitionDoc, leaf: str) -> tuple[Alternative, ...]:
    if doc.internal:
        # An internal transition stays where it is, whatever leaf it fires from.
        return (Alternative(leaf, ()),)
    return tuple(Alternative(a.state, a.conditions) for a in doc.dest)


def _check_names(
    doc: ChartDoc,
    states: dict[str, StateSpec],
    transitions: list[TransitionSpec],
    registry: NameRegistry,
    problems: list[str],
) -> None:
    if doc.initial not in states or not states[doc.initial].is_leaf:
        problems.append(f"initial state {doc.initial} is not a leaf state of the chart")
    for spec in states.values():
        for timer in spec.timers:
            if timer.rule not in registry.rules:
                problems.append(f"state {spec.name}: unknown deadline rule {timer.rule}")
            if timer.when is not None and timer.when not in registry.conditions:
                problems.append(f"state {spec.name}: unknown condition {timer.when}")
    for t in transitions:
        where = f"transition {t.trigger} from {t.source}"
        if t.trigger not in doc.triggers:
            problems.append(f"{where}: trigger is not declared under triggers")
        if not t.internal and not t.alternatives:
            problems.append(f"{where}: no destination")
        for alt in t.alternatives:
            if alt.state not in states or not states[alt.state].is_leaf:
                problems.append(f"{where}: destination {alt.state} is not a leaf state")
            problems.extend(
                f"{where}: unknown condition {c}"
                for c in alt.conditions
                if c not in registry.conditions
            )
        if t.alternatives and t.alternatives[-1].conditions:
            problems.append(f"{where}: the last alternative must be unconditional")
        problems.extend(f"{where}: unknown guard {g}" for g in t.guards if g not in registry.guards)
        problems.extend(f"{where}: unknown rule {r}" for r in t.restarts if r not in registry.rules)
        if states.get(t.source) and states[t.source].final and not (t.internal or t.reopen):
            problems.append(f"{where}: a final state only allows internal or reopen transitions")
    seen: set[tuple[str, str]] = set()
    for t in transitions:
        if (t.source, t.trigger) in seen:
            problems.append(f"transition {t.trigger} from {t.source} is declared twice")
        seen.add((t.source, t.trigger))
