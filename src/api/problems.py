"""RFC 9457 problem responses: every error a client sees has a stable type.

Domain errors carry their slug and status; this module only renders them, plus the
framework's own errors (validation, unknown routes, wrong methods, oversized bodies).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from rules.errors import RuleError
from workflow.domain.errors import WorkflowError

BASE = "https://petitionflow.dev/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("api.problems")

TITLES: dict[str, str] = {
    "validation-error": "The request is not valid",
    "unauthenticated": "Authentication required",
    "not-found": "Not found",
    "forbidden": "Forbidden",
    "method-not-allowed": "Method not allowed",
    "illegal-transition": "The action is not allowed now",
    "window-lapsed": "The time window has lapsed",
    "extension-limit": "The extension limit is reached",
    "repeat-petition": "The matter repeats an earlier one and is declined",
    # 第三十条第三款: an accusation is not sent to the unit it accuses or one below it.
    "confidentiality": "The matter is confidential toward that unit",
    "version-conflict": "The petition changed meanwhile",
    "idempotency-key-reused": "Idempotency key reused with another request",
    "payload-too-large": "Payload too large",
    "unsupported-media-type": "Unsupported media type",
    "rate-limited": "Too many requests",
    "integrity-failure": "Integrity failure",
    "internal-error": "Internal error",
}

_STATUS_SLUGS = {
    400: "validation-error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "illegal-transition",
    412: "version-conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
}


class Problem(BaseModel):
    """application/problem+json (RFC 9457); extensions carry the rule, article, state…"""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class ApiProblem(Exception):
    """An error raised by the API layer itself (auth, scope, idempotency…)."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": BASE + slug,
        "title": TITLES.get(slug, slug.replace("-", " ").capitalize()),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    for key, value in (extensions or {}).items():
        if key not in body and value is not None:
            body[key] = value
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def _workflow(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WorkflowError)
    if exc.status >= 500:
        log.error("integrity failure: %s", exc.detail, extra={"context": exc.context})
    return problem_response(
        exc.status, exc.problem, exc.detail, instance=request.url.path, extensions=exc.context
    )


def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        exc.status,
        exc.slug,
        exc.detail,
        instance=request.url.path,
        headers=exc.headers,
        extensions=exc.extensions,
    )


def _rule_error(request: Request, exc: Exception) -> JSONResponse:
    # Rule errors reaching the API come from caller input (unknown rule id, no rule set
    # in force on a date): a validation problem, not a server fault.
    return problem_response(422, "validation-error", str(exc), instance=request.url.path)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5]) or "invalid"
    return problem_response(
        422,
        "validation-error",
        detail,
        instance=request.url.path,
        extensions={"errors": errors},
    )


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400:
        # An unparsable body is bad input like any other: the contract says 422.
        status = 422
    slug = _STATUS_SLUGS.get(status, "internal-error")
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.method} {request.url.path}"
    return problem_response(
        status,
        slug,
        detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The handler runs outside the except block: the exception is passed explicitly, or
    # the log would say "NoneType: None" (F8).
    log.error(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_response(
        500, "internal-error", "an unexpected error occurred", instance=request.url.path
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(WorkflowError, _workflow)
    app.add_exception_handler(ApiProblem, _api)
    app.add_exception_handler(RuleError, _rule_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


_DESCRIPTIONS = {
    401: "unauthenticated: missing, expired or invalid Bearer token",
    403: "forbidden: the caller's role may never do this",
    404: "not-found: no such object, or outside the caller's scope",
    405: "method-not-allowed",
    409: "illegal-transition, window-lapsed, extension-limit, repeat-petition, "
    "confidentiality (an accusation sent to a unit it accuses, or below one) or "
    "idempotency-key-reused; integrity-failure (a stored history that is not a chain, "
    "with case_id, seq and reason)",
    412: "version-conflict: If-Match names a stale version",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error: with `errors`, or the domain's `rule`, `article`, `field`",
    429: "rate-limited: too many expensive requests from this caller; see Retry-After",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the problems a route may return."""
    return {
        s: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(s, "Problem"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }


def document_problem(
    app: FastAPI, status: int, applies: Callable[[str, str, dict[str, Any]], bool]
) -> None:
    """Add one problem status to every OpenAPI operation that ``applies(method, path,
    operation)`` selects: for problems raised by middleware, which no route declares."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        entry = responses(status)[status]
        documented = {"description": entry["description"], "content": entry["content"]}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if applies(method.upper(), path, operation):
                    operation.setdefault("responses", {})[str(status)] = documented
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
