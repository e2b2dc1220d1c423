"""Request ids, structured JSON logs, Prometheus counters and the body-size limit.

A plain ASGI middleware (not BaseHTTPMiddleware) so streaming and exceptions pass
through untouched.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

log = logging.getLogger("api.access")
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
OTHER = "other"
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(json_logs: bool) -> None:
    logger = logging.getLogger("api")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    if json_logs:
        handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


class Metrics:
    """Per-app registry, so several apps (tests) never clash on metric names."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "petitionflow_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.actions = Counter(
            "petitionflow_actions",
            "Petition actions by outcome",
            ["action", "outcome"],
            registry=self.registry,
        )

    def action(self, name: str, outcome: str) -> None:
        self.actions.labels(name, outcome).inc()


class _TooLarge(StarletteHTTPException):
    # An HTTPException, because FastAPI turns any other error raised while it reads the
    # body into "error parsing the body" (422); this one it re-raises, so a streamed body
    # over the limit is a 413 like one announced by Content-Length.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body exceeds {limit} bytes")


class RequestContext:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id", "")[:128] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge(self.max_body_bytes)
            return message

        try:
            length = headers.get("content-length", "0")
            if length.isdigit() and int(length) > self.max_body_bytes:
                raise _TooLarge(self.max_body_bytes)
            await self.app(scope, receive_wrapper, send_wrapper)
        except _TooLarge:
            if status["sent"]:
                raise
            response = problem_response(
                413, "payload-too-large", f"the body exceeds {self.max_body_bytes} bytes"
            )
            await response(scope, receive, send_wrapper)
        finally:
            self._record(scope, status["code"], request_id, started)

    def _record(self, scope: Scope, code: int, request_id: str, started: float) -> None:
        # Labels only from closed sets (F6): any other method, and any path that matched
        # no route, is the one value "other", so made-up requests add no series.
        route = scope.get("route")
        template = getattr(route, "path", None) or OTHER
        method = scope["method"] if scope["method"] in KNOWN_METHODS else OTHER
        self.metrics.requests.labels(method, template, str(code)).inc()
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"][:32],
                "path": scope["path"],
                "route": template,
                "status": code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
