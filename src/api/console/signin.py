"""Sign-in (paste a token, or pick a demo role in demo mode), sign-out and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import decode
from api.console import session
from api.console.render import ConsoleRoute, page, redirect
from api.problems import ApiProblem
from workflow.domain.actor import Role
from workflow.runtime.tokens import mint

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Next = Annotated[str | None, Query(max_length=500)]


def _demo_choices(request: Request) -> list[tuple[str, str, str]]:
    if not getattr(request.app.state, "demo", False):
        return []
    from api.demo import TOKENS

    return [(f"{r.value}@{u}", r.value, u) for r, u in TOKENS]


def _safe_next(target: str | None) -> str:
    """Only a console path of this site: never an absolute or protocol-relative URL."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith("/console") and not any(u in target for u in unsafe):
        return target
    return "/console"


def _login_page(
    request: Request, next_url: str | None, error: str | None = None, status: int = 200
) -> Response:
    token = session.new_login_token()
    response = page(
        request,
        "login.html",
        actor=None,
        status=status,
        login_csrf=token,
        next_url=_safe_next(next_url),
        demo=_demo_choices(request),
        error=error,
    )
    session.set_login_cookie(request, response, token)
    return response


@router.get("/login")
def login_form(request: Request, next: Next = None) -> Response:
    return _login_page(request, next)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await session.read_form(request)
    session.check_login_token(request, form.get("csrf"))
    settings = session.settings_of(request)
    next_url = form.get("next")
    token = form.get("token", "").strip()
    choice = form.get("demo", "")
    if not token and choice:
        demo = {key: (role, unit) for key, role, unit in _demo_choices(request)}
        if choice not in demo:
            return _login_page(request, next_url, "无此演示角色。", 422)
        role, unit = demo[choice]
        token = mint(settings, Role(role), unit, f"demo-{role}@{unit}")
    if not token:
        return _login_page(request, next_url, "请粘贴访问令牌。", 422)
    try:
        decode(settings, token)
    except ApiProblem as exc:
        return _login_page(request, next_url, f"令牌无效：{exc.detail}", 401)
    response = redirect(_safe_next(next_url))
    session.set_session(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await session.read_form(request)
    session.check_form_token(request, form.get("csrf"))
    response = redirect("/console/login")
    session.clear_session(response)
    return response


@router.get("")
def home(request: Request) -> Response:
    actor = session.actor_of(request)
    return page(request, "home.html", actor=actor)
