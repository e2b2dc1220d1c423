"""The console's session: the bearer token kept in a cookie, and CSRF tokens for forms.

The cookie holds the very JWT the API accepts, checked by the same ``api.auth.decode``;
it is HttpOnly (scripts never see it), SameSite=Strict (another site's form cannot send
it) and scoped to ``/console`` (the API itself never reads cookies, so a cookie can never
authorize an API call). Forms also carry a token derived from the session with the
service's secret, so a forged form needs the secret as well as the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qs

import jwt
from fastapi import Request
from fastapi.responses import Response

from api.auth import decode
from api.problems import ApiProblem
from workflow.domain.actor import Actor
from workflow.runtime.config import Settings

SESSION_COOKIE = "pf_session"
LOGIN_COOKIE = "pf_login"
PATH = "/console"
MAX_FORM_BYTES = 64 * 1024


class SignInRequired(Exception):
    """No session, or one the API would refuse: the reader goes to the sign-in page."""


class CsrfRejected(Exception):
    """A form without the token of the session (or of the sign-in page) it claims."""


def settings_of(request: Request) -> Settings:
    found: Settings = request.app.state.container.settings
    return found


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def actor_of(request: Request) -> Actor:
    token = session_token(request)
    if token is None:
        raise SignInRequired
    try:
        actor = decode(settings_of(request), token)
    except ApiProblem:
        raise SignInRequired from None
    request.state.actor = actor
    return actor


def form_token(settings: Settings, session: str) -> str:
    """The CSRF token of a session: an HMAC of the session's JWT with the service secret."""
    key = settings.jwt_secret.encode()
    return hmac.new(key, b"console-csrf:" + session.encode(), hashlib.sha256).hexdigest()


def check_form_token(request: Request, submitted: str | None) -> None:
    session = session_token(request)
    if session is None:
        raise SignInRequired
    expected = form_token(settings_of(request), session)
    if not submitted or not hmac.compare_digest(submitted, expected):
        raise CsrfRejected


def check_login_token(request: Request, submitted: str | None) -> None:
    """Before sign-in there is no session: the form's token must equal its own cookie."""
    cookie = request.cookies.get(LOGIN_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(submitted, cookie):
        raise CsrfRejected


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form, first value of each field (no multipart dependency needed)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ApiProblem(413, "payload-too-large", "the form is too large")
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if body and media != "application/x-www-form-urlencoded":
        raise ApiProblem(415, "unsupported-media-type", f"a form is expected, not {media}")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise ApiProblem(422, "validation-error", "the form cannot be read") from None
    return {k: v[0] for k, v in fields.items()}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str) -> None:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    now = int(datetime.now(UTC).timestamp())
    max_age = max(0, int(exp) - now) if isinstance(exp, int) else None
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path=PATH)


def set_login_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        value,
        max_age=3600,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PATH)
