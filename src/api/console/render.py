"""Rendering console pages: one Jinja2 environment, Chinese labels, Asia/Shanghai times.

``ConsoleRoute`` turns every error a console handler raises into a page in Chinese (or,
for a missing or refused session, a redirect to the sign-in page), so the API's JSON
problem handlers never answer a browser.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Coroutine
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import dossier_page
from api.console import labels
from api.console.session import (
    CsrfRejected,
    SignInRequired,
    form_token,
    session_token,
    settings_of,
)
from api.dossier_page import TEMPLATES, shanghai
from api.problems import ApiProblem
from workflow.domain.actor import Actor, Role
from workflow.domain.errors import WorkflowError

FLASH_COOKIE = "pf_flash"
log = logging.getLogger("api.console")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def day(value: date | str | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["sh"] = shanghai
    env.filters["pct"] = percent
    env.filters["day"] = day
    env.filters["role"] = labels.role
    env.globals["labels"] = labels
    return env


def unit_namer(request: Request) -> Callable[[str | None], str]:
    return dossier_page.unit_namer(request.app.state.container.units)


def page(
    request: Request,
    template: str,
    *,
    actor: Actor | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    token = session_token(request)
    csrf = form_token(settings_of(request), token) if actor is not None and token else ""
    flash = read_flash(request)
    html = (
        environment()
        .get_template(f"console/{template}")
        .render(
            actor=actor,
            csrf=csrf,
            flash=flash,
            unit_name=unit_namer(request),
            is_reader=actor is not None
            and actor.role in {Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN},
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=_NO_STORE)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/console")
    return response


# Pages show matters under supervision: keep them out of shared caches and history.
_NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}


def error_page(
    request: Request, status: int, slug: str, detail: str, actor: Actor | None
) -> HTMLResponse:
    return page(
        request,
        "error.html",
        actor=actor,
        status=status,
        title=labels.problem_title(slug),
        slug=slug,
        detail=detail,
    )


def set_flash(response: Response, kind: str, text: str) -> None:
    raw = json.dumps({"kind": kind, "text": text}, ensure_ascii=False).encode()
    response.set_cookie(
        FLASH_COOKIE,
        base64.urlsafe_b64encode(raw).decode(),
        max_age=120,
        path="/console",
        httponly=True,
        samesite="strict",
    )


def read_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(found, dict) or found.get("kind") not in ("ok", "error"):
        return None
    return {"kind": str(found["kind"]), "text": str(found.get("text", ""))}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=_NO_STORE)


def to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return redirect(f"/console/login?next={quote(target, safe='')}")


def _actor(request: Request) -> Actor | None:
    found = getattr(request.state, "actor", None)
    return found if isinstance(found, Actor) else None


class ConsoleRoute(APIRoute):
    """Every console error becomes a Chinese page; no session sends to the sign-in page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return to_sign_in(request)
            except CsrfRejected:
                return error_page(
                    request, 403, "csrf", "请求缺少有效的表单令牌（CSRF）。", _actor(request)
                )
            except ApiProblem as exc:
                return error_page(request, exc.status, exc.slug, exc.detail, _actor(request))
            except WorkflowError as exc:
                return error_page(request, exc.status, exc.problem, exc.detail, _actor(request))
            except RequestValidationError:
                return error_page(
                    request, 422, "validation-error", "请求参数不正确。", _actor(request)
                )

        return guarded
