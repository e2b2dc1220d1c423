"""``petitionflow verify | anchors create | anchors export | redact``: the audit commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from workflow.runtime.config import Settings

anchors_app = typer.Typer(no_args_is_help=True, help="Daily root hashes over every chain")
DatabaseUrl = Annotated[str | None, typer.Option(help="SQLAlchemy URL")]


def _settings(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


def verify(
    database_url: DatabaseUrl = None,
    anchors: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="An exported anchors file to check too"),
    ] = None,
    projections: Annotated[
        bool, typer.Option(help="Also replay every matter against its stored projection")
    ] = False,
) -> None:
    """Check every chain, the projection and the anchors; exit 1 at the first broken link."""
    from workflow.adapters.database import Database
    from workflow.audit.anchors import load_file
    from workflow.audit.verify import verify_log

    db = Database.unpooled(_settings(database_url).database_url)
    try:
        db.create_all()
        exported = load_file(anchors) if anchors is not None else None
        result = verify_log(db, exported=exported)
    finally:
        db.dispose()
    summary = f"{result.cases} cases, {result.events} events, {result.anchors} anchors"
    if result.anchored_until:
        summary += f" (anchored until {result.anchored_until})"
    broken = result.first_broken
    if projections:
        from workflow.audit.projection import audit_projections
        from workflow.runtime.bootstrap import bootstrap

        container = bootstrap(_settings(database_url))
        try:
            findings = audit_projections(container.db, container.engine)
        finally:
            container.db.dispose()
        for finding in findings:
            typer.echo(
                f"PROJECTION: case {finding.case_id}: {finding.kind}: {finding.detail}", err=True
            )
        if findings and broken is None:
            typer.echo(f"checked {summary}; {len(findings)} projection findings", err=True)
            raise typer.Exit(1)
    if broken is None:
        typer.echo(f"ok: {summary}")
        return
    typer.echo(f"BROKEN: case {broken.case_id} seq {broken.seq}: {broken.reason}", err=True)
    typer.echo(f"checked {summary}", err=True)
    raise typer.Exit(1)


@anchors_app.command("create")
def anchors_create(
    database_url: DatabaseUrl = None,
    grace_minutes: Annotated[int, typer.Option(min=0, help="Only days ended this long ago")] = 10,
) -> None:
    """Anchor every whole day not anchored yet (the scheduler's daily step, on demand)."""
    from datetime import timedelta

    from workflow.audit.anchors import create_due
    from workflow.runtime.bootstrap import bootstrap

    container = bootstrap(_settings(database_url))
    try:
        made = create_due(
            container.db, container.clock.now(), grace=timedelta(minutes=grace_minutes)
        )
    finally:
        container.db.dispose()
    for anchor in made:
        typer.echo(f"{anchor.day} {anchor.root} cases={anchor.cases} events={anchor.events}")
    typer.echo(f"{len(made)} anchors created")


@anchors_app.command("export")
def anchors_export(
    out: Annotated[Path, typer.Option(file_okay=False, help="Directory to write into")],
    database_url: DatabaseUrl = None,
) -> None:
    """Write every anchor as JSON lines, for a copy held elsewhere."""
    from workflow.adapters.database import Database
    from workflow.audit.anchors import export

    db = Database.unpooled(_settings(database_url).database_url)
    try:
        db.create_all()
        path = export(db, out)
    finally:
        db.dispose()
    if path is None:
        typer.echo("no anchors yet (run `petitionflow anchors create`)", err=True)
        raise typer.Exit(1)
    typer.echo(str(path))


def redact(
    case: Annotated[str | None, typer.Option("--case", help="One matter's id")] = None,
    before: Annotated[
        str | None, typer.Option(help="Finished matters last touched before YYYY-MM-DD")
    ] = None,
    reason: Annotated[str, typer.Option(help="Recorded in the redaction event")] = "retention",
    database_url: DatabaseUrl = None,
) -> None:
    """Erase petitioners' personal data; each erasure is an event in the matter's chain."""
    from workflow.audit.redaction import redact as redact_matters
    from workflow.domain.actor import SYSTEM_ACTOR
    from workflow.runtime.bootstrap import bootstrap

    if (case is None) == (before is None):
        typer.echo("give exactly one of --case or --before", err=True)
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(before) if before is not None else None
    except ValueError:
        typer.echo(f"--before must be a date YYYY-MM-DD, not {before!r}", err=True)
        raise typer.Exit(2) from None
    container = bootstrap(_settings(database_url))
    try:
        done = redact_matters(container, SYSTEM_ACTOR, reason, case_id=case, before=day)
    finally:
        container.db.dispose()
    for item in done:
        typer.echo(f"{item.case_id} seq {item.seq}: {', '.join(item.refs)}")
    typer.echo(f"{len(done)} matters redacted")
