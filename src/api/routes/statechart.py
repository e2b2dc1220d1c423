"""The lifecycle definition as JSON and as a Mermaid diagram."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.routes.petitions import visible_case
from api.schemas import StatechartOut, StateOut, TransitionOut, TriggerOut
from workflow.statechart import Chart
from workflow.statechart.render import render_mermaid

router = APIRouter(prefix="/v1/statechart", tags=["statechart"])


def chart_out(chart: Chart) -> StatechartOut:
    return StatechartOut(
        name=chart.name,
        version=chart.version,
        title=chart.title,
        initial=chart.initial,
        states=[
            StateOut(
                name=s.name,
                title=s.title,
                parent=s.parent,
                final=s.final,
                leaf=s.is_leaf,
                timers=[{"rule": t.rule, "when": t.when} for t in s.timers],
            )
            for s in chart.states.values()
        ],
        transitions=[
            TransitionOut(
                trigger=t.trigger,
                source=t.source,
                targets=[
                    {"state": a.state, "conditions": list(a.conditions)} for a in t.alternatives
                ],
                guards=list(t.guards),
                internal=t.internal,
            )
            for t in chart.transitions
        ],
        triggers=[
            TriggerOut(name=t.name, event=t.event, title=t.title, system=t.system)
            for t in chart.triggers.values()
        ],
    )


@router.get("", response_model=StatechartOut, responses=responses(401))
def statechart(actor: CurrentActor, c: ContainerDep) -> StatechartOut:
    return chart_out(c.chart)


@router.get(
    "/diagram",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **responses(401, 404, 422),
    },
    summary="Mermaid state diagram; ?state= or ?petition= highlights a state",
)
def diagram(
    actor: CurrentActor,
    c: ContainerDep,
    state: Annotated[str | None, Query(max_length=32)] = None,
    petition: Annotated[str | None, Query(max_length=40)] = None,
) -> PlainTextResponse:
    highlight = state
    if petition is not None:
        highlight = visible_case(c, petition, actor).state
    if highlight is not None and highlight not in c.chart.states:
        raise ApiProblem(422, "validation-error", f"unknown state {highlight}", field="state")
    return PlainTextResponse(render_mermaid(c.chart, highlight=highlight))
