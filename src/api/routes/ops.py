"""Operations: liveness, readiness and Prometheus metrics (no authentication)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import ContainerDep
from api.schemas import Health, Ready

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


def _scheduler_status(request: Request) -> Literal["disabled", "running", "stopped"]:
    # The scheduler, when the process runs one, is put on app.state by whoever starts it.
    scheduler = getattr(request.app.state, "scheduler", None)
    if scheduler is None:
        return "disabled"
    running = getattr(scheduler, "running", None)
    if callable(running):
        running = running()
    return "running" if running else "stopped"


@router.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"model": Ready, "description": "Not ready"}},
)
def readyz(request: Request, c: ContainerDep) -> JSONResponse:
    try:
        with c.db.read() as conn:
            conn.execute(text("SELECT 1"))
        database = True
    except Exception:  # any failure means "not ready", never a 500
        database = False
    scheduler = _scheduler_status(request)
    ok = database and scheduler != "stopped"
    body = Ready(status="ok" if ok else "degraded", database=database, scheduler=scheduler)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
