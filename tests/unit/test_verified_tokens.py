"""A token verified once is reused by its text, its expiry checked on every use."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from api import auth
from api.auth import VerifiedTokens
from api.problems import ApiProblem
from workflow.domain.actor import Role
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint


class Wall:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def _token(settings: Settings, ttl: int = 60) -> str:
    # Issued now (pyjwt checks iat against the real clock), valid for ttl seconds.
    return mint(settings, Role.HANDLER, "C1-ZJ", "handler@C1-ZJ", ttl_seconds=ttl)


def test_a_cached_token_expires_at_its_exp_second() -> None:
    settings = Settings()
    token = _token(settings, ttl=60)
    now = datetime.now(UTC).timestamp()
    wall = Wall(now)
    tokens = VerifiedTokens(clock=wall)
    actor = tokens.actor(settings, token)
    assert (actor.role, actor.unit, actor.sub) == (Role.HANDLER, "C1-ZJ", "handler@C1-ZJ")
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    wall.at = exp - 0.5
    assert tokens.actor(settings, token) == actor
    wall.at = exp
    with pytest.raises(ApiProblem) as expired:
        tokens.actor(settings, token)
    assert expired.value.status == 401 and "expired" in expired.value.detail


def test_a_token_is_not_reused_under_other_verification_settings() -> None:
    settings = Settings()
    token = _token(settings)
    tokens = VerifiedTokens()
    tokens.actor(settings, token)
    other = Settings(jwt_secret="another-secret-of-sufficient-length-0123456789")
    with pytest.raises(ApiProblem) as rejected:
        tokens.actor(other, token)
    assert rejected.value.status == 401
    with pytest.raises(ApiProblem):
        tokens.actor(settings.model_copy(update={"jwt_audience": "someone-else"}), token)


def test_a_rejected_token_is_checked_in_full_every_time() -> None:
    settings = Settings()
    forged = _token(settings)[:-2] + "xx"
    tokens = VerifiedTokens()
    for _ in range(2):
        with pytest.raises(ApiProblem) as rejected:
            tokens.actor(settings, forged)
        assert rejected.value.status == 401


def test_the_table_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "MAX_VERIFIED", 2)
    settings = Settings()
    tokens = VerifiedTokens()
    for sub in ("a", "b", "c"):
        token = mint(settings, Role.HANDLER, "C1-ZJ", sub)
        assert tokens.actor(settings, token).sub == sub
        assert len(tokens._known) <= 2
