"""Petitioner self-service (阳光信访): follow a matter and evaluate its answer, no token.

《信访工作条例》第十八条第一款 has organs publish how a petitioner “查询信访事项处理进展以及
结果”, and 第二十一条第二款 has the 信访信息系统 make it easy for the petitioner to “查询、
评价信访事项办理情况”. The matter's number and the query code given at registration are
the credential (docs/self-service.md).

What is shown is what the petitioner may know of their own matter, and nothing the
organs keep for themselves: the stage, the dates, the name (never the code) of the unit
handling it, each written opinion's text once delivered to them, the windows open to
them with their last days, and the evaluations of it. No unit codes, officers, events,
hashes, personal data (their own included: the code is not proof of identity),
supervision, nor the organs' own deadlines.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.attempts import Attempts
from api.deps import ContainerDep
from api.problems import responses
from rules.time import local_date
from workflow.commands.public import PublicAccess
from workflow.domain.actions import Evaluate, Satisfaction
from workflow.domain.case import OPINIONS, Case
from workflow.runtime.bootstrap import Container

router = APIRouter(prefix="/v1/public/petitions", tags=["public"])

# The petitioner's own windows (第三十五条、第三十六条 and the 2005 rules' equivalents);
# every other clock is an organ's obligation and stays internal.
PETITIONER_WINDOWS = ("review_request", "re_review_request")
# The trigger that issues each written opinion: its title in the chart names the opinion.
_ISSUED_BY = {"reply": "reply", "review": "review_decide", "re_review": "re_review_decide"}
# Documented for both routes: no token is asked for (OpenAPI `security: []`).
_PUBLIC: dict[str, Any] = {"security": []}


class PublicOpinionOut(BaseModel):
    kind: Literal["reply", "review", "re_review"]
    title: str = Field(description="书面答复, 复查意见 or 复核意见.")
    issued_on: date | None = Field(description="出具: the day the opinion was issued.")
    delivered_on: date | None = Field(description="送达: null until it reached the petitioner.")
    outcome: str | None = Field(description="Once delivered.")
    text: str | None = Field(description="The opinion's text, once delivered.")
    basis: str | None = Field(description="The law or policy relied on, once delivered.")


class PublicWindowOut(BaseModel):
    rule: Literal["review_request", "re_review_request"]
    title: str
    article: str
    last_day: date = Field(description="The last day a request is on time.")
    provisional: bool = Field(
        description="The last day rests on a year whose official holidays are not "
        "published yet; it may move later, never earlier."
    )


class PublicEvaluationOut(BaseModel):
    on: date
    satisfied: bool
    level: str
    by_petitioner: bool = Field(description="Given by the petitioner alone (this route).")


class PublicPetitionOut(BaseModel):
    number: str
    stage: str = Field(description="The stage's machine name (a state of the statechart).")
    stage_title: str = Field(description="The stage in Chinese.")
    received_on: date
    accepted_on: date | None
    ended_on: date | None = Field(description="The day the matter ended, if it has.")
    handling_unit: str | None = Field(description="The name of the unit handling it now.")
    opinions: list[PublicOpinionOut]
    windows: list[PublicWindowOut] = Field(description="Windows open to the petitioner now.")
    evaluations: list[PublicEvaluationOut]
    may_evaluate: bool = Field(description="Whether an evaluation can be given now.")


class PublicEvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, description="The query code.")
    satisfied: StrictBool
    level: Satisfaction | None = None


def _attempts(request: Request) -> Attempts:
    found: Attempts = request.app.state.public_attempts
    return found


AttemptsDep = Annotated[Attempts, Depends(_attempts)]


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _opinion(c: Container, kind: str, opinion: dict[str, Any]) -> PublicOpinionOut:
    delivered = _day(opinion.get("delivered_on"))
    shown = delivered is not None
    return PublicOpinionOut(
        kind=kind,
        title=c.chart.triggers[_ISSUED_BY[kind]].title,
        issued_on=_day(opinion.get("issued_on")),
        delivered_on=delivered,
        outcome=opinion.get("outcome") if shown else None,
        text=opinion.get("opinion") if shown else None,
        basis=opinion.get("basis") if shown else None,
    )


def public_view(c: Container, case: Case) -> PublicPetitionOut:
    holder = c.units.get(case.holder_unit)
    opinions = [
        _opinion(c, kind, getattr(case, kind))
        for kind in OPINIONS
        if getattr(case, kind) and getattr(case, kind).get("outcome") is not None
    ]
    windows = [
        PublicWindowOut(
            rule=d.rule,
            title=c.engine.rule_book.get(d.rule_set).rule(d.rule).title,
            article=d.article,
            last_day=d.due_on,
            provisional=d.provisional,
        )
        for d in case.deadlines
        if d.rule in PETITIONER_WINDOWS and d.status in ("pending", "paused")
    ]
    evaluations = [
        PublicEvaluationOut(
            on=date.fromisoformat(e["on"]),
            satisfied=e["satisfied"],
            level=e["level"],
            by_petitioner=e.get("source") == "petitioner",
        )
        for e in case.evaluations
    ]
    return PublicPetitionOut(
        number=case.number,
        stage=case.state,
        stage_title=c.chart.states[case.state].title,
        received_on=local_date(case.received_at),
        accepted_on=_day(case.accepted_on),
        ended_on=_day(case.closed_on) if case.ended else None,
        handling_unit=holder.name if holder is not None else None,
        opinions=opinions,
        windows=windows,
        evaluations=evaluations,
        may_evaluate=case.reply is not None and "evaluate" in c.chart.actions_from(case.state),
    )


@router.get(
    "/{number}",
    response_model=PublicPetitionOut,
    responses=responses(404, 422, 429),
    summary="A matter's progress as its petitioner may see it (number and query code)",
    description="No token. A wrong number and a wrong code are the same 404; attempts are "
    "limited per number and per client address (429 with Retry-After).",
    openapi_extra=_PUBLIC,
)
def view(
    number: str,
    code: Annotated[str, Query(min_length=1, max_length=64, description="The query code.")],
    request: Request,
    c: ContainerDep,
    attempts: AttemptsDep,
) -> PublicPetitionOut:
    attempts.check(number, _address(request))
    return public_view(c, PublicAccess(c.petitions).find(number, code))


@router.post(
    "/{number}/evaluation",
    response_model=PublicPetitionOut,
    responses=responses(404, 409, 412, 413, 415, 422, 429),
    summary="The petitioner's own satisfaction evaluation (满意度评价), with the query code",
    description="No token. Recorded through the engine like any `evaluate`, with source "
    "`petitioner`; the rates count the petitioner's own latest evaluation first "
    "(docs/supervision.md). Same 404 and limits as the progress route.",
    openapi_extra=_PUBLIC,
)
def evaluate(
    number: str,
    body: Annotated[PublicEvaluationIn, Body()],
    request: Request,
    c: ContainerDep,
    attempts: AttemptsDep,
) -> PublicPetitionOut:
    attempts.check(number, _address(request))
    command = Evaluate(action="evaluate", satisfied=body.satisfied, level=body.level)
    case = PublicAccess(c.petitions).evaluate(number, body.code, command)
    return public_view(c, case)
