"""Render a chart as a Mermaid ``stateDiagram-v2``, nested as the YAML nests it.

Written here rather than through ``transitions.extensions.GraphMachine`` because the
diagram must show the compound states, timers and guards of the YAML (which the flat
shared machine does not know about) and must be byte-for-byte stable for the golden test.
State ids stay ASCII (Mermaid's class rule is ``\\w+``); Chinese titles go in labels.
"""

from __future__ import annotations

from workflow.statechart.chart import Chart


def render_mermaid(chart: Chart, *, highlight: str | None = None) -> str:
    lines = ["---", f"title: {chart.title} ({chart.key})", "---", "stateDiagram-v2"]
    for root in chart.roots:
        _state_block(chart, root, 1, lines)
    lines.append(f"    [*] --> {chart.initial}")
    for t in chart.transitions:
        for alt in t.alternatives:
            label = t.trigger
            if alt.conditions:
                label += " [" + " & ".join(alt.conditions) + "]"
            if t.reopen:
                label += " (reopen)"
            lines.append(f"    {t.source} --> {alt.state}: {label}")
    for name in chart.final_states:
        lines.append(f"    {name} --> [*]")
    if highlight is not None and highlight in chart.states:
        lines.append("    classDef current fill:#f96,stroke:#333,stroke-width:3px")
        lines.append(f"    class {highlight} current")
    return "\n".join(lines) + "\n"


def _state_block(chart: Chart, name: str, depth: int, lines: list[str]) -> None:
    spec = chart.states[name]
    pad = "    " * depth
    label = spec.title
    if spec.timers:
        label += " ⏱ " + ", ".join(t.rule for t in spec.timers)
    lines.append(f'{pad}state "{label}" as {name}')
    if spec.children:
        lines.append(f"{pad}state {name} {{")
        for child in spec.children:
            _state_block(chart, child, depth + 1, lines)
        lines.append(f"{pad}}}")


def main() -> None:
    """Regenerate ``statecharts/petition.mmd`` from ``statecharts/petition.yaml``."""
    from rules import default_rule_book
    from workflow.runtime.bootstrap import registry
    from workflow.runtime.config import DEFAULT_CHART
    from workflow.statechart.loader import load_chart

    chart = load_chart(DEFAULT_CHART, registry(default_rule_book()))
    target = DEFAULT_CHART.with_suffix(".mmd")
    target.write_text(render_mermaid(chart), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
