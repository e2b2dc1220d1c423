"""A lighter request handler for the command routes, most of the API's traffic.

FastAPI's generic handler re-derives, on every request, what each parameter of the
endpoint is (its annotation, aliases, whether it is a sequence, a model, a dependency
with yield…) before validating anything: ~100 us a command, more than all the API's own
work. ``CommandRoute`` derives that once, when the route is built, for the few kinds of
parameter a command route has, and validates each value with the route's own fields.

Only a request that is valid in every respect takes this path. Anything else (a missing
or bad token, a malformed header, a body that is not JSON or not valid) goes to FastAPI's
own handler, which starts over and answers exactly as it always does, so every error
keeps its status, problem type and field locations. The OpenAPI document is built from
the same route and is unchanged. tests/e2e/test_commands.py holds the values solved
here to those FastAPI's solver gives for the same requests.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, get_type_hints

from fastapi import params
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic.fields import FieldInfo
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.auth import actor_of, current_actor
from api.deps import container

# The dependencies a command route may have, each with how to solve it from the request.
Resolver = Callable[[Request], Awaitable[Any]]
RESOLVERS: dict[Callable[..., Any], Resolver] = {current_actor: actor_of, container: container}


class Unsupported(TypeError):
    """The route has a parameter this handler does not solve: keep FastAPI's handler."""


@dataclass(frozen=True)
class _Header:
    name: str
    key: str  # the header's name as sent, lower-cased
    field: Any  # fastapi's ModelField for the parameter


@dataclass(frozen=True)
class Plan:
    """What the endpoint needs from a request, worked out once per route."""

    call: Callable[..., Coroutine[Any, Any, Response]]
    paths: tuple[str, ...]
    headers: tuple[_Header, ...]
    body_name: str
    body: Any  # fastapi's ModelField for the body
    dependencies: tuple[tuple[str, Resolver], ...]
    request_name: str | None

    async def solve(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments, or None when FastAPI's handler must answer."""
        values: dict[str, Any] = {}
        for name, resolve in self.dependencies:
            try:
                values[name] = await resolve(request)
            except Exception:
                return None
        if self.request_name is not None:
            values[self.request_name] = request
        path_params = request.path_params
        for name in self.paths:
            values[name] = path_params[name]
        headers = request.headers
        for header in self.headers:
            sent = headers.get(header.key)
            if sent is None:
                values[header.name] = None
                continue
            value, errors = header.field.validate(sent, values, loc=("header", header.key))
            if errors:
                return None
            values[header.name] = value
        body = await self._json(request)
        if body is None:
            return None
        value, errors = self.body.validate(body, values, loc=("body",))
        if errors:
            return None
        values[self.body_name] = value
        return values

    async def _json(self, request: Request) -> Any:
        media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media != "application/json":
            return None
        try:
            raw = await request.body()
        except HTTPException:
            raise  # the body-size limit's 413, which FastAPI's handler lets through too
        except Exception as exc:
            # What FastAPI's handler makes of a body it could not read.
            raise HTTPException(400, "There was an error parsing the body") from exc
        if not raw:
            return None
        try:
            return await request.json()
        except ValueError:
            return None


def plan(route: Any) -> Plan:
    """The route's plan; ``Unsupported`` if it has any parameter not listed above."""
    d = route.dependant
    if d.query_params or d.cookie_params or len(d.body_params) != 1:
        raise Unsupported(f"{route.path}: query, cookie or several body parameters")
    if any(
        name is not None
        for name in (
            d.websocket_param_name,
            d.http_connection_param_name,
            d.response_param_name,
            d.background_tasks_param_name,
            d.security_scopes_param_name,
        )
    ):
        raise Unsupported(f"{route.path}: a special parameter other than Request")
    if d.call is None or not inspect.iscoroutinefunction(d.call):
        raise Unsupported(f"{route.path}: not an async endpoint")
    returns = get_type_hints(d.call).get("return")
    if not (inspect.isclass(returns) and issubclass(returns, Response)):
        raise Unsupported(f"{route.path}: the endpoint must return a Response itself")
    body = d.body_params[0]
    if getattr(body.field_info, "embed", False):
        raise Unsupported(f"{route.path}: an embedded body")
    return Plan(
        call=d.call,
        paths=tuple(_path(route, f) for f in d.path_params),
        headers=tuple(_header(route, f) for f in d.header_params),
        body_name=body.name,
        body=body,
        dependencies=tuple(_dependency(route, sub) for sub in d.dependencies),
        request_name=d.request_param_name,
    )


def _path(route: Any, field: Any) -> str:
    info: FieldInfo = field.field_info
    if info.annotation is not str or info.metadata or field.alias != field.name:
        raise Unsupported(f"{route.path}: path parameter {field.name} is not a plain str")
    return str(field.name)


def _header(route: Any, field: Any) -> _Header:
    info = field.field_info
    # An explicit alias is the header's name as sent; a default of None is what FastAPI
    # gives a header that is absent, without validating it.
    if (
        not isinstance(info, params.Header)
        or field.alias == field.name
        or info.validation_alias not in (None, field.alias)
        or getattr(field, "config", None)
        or info.is_required()
        or info.default is not None
        or info.validate_default
    ):
        raise Unsupported(f"{route.path}: header {field.name} is not an optional aliased str")
    return _Header(field.name, str(field.alias).lower(), field)


def _dependency(route: Any, sub: Dependant) -> tuple[str, Resolver]:
    resolve = RESOLVERS.get(sub.call) if sub.call is not None else None
    if resolve is None or sub.name is None:
        raise Unsupported(f"{route.path}: dependency {sub.call!r} has no resolver")
    return sub.name, resolve


# Where FastAPI keeps the route as one include_router made it (its path prefix and the
# router's own dependencies added): the route a handler is built for.
_INCLUDED = getattr(fastapi_routing, "_effective_route_context_var", None)


class CommandRoute(APIRoute):
    """An APIRoute whose valid requests are solved by its ``Plan``; FastAPI's handler
    answers every other one (and the route's OpenAPI entry is FastAPI's as always)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        generic = super().get_route_handler()
        included = _INCLUDED.get() if _INCLUDED is not None else None
        route = included if getattr(included, "original_route", None) is self else self
        try:
            solver = plan(route)
        except Unsupported:
            return generic

        async def handler(request: Request) -> Response:
            # Overridden dependencies (tests) are FastAPI's to resolve.
            if request.app.dependency_overrides:
                return await generic(request)
            values = await solver.solve(request)
            if values is None:
                return await generic(request)
            return await solver.call(**values)

        return handler
