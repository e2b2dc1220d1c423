"""Bearer JWT authentication: a verified token becomes the domain's Actor.

Only the configured algorithm is accepted (never ``none``, never another family), and
``exp``, ``sub``, ``role``, ``unit``, audience and issuer are all required.

A token's signature and claims are fixed by its text, so a token seen again (a client
sends the same one with every request) is not verified again: what was verified for
those exact bytes under the same verification settings is reused, and only its expiry,
the one check that depends on the moment, is made anew.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ApiProblem
from workflow.domain.actor import Actor, Role
from workflow.runtime.config import Settings

_bearer = HTTPBearer(auto_error=False, description="JWT signed with the configured secret")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
HUMAN_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)
# Past this many distinct tokens the table is emptied: verified again on their next use.
MAX_VERIFIED = 10_000


def unauthenticated(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthenticated", detail, headers=dict(_CHALLENGE))


def _verify(settings: Settings, token: str) -> tuple[Actor, int]:
    """The actor and the token's expiry (``exp``, seconds since the epoch)."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "role", "unit", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise unauthenticated("the token has expired") from None
    except jwt.PyJWTError as exc:
        raise unauthenticated(f"invalid token: {exc}") from None
    sub, role, unit = claims.get("sub"), claims.get("role"), claims.get("unit")
    if not all(isinstance(v, str) and v for v in (sub, role, unit)):
        raise unauthenticated("sub, role and unit must be non-empty strings")
    assert isinstance(sub, str) and isinstance(role, str) and isinstance(unit, str)
    try:
        parsed = Role(role)
    except ValueError:
        raise unauthenticated(f"unknown role {role}") from None
    if parsed not in HUMAN_ROLES:
        raise unauthenticated(f"role {role} cannot sign in")
    # jwt.decode has checked that exp is an integer (or a number it reads as one).
    return Actor(sub=sub, role=parsed, unit=unit), int(claims["exp"])


class VerifiedTokens:
    """Tokens that passed ``_verify``, by their text and the settings that verified
    them; a failed token is never kept, so it is checked in full every time."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str, str, str, str], tuple[Actor, int]] = {}

    def actor(self, settings: Settings, token: str) -> Actor:
        key = (
            token,
            settings.jwt_secret,
            settings.jwt_algorithm,
            settings.jwt_audience,
            settings.jwt_issuer,
        )
        found = self._known.get(key)
        if found is None:
            found = _verify(settings, token)
            with self._lock:
                if len(self._known) >= MAX_VERIFIED:
                    self._known.clear()
                self._known[key] = found
        actor, expires = found
        # The same comparison as jwt.decode's (no leeway): expired from its exp second on.
        if expires <= self._clock():
            with self._lock:
                self._known.pop(key, None)
            raise unauthenticated("the token has expired")
        return actor


_verified = VerifiedTokens()


def decode(settings: Settings, token: str) -> Actor:
    """The actor a bearer token names; 401 ``unauthenticated`` if it is not valid now."""
    return _verified.actor(settings, token)


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    # async: nothing here waits, and a sync dependency would cost a hop to the
    # threadpool and back on every request.
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("a Bearer token is required")
    settings: Settings = request.app.state.container.settings
    actor = decode(settings, credentials.credentials)
    request.state.actor = actor
    return actor


async def actor_of(request: Request) -> Actor:
    """``current_actor`` with its credentials read as its dependency would read them."""
    return await current_actor(request, await _bearer(request))


CurrentActor = Annotated[Actor, Depends(current_actor)]
