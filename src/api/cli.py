"""Command-line entry point: ``petitionflow serve | scheduler | token | calendar import``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from api import audit_cli
from workflow.runtime.config import DEMO_SECRET_FILE, Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="petitionflow (信访) engine")
calendar_app = typer.Typer(no_args_is_help=True, help="Working-day calendar data")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_cli.anchors_app, name="anchors")
app.command("verify")(audit_cli.verify)
app.command("redact")(audit_cli.redact)


NO_SECRET = (
    "no signing secret: set PETITIONFLOW_JWT_SECRET (at least 32 random characters, "
    "e.g. `export PETITIONFLOW_JWT_SECRET=$(openssl rand -hex 32)`), or run with --demo "
    "or --development"
)


def _fail(message: str) -> NoReturn:
    typer.echo(f"petitionflow: {message}", err=True)
    raise typer.Exit(2)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        _fail(f"invalid setting {where}: {first['msg']}")


def _demo_secret(*, create: bool) -> str | None:
    """The demo's random secret, kept (mode 0600) in the working directory so that
    ``petitionflow token`` there signs what the demo accepts, and so that a demo
    database's petitioner match keys (keyed with it) stay valid from run to run."""
    path = DEMO_SECRET_FILE
    if path.exists():
        kept = path.read_text(encoding="utf-8").strip()
        if len(kept) < 32:
            _fail(f"./{path} holds fewer than 32 characters; delete it for a new one")
        return kept
    if not create:
        return None
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    return secret


def _signing(settings: Settings, *, demo: bool) -> tuple[Settings, str | None]:
    """The settings with the secret to sign with, and what to tell the terminal about
    it; no configured secret outside --demo and development mode is refused (F7)."""
    if settings.secret_configured:
        return settings, None
    if demo:
        secret = _demo_secret(create=True)
        assert secret is not None
        note = (
            f"demo: tokens are signed with a random secret kept in ./{DEMO_SECRET_FILE} "
            "(`petitionflow token` run in this directory uses it); set "
            "PETITIONFLOW_JWT_SECRET for anything but a demo"
        )
        return settings.model_copy(update={"jwt_secret": secret}), note
    if settings.development:
        note = (
            "development mode: tokens are signed with the development secret from the "
            "source code; anyone can mint them, so never expose this server"
        )
        return settings, note
    _fail(NO_SECRET)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo unit tree and matters")] = False,
    clock: Annotated[str | None, typer.Option(help="system or simulated")] = None,
    scheduler: Annotated[bool | None, typer.Option(help="Run the sweep in-process")] = None,
    development: Annotated[
        bool | None,
        typer.Option(help="Sign with the development secret when none is configured"),
    ] = None,
) -> None:
    """Run the REST API (and, by default, the deadline sweep) with uvicorn."""
    import uvicorn

    from api.app import create_app

    settings, note = _signing(
        _settings(
            host=host,
            port=port,
            database_url=database_url,
            clock=clock,
            scheduler=scheduler,
            development=development,
        ),
        demo=demo,
    )
    if note is not None:
        typer.echo(note, err=True)
    if demo:
        from api.demo import print_tokens

        print_tokens(settings)
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
    if not settings.secret_configured:
        demo_secret = _demo_secret(create=False)
        if demo_secret is not None:
            settings = settings.model_copy(update={"jwt_secret": demo_secret})
        elif not settings.development:
            _fail(NO_SECRET.replace("run with --demo or --development", "run `serve --demo` here"))
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
