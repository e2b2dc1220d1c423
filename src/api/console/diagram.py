"""The statechart as an SVG drawn on the server: nested boxes, the current state marked.

Mermaid needs a browser to lay out; the console must be readable without scripts, so
the chart's own structure is drawn here: every state a box, compound states around
their children (alternating rows and columns), final states with a double border, the
current leaf filled and its enclosing states outlined; top-level states side by side.
The transitions out of the current state are listed beside it by the page, and the
Mermaid text is offered as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from workflow.statechart import Chart

LEAF_HEIGHT = 34
TITLE_BAND = 24
PAD = 10
GAP = 10
CHAR = 15  # width of one CJK character at the font size used


@dataclass
class Box:
    name: str
    title: str
    width: int
    height: int
    leaf: bool
    final: bool
    x: int = 0
    y: int = 0
    children: list[Box] = field(default_factory=list)


def _measure(chart: Chart, name: str, depth: int) -> Box:
    spec = chart.states[name]
    text_width = CHAR * len(spec.title) + 2 * PAD
    if spec.is_leaf:
        return Box(name, spec.title, max(90, text_width), LEAF_HEIGHT, True, spec.final)
    kids = [_measure(chart, child, depth + 1) for child in spec.children]
    across = depth % 2 == 1
    if across:
        width = sum(k.width for k in kids) + GAP * (len(kids) - 1)
        height = max(k.height for k in kids)
    else:
        width = max(k.width for k in kids)
        height = sum(k.height for k in kids) + GAP * (len(kids) - 1)
    offset = 0
    for kid in kids:
        if across:
            kid.x, kid.y = PAD + offset, TITLE_BAND + PAD
            offset += kid.width + GAP
        else:
            kid.x, kid.y = PAD, TITLE_BAND + PAD + offset
            offset += kid.height + GAP
    box = Box(
        name,
        spec.title,
        max(width + 2 * PAD, text_width),
        height + TITLE_BAND + 2 * PAD,
        False,
        spec.final,
        children=kids,
    )
    return box


def _draw(
    box: Box, ox: int, oy: int, marked: set[str], current: str | None, out: list[str]
) -> None:
    x, y = ox + box.x, oy + box.y
    is_current = box.name == current
    around = box.name in marked and not is_current
    fill = "#ff9966" if is_current else ("#f4f6fa" if not box.leaf else "#ffffff")
    stroke = "#c0392b" if (is_current or around) else "#7a869a"
    width = 3 if (is_current or around) else 1
    classes = "state current" if is_current else "state"
    out.append(
        f'<g class="{classes}" data-state="{escape(box.name)}">'
        f"<title>{escape(box.title)}（{escape(box.name)}）</title>"
        f'<rect x="{x}" y="{y}" width="{box.width}" height="{box.height}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
    )
    if box.final:
        out.append(
            f'<rect x="{x + 3}" y="{y + 3}" width="{box.width - 6}" height="{box.height - 6}" '
            f'rx="4" fill="none" stroke="{stroke}"/>'
        )
    weight = "bold" if is_current or not box.leaf else "normal"
    if box.leaf:
        tx, ty, anchor = x + box.width // 2, y + box.height // 2 + 5, "middle"
    else:
        tx, ty, anchor = x + PAD, y + 17, "start"
    out.append(
        f'<text x="{tx}" y="{ty}" text-anchor="{anchor}" font-weight="{weight}">'
        f"{escape(box.title)}</text>"
    )
    for kid in box.children:
        _draw(kid, x, y, marked, current, out)
    out.append("</g>")


def render_svg(chart: Chart, current: str | None) -> str:
    """The chart as a standalone ``<svg>`` element; ``current`` (a state name) is marked."""
    roots = [_measure(chart, name, 0) for name in chart.roots]
    offset = 0
    for root in roots:
        root.x, root.y = offset, 0
        offset += root.width + GAP
    width = offset - GAP + 2
    height = max(r.height for r in roots) + 2
    marked = set(chart.ancestors(current)) if current and current in chart.states else set()
    body: list[str] = []
    for root in roots:
        _draw(root, 1, 1, marked, current, body)
    label = escape(f"{chart.title}：状态图")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="Noto Sans CJK SC, sans-serif" font-size="14" class="statechart">'
        + "".join(body)
        + "</svg>"
    )
