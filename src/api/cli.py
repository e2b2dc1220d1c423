"""Command-line entry point: ``petitionflow serve | scheduler | token | calendar import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api import audit_cli
from workflow.runtime.config import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="petitionflow (信访) engine")
calendar_app = typer.Typer(no_args_is_help=True, help="Working-day calendar data")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_cli.anchors_app, name="anchors")
app.command("verify")(audit_cli.verify)
app.command("redact")(audit_cli.redact)


def _settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo unit tree and matters")] = False,
    clock: Annotated[str | None, typer.Option(help="system or simulated")] = None,
    scheduler: Annotated[bool | None, typer.Option(help="Run the sweep in-process")] = None,
) -> None:
    """Run the REST API (and, by default, the deadline sweep) with uvicorn."""
    import uvicorn

    from api.app import create_app

    settings = _settings(
        host=host, port=port, database_url=database_url, clock=clock, scheduler=scheduler
    )
    application = create_app(settings, demo=demo)
    uvicorn.run(
        application, host=settings.host, port=settings.port, log_level="info", access_log=False
    )


@app.command()
def token(
    role: Annotated[str, typer.Option(help="registrar|handler|supervisor|auditor|admin")],
    unit: Annotated[str, typer.Option(help="Unit code")],
    sub: Annotated[str | None, typer.Option(help="Subject (user name)")] = None,
) -> None:
    """Print a bearer token signed with the configured secret."""
    from workflow.domain.actor import Role
    from workflow.runtime.tokens import mint

    settings = _settings()
    typer.echo(mint(settings, Role(role), unit, sub or f"{role}@{unit}"))


@app.command()
def scheduler(
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Run only the deadline sweep (any number of these on PostgreSQL; one on SQLite)."""
    from workflow.timers.process import run_scheduler

    run_scheduler(_settings(database_url=database_url))


@calendar_app.command("import")
def calendar_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    database_url: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Validate a year's calendar file and load it; open provisional deadlines are recomputed."""
    from workflow.timers.calendar_import import import_calendar

    settings = _settings(database_url=database_url)
    summary = import_calendar(settings, file.read_text(encoding="utf-8"))
    typer.echo(summary)


def main() -> None:
    app()
