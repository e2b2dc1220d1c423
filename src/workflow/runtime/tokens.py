"""Minting bearer tokens (PyJWT) for local use and tests; the API verifies them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from workflow.domain.actor import Role
from workflow.runtime.config import Settings


def mint(
    settings: Settings,
    role: Role,
    unit: str,
    sub: str,
    *,
    now: datetime | None = None,
    ttl_seconds: int | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": sub,
        "role": role.value,
        "unit": unit,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": int(issued.timestamp()),
        "exp": int(
            (issued + timedelta(seconds=ttl_seconds or settings.token_ttl_seconds)).timestamp()
        ),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)
