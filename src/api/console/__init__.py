"""The web console (控制台) for supervisors and auditors: server-rendered pages under
``/console``, signed in by the API's own tokens (kept in a cookie) and scoped by
``api.scope`` exactly as the API is."""

from __future__ import annotations

from fastapi import FastAPI

from api.console import board, rates_page, signin, timeline


def install(app: FastAPI) -> None:
    for module in (signin, board, rates_page, timeline):
        app.include_router(module.router)
