"""Record one decided event: fold it into the matter and write both in the open
transaction, guarded by the version the matter had when the event was decided.

The one way a command, a timer, a calendar recomputation or a redaction becomes durable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from workflow.adapters import repository as repo
from workflow.adapters.rows import Before
from workflow.adapters.writes import Writes
from workflow.domain.case import Case
from workflow.domain.events import Event
from workflow.services.engine import Engine
from workflow.services.fold import apply


def record(
    conn: Connection,
    engine: Engine,
    case: Case,
    event: Event,
    now: datetime,
    *,
    timer_id: str | None = None,
    writes: Writes | None = None,
) -> None:
    """Apply ``event`` to ``case`` (in place) and save both; VersionConflict if the
    matter moved on meanwhile, and then nothing is written. With ``writes`` the rows are
    gathered there and written when the caller runs it."""
    expected = case.version
    before = Before.of(case, [event])
    apply(engine.machine, case, event)
    repo.save(
        conn,
        case,
        [event],
        expected_version=expected,
        now=now,
        warning_days=engine.settings.warning_days,
        timer_id=timer_id,
        writes=writes,
        before=before,
    )
