"""The public routes' attempt limits: per number and per address, bounded memory."""

from __future__ import annotations

import pytest

from api.attempts import Attempts
from api.problems import ApiProblem
from workflow.runtime.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _attempts(clock: Clock, max_keys: int = 1000) -> Attempts:
    settings = Settings(
        rate_limit_public_number_per_minute=6,  # one per 10 s
        rate_limit_public_number_burst=2,
        rate_limit_public_address_per_minute=60,
        rate_limit_public_address_burst=3,
    )
    return Attempts(settings, clock=clock, max_keys=max_keys)


def test_a_number_is_limited_from_every_address() -> None:
    clock = Clock()
    attempts = _attempts(clock)
    assert attempts.take("XF2026", "a") == 0.0
    assert attempts.take("xf2026 ", "b") == 0.0  # the same number, however written
    assert attempts.take("XF2026", "c") == pytest.approx(10.0)
    clock.now = 10.0
    assert attempts.take("XF2026", "d") == 0.0


def test_an_address_is_limited_over_every_number() -> None:
    clock = Clock()
    attempts = _attempts(clock)
    for n in range(3):
        assert attempts.take(f"XF{n}", "a") == 0.0
    assert attempts.take("XF9", "a") == pytest.approx(1.0)
    # The refused attempt took nothing from the number's bucket.
    assert attempts.take("XF9", "b") == 0.0
    assert attempts.take("XF9", "c") == 0.0


def test_refusal_is_a_429_naming_neither_number_nor_address() -> None:
    clock = Clock()
    attempts = _attempts(clock)
    attempts.check("XF1", "10.0.0.1")
    attempts.check("XF1", "10.0.0.1")
    with pytest.raises(ApiProblem) as refused:
        attempts.check("XF1", "10.0.0.1")
    assert (refused.value.status, refused.value.slug) == (429, "rate-limited")
    assert refused.value.headers["Retry-After"] == "10"
    assert "XF1" not in refused.value.detail and "10.0.0.1" not in refused.value.detail


def test_memory_is_bounded_and_the_least_recent_go_first() -> None:
    clock = Clock()
    attempts = _attempts(clock, max_keys=10)
    for n in range(100):
        clock.now += 0.001
        attempts.take(f"XF{n}", f"addr{n}")
        assert len(attempts) <= 10
    keys = set(attempts._buckets)
    assert ("number", "XF99") in keys and ("number", "XF0") not in keys
    # Long numbers are cut in their key: a key's size is bounded too.
    attempts.take("X" * 10_000, "long")
    assert all(len(key[1]) <= 48 for key in attempts._buckets)
