"""Chart lint: the YAML is complete, consistent and matches the REST contract."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from rules import default_rule_book
from workflow.domain.actions import ACTION_NAMES
from workflow.runtime.bootstrap import registry
from workflow.runtime.config import DEFAULT_CHART
from workflow.statechart import Chart, StatechartInvalid, load_chart
from workflow.statechart.loader import parse_chart
from workflow.statechart.render import render_mermaid

API_STATES = {
    "registered",
    "classified",
    "transferred",
    "objected",
    "handling",
    "performing_duty",  # contract 1.1: route 5 (依法履行或者答复) tracked until its reply
    "replied",
    "under_review",
    "review_replied",
    "under_re_review",
    "diverted",
    "declined",
    "closed",
    "concluded",
    "withdrawn",
}
TERMINAL = {"diverted", "declined", "closed", "concluded", "withdrawn"}
DIAGRAM = Path(__file__).resolve().parents[3] / "statecharts" / "petition.mmd"


@pytest.fixture(scope="module")
def chart() -> Chart:
    return load_chart(DEFAULT_CHART, registry(default_rule_book()))


def test_leaves_are_exactly_the_contract_states(chart: Chart) -> None:
    assert set(chart.leaves) == API_STATES
    assert set(chart.final_states) == TERMINAL


def test_every_contract_action_exists(chart: Chart) -> None:
    triggers = {t.trigger for t in chart.transitions}
    assert set(ACTION_NAMES) <= triggers
    assert set(chart.triggers) - {"register"} == triggers


def test_every_state_is_reachable_from_initial(chart: Chart) -> None:
    seen = {chart.initial}
    queue = deque([chart.initial])
    while queue:
        state = queue.popleft()
        for t in chart.transitions:
            if t.source == state:
                for alt in t.alternatives:
                    if alt.state not in seen:
                        seen.add(alt.state)
                        queue.append(alt.state)
    assert seen == set(chart.leaves)


def test_every_open_state_has_a_way_out(chart: Chart) -> None:
    for state in set(chart.leaves) - TERMINAL:
        outs = [
            alt.state
            for t in chart.transitions
            if t.source == state and not t.internal
            for alt in t.alternatives
        ]
        assert any(dest != state for dest in outs), state


def test_terminal_states_only_annotate_or_reopen(chart: Chart) -> None:
    for t in chart.transitions:
        if t.source in TERMINAL:
            assert t.internal or t.reopen, (t.trigger, t.source)
            assert t.guards, "a reopen or annotation of a closed matter must be guarded"


def test_withdraw_is_possible_from_every_open_state(chart: Chart) -> None:
    for state in set(chart.leaves) - TERMINAL:
        assert chart.transitions_from(state, "withdraw"), state


def test_checked_in_diagram_is_current(chart: Chart) -> None:
    assert DIAGRAM.read_text(encoding="utf-8") == render_mermaid(chart), (
        "statecharts/petition.mmd is stale: run `python -m workflow.statechart.render`"
    )


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (
            (
                "guards: [actor_holds_matter, extension_allowed]",
                "guards: [actor_holds_matter, no_such_guard]",
            ),
            "unknown guard no_such_guard",
        ),
        (("{rule: review}", "{rule: no_such_rule}"), "unknown deadline rule no_such_rule"),
        (("dest: concluded", "dest: nowhere"), "destination nowhere"),
        (("initial: registered", "initial: open"), "initial state open"),
        (("version: 1", "version: 1\nsurprise: true"), "surprise"),
        (("when: entered_by_redo", "when: no_condition"), "unknown condition no_condition"),
    ],
)
def test_bad_chart_is_refused_with_a_clear_message(
    chart: Chart, mutation: tuple[str, str], message: str
) -> None:
    old, new = mutation
    assert old in chart.source_text
    with pytest.raises(StatechartInvalid, match=message):
        parse_chart(chart.source_text.replace(old, new, 1), registry(default_rule_book()))
