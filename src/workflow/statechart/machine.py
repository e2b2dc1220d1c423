"""One shared ``transitions`` machine per chart version.

The machine is built once (``model=None``, ``auto_transitions=False``) and reused for every
matter: a transition is fired on a throw-away token that carries only the state name, so no
model stays bound to the machine and nothing per matter lives in memory. Conditions read the
facts the caller computed (and the event records), so replay re-runs the same choice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from transitions import EventData, Machine, MachineError

from workflow.statechart.chart import Chart


class IllegalMove(Exception):
    """The chart has no transition for this trigger from this state."""

    def __init__(self, state: str, trigger: str) -> None:
        self.state = state
        self.trigger = trigger
        super().__init__(f"{trigger} is not allowed in state {state}")


class _Token:
    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _condition(name: str) -> Callable[[EventData], bool]:
    def check(event: EventData) -> bool:
        facts: Mapping[str, bool] = event.kwargs["facts"]
        return bool(facts[name])

    check.__name__ = f"condition_{name}"
    return check


_ILLEGAL = "\x00illegal"  # a remembered refusal (no state has this name)
_MAX_ANSWERS = 100_000


class ChartMachine:
    """Answers "where does this trigger lead from this state, given these facts"."""

    def __init__(self, chart: Chart, companions: Mapping[str, ChartMachine] | None = None) -> None:
        self.chart = chart
        # Machines of the small lifecycles that live inside a matter (supervision items):
        # the fold re-derives their moves too, from the same event.
        self._companions = dict(companions or {})
        transitions: list[dict[str, Any]] = []
        for spec in chart.transitions:
            for alt in spec.alternatives:
                transitions.append(
                    {
                        "trigger": spec.trigger,
                        "source": spec.source,
                        "dest": None if spec.internal else alt.state,
                        "conditions": [_condition(c) for c in alt.conditions],
                    }
                )
        self._machine = Machine(
            model=None,
            states=list(chart.leaves),
            initial=None,
            transitions=transitions,
            auto_transitions=False,
            send_event=True,
            queued=False,
        )
        self._answers: dict[tuple[str, str, frozenset[tuple[str, bool]]], str] = {}

    def companion(self, name: str) -> ChartMachine:
        return self._companions[name]

    def next_state(self, state: str, trigger: str, facts: Mapping[str, bool]) -> str:
        # The machine's answer depends on nothing but these three (conditions read only
        # the facts), so each distinct question is put to it once and its answer kept:
        # a fold asks the same few hundred questions for every matter. Bounded by the
        # chart: states x triggers x the facts its conditions name.
        key = (state, trigger, frozenset((name, bool(v)) for name, v in facts.items()))
        known = self._answers.get(key)
        if known is None:
            try:
                known = self._ask(state, trigger, facts)
            except IllegalMove:
                known = _ILLEGAL
            if len(self._answers) < _MAX_ANSWERS:
                self._answers[key] = known
        if known is _ILLEGAL:
            raise IllegalMove(state, trigger)
        return known

    def _ask(self, state: str, trigger: str, facts: Mapping[str, bool]) -> str:
        event = self._machine.events.get(trigger)
        if event is None:
            raise IllegalMove(state, trigger)
        token = _Token(state)
        try:
            moved = event.trigger(token, facts=facts)
        except MachineError:
            raise IllegalMove(state, trigger) from None
        if not moved:
            raise IllegalMove(state, trigger)
        return token.state
