"""案件时间线: every event of a matter, its deadlines, its chain, and the state as of a moment.

Reads go through the same ``visible_case`` as the API (out of scope is 404); the as-of
view is ``PetitionService.replay`` (what had been recorded by that moment), so the page
shows what an auditor would have seen then, not a reconstruction.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.console import session
from api.console.diagram import render_svg
from api.console.render import ConsoleRoute, page, unit_namer
from api.deps import ContainerDep
from api.dossier_page import render as render_dossier
from api.problems import ApiProblem
from api.routes.audit import dossier_of
from api.routes.petitions import visible_case
from rules.time import SHANGHAI
from workflow.audit import dossier
from workflow.domain.case import Case
from workflow.runtime.bootstrap import Container
from workflow.statechart.render import render_mermaid

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
AsOf = Annotated[str | None, Query(max_length=32)]


def parse_as_of(value: str | None) -> datetime | None:
    """A datetime-local value (or a bare day: its end) read as Asia/Shanghai time."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(datetime.fromisoformat(text).date(), time(23, 59, 59))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiProblem(
            422, "validation-error", "as_of 须为日期时间（YYYY-MM-DDTHH:MM）", field="as_of"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def local_input(moment: datetime) -> str:
    """A moment as the value of an ``<input type=datetime-local>`` in Asia/Shanghai, to
    the second, rounded up: the link of an event then shows the state that includes it."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")


def event_titles(c: Container) -> dict[str, str]:
    titles = {spec.event: spec.title for spec in c.chart.triggers.values()}
    chart = c.engine.supervision_chart
    titles.update({spec.event: spec.title for spec in chart.triggers.values()})
    titles.setdefault("personal_data_redacted", "个人信息删除")
    return titles


def _as_of_state(
    c: Container, petition_id: str, moment: datetime | None
) -> tuple[Case | None, Any]:
    if moment is None:
        return None, None
    result = c.petitions.replay(petition_id, moment)
    return result.case, result


@router.get("/petitions/{petition_id}")
def timeline(request: Request, c: ContainerDep, petition_id: str, as_of: AsOf = None) -> Response:
    actor = session.actor_of(request)
    case = visible_case(c, petition_id, actor)
    moment = parse_as_of(as_of)
    events = c.petitions.history(petition_id)
    then, replayed = _as_of_state(c, petition_id, moment)
    shown = then if moment is not None else case
    titles = event_titles(c)
    rows = [
        {
            "event": e,
            "title": titles.get(e.type, e.type),
            "fields": e.payload.get("fields", {}),
            "from": e.payload.get("from"),
            "to": e.payload.get("to"),
            "later": moment is not None and e.recorded_at > moment,
            "as_of": local_input(e.recorded_at),
        }
        for e in events
    ]
    state_titles = {n: s.title for n, s in c.chart.states.items()}
    first = events[0].recorded_at if events else c.clock.now()
    return page(
        request,
        "timeline.html",
        actor=actor,
        title=f"案件时间线 {case.number}",
        case=case,
        shown=shown,
        moment=moment,
        replayed=replayed,
        rows=rows,
        chain=dossier.chain_status(events),
        state_titles=state_titles,
        as_of_value=local_input(moment) if moment is not None else "",
        as_of_min=local_input(first),
        as_of_max=local_input(c.clock.now()),
        now=c.clock.now(),
    )


@router.get("/petitions/{petition_id}/diagram")
def diagram(request: Request, c: ContainerDep, petition_id: str, as_of: AsOf = None) -> Response:
    actor = session.actor_of(request)
    case = visible_case(c, petition_id, actor)
    moment = parse_as_of(as_of)
    then, _ = _as_of_state(c, petition_id, moment)
    shown = then if moment is not None else case
    state = shown.state if shown is not None else None
    chart = c.chart
    outgoing = [
        {
            "trigger": chart.triggers[t.trigger].title
            if t.trigger in chart.triggers
            else t.trigger,
            "name": t.trigger,
            "targets": [chart.states[a.state].title for a in t.alternatives],
            "conditions": [list(a.conditions) for a in t.alternatives],
            "guards": list(t.guards),
        }
        for t in chart.transitions
        if state is not None and t.source in chart.ancestors(state)
    ]
    return page(
        request,
        "diagram.html",
        actor=actor,
        title=f"状态图 {case.number}",
        case=case,
        state=state,
        state_title=chart.states[state].title
        if state and state in chart.states
        else "（尚未登记）",
        path=[chart.states[s].title for s in reversed(chart.ancestors(state))] if state else [],
        svg=render_svg(chart, state),
        outgoing=outgoing,
        mermaid=render_mermaid(chart, highlight=state),
        moment=moment,
        as_of_value=local_input(moment) if moment is not None else "",
    )


@router.get("/petitions/{petition_id}/dossier")
def printable(request: Request, c: ContainerDep, petition_id: str) -> Response:
    """The API's printable dossier page, for a reader signed in to the console."""
    actor = session.actor_of(request)
    built = dossier_of(c, petition_id, actor)
    return HTMLResponse(
        render_dossier(built, unit_namer(request)), headers={"Cache-Control": "no-store"}
    )
