"""Rate limits on the expensive reads: a token bucket per principal and class of query.

Writes are bounded by the per-matter lock and the body-size limit; what a single
caller can use to load the whole service are the reads that scan many rows: chain
verification walks every event, a replay, history or dossier reads a whole matter, lists and
feeds scan and scope rows in batches. Each such request takes a token from the caller's
bucket for its class; an empty bucket is a 429 ``rate-limited`` problem with
``Retry-After``. The caller is the token's subject (a verified token: a forged one
cannot drain someone else's bucket); requests without a valid token pass through and
are refused by authentication as before.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import decode
from api.problems import ApiProblem, document_problem, problem_response
from workflow.runtime.config import Settings

# Buckets idle long enough to be full again carry no state worth keeping; past this
# many principals they are dropped so the table stays bounded.
MAX_PRINCIPALS = 10_000


@dataclass(frozen=True)
class Expensive:
    """A class of expensive request: which method and path templates, and its budget."""

    name: str
    method: str
    pattern: re.Pattern[str]
    per_minute: Callable[[Settings], int]
    burst: Callable[[Settings], int]


def _heavy_rate(s: Settings) -> int:
    return s.rate_limit_heavy_per_minute


def _heavy_burst(s: Settings) -> int:
    return s.rate_limit_heavy_burst


def _read_rate(s: Settings) -> int:
    return s.rate_limit_reads_per_minute


def _read_burst(s: Settings) -> int:
    return s.rate_limit_reads_burst


# "heavy": whole-database scans. "reads": one matter's full history (history, replay,
# dossier), or lists scoped row by row.
CLASSES: tuple[Expensive, ...] = (
    Expensive(
        "heavy",
        "GET",
        re.compile(r"^/v1/audit/[^/]+$"),
        _heavy_rate,
        _heavy_burst,
    ),
    Expensive(
        "reads",
        "GET",
        re.compile(
            r"^/v1/petitions$|^/v1/events$|^/v1/petitions/[^/]+/(history|replay|dossier)$"
            r"|^/v1/supervision(/.*)?$|^/v1/stats(/.*)?$"
        ),
        _read_rate,
        _read_burst,
    ),
)


class TokenBuckets:
    """Thread-safe token buckets keyed by (class, principal); time is injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def take(self, key: tuple[str, str], per_minute: int, burst: int) -> float:
        """Take one token; 0.0 when granted, else the seconds until one is available."""
        rate = per_minute / 60.0
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - updated) * rate)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                return 0.0
            self._store(key, tokens, now)
            return (1.0 - tokens) / rate

    def _store(self, key: tuple[str, str], tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= MAX_PRINCIPALS:
            self._buckets.clear()
        self._buckets[key] = (tokens, now)


def classify(method: str, path: str) -> Expensive | None:
    for expensive in CLASSES:
        if method == expensive.method and expensive.pattern.match(path):
            return expensive
    return None


def _principal(settings: Settings, scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return None
            try:
                actor = decode(settings, token.strip())
            except ApiProblem:
                return None
            return f"{actor.role.value}:{actor.unit}:{actor.sub}"
    return None


class RateLimit:
    """ASGI middleware applying ``CLASSES``; a limit of 0 per minute turns a class off."""

    def __init__(
        self, app: ASGIApp, *, settings: Settings, buckets: TokenBuckets | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.buckets = buckets or TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            expensive = classify(scope["method"], scope["path"])
            if expensive is not None and (per_minute := expensive.per_minute(self.settings)) > 0:
                who = _principal(self.settings, scope)
                if who is not None:
                    wait = self.buckets.take(
                        (expensive.name, who), per_minute, expensive.burst(self.settings)
                    )
                    if wait > 0:
                        seconds = max(1, math.ceil(wait))
                        response = problem_response(
                            429,
                            "rate-limited",
                            f"too many {expensive.name} requests; retry in {seconds} s",
                            instance=scope["path"],
                            headers={"Retry-After": str(seconds)},
                            extensions={"limit_class": expensive.name},
                        )
                        await response(scope, receive, send)
                        return
        await self.app(scope, receive, send)


def document(app: FastAPI) -> None:
    """Add the 429 problem to the OpenAPI operations the limits apply to."""
    document_problem(app, 429, lambda method, path, _op: classify(method, path) is not None)
