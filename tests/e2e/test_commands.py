"""The command routes' own request handler (``api.commands``) against FastAPI's.

A request the plan solves must give the endpoint exactly the arguments FastAPI's solver
gives it; a request it cannot solve must be left to FastAPI (whose answers the problem
tests pin down), never answered differently.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from typing import Any

import pytest
from fastapi.dependencies.utils import solve_dependencies
from starlette.requests import Request

from api import commands
from api.commands import CommandRoute, Plan, plan
from api.routes import petitions
from tests.e2e.conftest import Api
from tests.support import petition_body

REGISTER = "/v1/petitions"
ACT = "/v1/petitions/{petition_id}/actions"


def route(path: str) -> CommandRoute:
    found = [r for r in petitions.router.routes if isinstance(r, CommandRoute)]
    return next(r for r in found if r.path == path)


def request(
    api: Api,
    path: str,
    body: bytes,
    headers: dict[str, str],
    path_params: dict[str, str] | None = None,
) -> Request:
    sent = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": sent,
        "query_string": b"",
        "app": api.client.app,
        "path_params": path_params or {},
    }
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    return Request(scope, receive)


async def fastapi_values(r: CommandRoute, req: Request) -> tuple[dict[str, Any], list[Any]]:
    """What FastAPI's own handler would pass the endpoint (body read as it reads it)."""
    raw = await req.body()
    body = await req.json() if raw else None
    async with AsyncExitStack() as stack:
        req.scope["fastapi_inner_astack"] = stack
        req.scope["fastapi_function_astack"] = stack
        solved = await solve_dependencies(
            request=req,
            dependant=r.dependant,
            body=body,
            async_exit_stack=stack,
            embed_body_fields=False,
        )
    return solved.values, solved.errors


def fast_values(r: CommandRoute, req: Request) -> dict[str, Any] | None:
    return asyncio.run(plan(r).solve(req))


def both(r: CommandRoute, api: Api, *args: Any, **kw: Any) -> tuple[Any, Any]:
    fast = fast_values(r, request(api, *args, **kw))

    async def generic() -> tuple[dict[str, Any], list[Any]]:
        return await fastapi_values(r, request(api, *args, **kw))

    return fast, asyncio.run(generic())


def test_every_command_route_has_a_plan() -> None:
    routes = [r for r in petitions.router.routes if isinstance(r, CommandRoute)]
    assert {r.path for r in routes} == {REGISTER, ACT}
    for r in routes:
        assert isinstance(plan(r), Plan)


def test_well_formed_commands_take_the_plan(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    solved: list[bool] = []
    solve = Plan.solve

    async def counting(self: Plan, req: Request) -> dict[str, Any] | None:
        values = await solve(self, req)
        solved.append(values is not None)
        return values

    monkeypatch.setattr(commands.Plan, "solve", counting)
    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    assert solved == [True, True]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"If-Match": '"1"'},
        {"If-Match": "*", "Idempotency-Key": "k-7"},
        {"if-match": "W/1", "IDEMPOTENCY-KEY": "x" * 200},
        {"If-Match": ""},
        {"Content-Type": "Application/JSON; charset=utf-8"},
    ],
)
def test_the_plan_solves_what_fastapi_solves(api: Api, headers: dict[str, str]) -> None:
    case = api.register()
    bodies = [
        {"action": "classify", "type": "claim", "route": "petition"},
        {"action": "transfer", "to_unit": "C1-ZJ", "mode": "transfer"},
        {"action": "reply", "outcome": "support", "opinion": "支持"},
        {"action": "extend", "days": 15, "approved_by": "局长", "reason": "情况复杂"},
    ]
    sent = {**api.auth("handler", "C1-XF"), "Content-Type": "application/json", **headers}
    for body in bodies:
        raw = json.dumps(body, ensure_ascii=False).encode()
        fast, (generic, errors) = both(
            route(ACT), api, f"/v1/petitions/{case['id']}/actions", raw, sent,
            path_params={"petition_id": case["id"]},
        )  # fmt: skip
        assert_same(fast, generic, errors)
    raw = json.dumps(petition_body()).encode()
    registrar = {**sent, **api.auth("registrar", "C1-XF")}
    fast, (generic, errors) = both(route(REGISTER), api, REGISTER, raw, registrar)
    assert_same(fast, generic, errors)


def assert_same(fast: dict[str, Any] | None, generic: dict[str, Any], errors: list[Any]) -> None:
    """The plan solved the request, and to exactly FastAPI's arguments (values and types)."""
    assert errors == []
    assert fast is not None
    assert fast.keys() == generic.keys()
    for name, value in generic.items():
        if isinstance(value, Request):
            continue  # each side was handed its own request
        assert fast[name] == value, name
        assert type(fast[name]) is type(value), name


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"action": "accept"}', {"Authorization": "Bearer not-a-token"}),
        (b'{"action": "accept"}', {"Authorization": ""}),
        (b'{"action": "accept"}', {"If-Match": "1" * 65}),
        (b'{"action": "accept"}', {"Idempotency-Key": "k" * 201}),
        (b'{"action": "accept"}', {"Content-Type": "text/plain"}),
        (b'{"action": "accept"}', {"Content-Type": "application/merge-patch+json"}),
        (b"", {}),
        (b"{not json", {}),
        (b"null", {}),
        (b'{"action": "no-such-action"}', {}),
        (b'{"action": "transfer"}', {}),
        (b'{"action": "accept", "extra": 1}', {}),
    ],
)
def test_what_the_plan_cannot_solve_is_left_to_fastapi(
    api: Api, body: bytes, headers: dict[str, str]
) -> None:
    sent = {**api.auth("handler", "C1-XF"), "Content-Type": "application/json", **headers}
    req = request(api, "/v1/petitions/x/actions", body, sent, path_params={"petition_id": "x"})
    assert fast_values(route(ACT), req) is None
