"""The FastAPI application factory. Nothing is built at import time: the lifespan
bootstraps the container once and puts it on ``app.state``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import console, limits, media, problems
from api.attempts import Attempts
from api.headers import SecurityHeaders
from api.limits import RateLimit
from api.media import JsonBodies
from api.observability import Metrics, RequestContext, configure_logging
from api.routes import (
    admin,
    audit,
    events,
    ops,
    petitions,
    public,
    rules,
    statechart,
    supervision,
    units,
)
from workflow.domain.clock import Clock
from workflow.runtime.bootstrap import bootstrap
from workflow.runtime.config import Settings
from workflow.timers.process import start_scheduler, stop_scheduler

DESCRIPTION = (
    "Workflow engine for statutory petitions (信访) under the Regulations on Petition "
    "Work. Every error is application/problem+json (RFC 9457) with a type "
    "https://petitionflow.dev/problems/<slug>."
)


def create_app(
    settings: Settings | None = None, *, demo: bool = False, clock: Clock | None = None
) -> FastAPI:
    config = settings or Settings()
    if settings is None and not (config.secret_configured or config.development):
        # `uvicorn --factory api.app:create_app`: the same rule as `petitionflow serve`.
        raise RuntimeError(
            "no signing secret: set PETITIONFLOW_JWT_SECRET (at least 32 random characters)"
            " or PETITIONFLOW_DEVELOPMENT=true"
        )
    configure_logging(config.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = bootstrap(config, clock=clock)
        app.state.container = container
        if demo:
            # The tokens are the command line's to print (api.cli.serve), on the
            # terminal, not the application's.
            from api.demo import load_demo

            load_demo(container)
        if config.scheduler:
            app.state.scheduler = start_scheduler(container)
        try:
            yield
        finally:
            if config.scheduler:
                stop_scheduler(app.state.scheduler)
            container.db.dispose()

    app = FastAPI(
        title="petitionflow",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.metrics = Metrics()
    app.state.demo = demo
    problems.install(app)
    # Requests are matched against the routers in this order, route by route (~2 us
    # each): the petition commands, most of the traffic, come first. No two routers'
    # paths overlap, so the order decides nothing else.
    for module in (petitions, ops, units, audit, supervision, rules, statechart, events, public):
        app.include_router(module.router)
    # The public routes' attempts, per number and per address (api.attempts).
    app.state.public_attempts = Attempts(config)
    if config.clock == "simulated":
        app.include_router(admin.router)
    console.install(app)
    # Added before RequestContext, so they run inside it: a 415 or 429 gets a request id
    # and a metric like any other response.
    app.add_middleware(JsonBodies)
    media.document(app)
    app.add_middleware(RateLimit, settings=config)
    limits.document(app)
    # Caching, framing and content-security headers on every response (api.headers).
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        RequestContext, max_body_bytes=config.max_body_bytes, metrics=app.state.metrics
    )
    return app
