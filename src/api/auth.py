"""Bearer JWT authentication: a verified token becomes the domain's Actor.

Only the configured algorithm is accepted (never ``none``, never another family), and
``exp``, ``sub``, ``role``, ``unit``, audience and issuer are all required.
"""

from __future__ import annotations

from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import ApiProblem
from workflow.config import Settings
from workflow.domain.actor import Actor, Role

_bearer = HTTPBearer(auto_error=False, description="JWT signed with the configured secret")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
HUMAN_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)


def unauthenticated(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthenticated", detail, headers=dict(_CHALLENGE))


def decode(settings: Settings, token: str) -> Actor:
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
    return Actor(sub=sub, role=parsed, unit=unit)


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("a Bearer token is required")
    settings: Settings = request.app.state.container.settings
    actor = decode(settings, credentials.credentials)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
