"""Petitioner self-service and whose evaluation counts: the ``query_codes`` table and
``cases.evaluation_source``.

Revision ID: 0006_query_codes
Revises: 0005_timer_deadline_index
Create Date: 2026-11-23

The evaluation the rates count changes from a matter's first to the petitioner's own
latest, else the latest recorded on their behalf (docs/supervision.md). Evaluations
written before this revision carry no source: they count as recorded on the
petitioner's behalf, and the case rows are recomputed under the new rule so that they
agree with what the engine writes (the projection audit compares the two).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006_query_codes"
down_revision: str | None = "0005_timer_deadline_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "query_codes",
        sa.Column("case_id", _str(40), nullable=False),
        sa.Column("digest", _str(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("evaluation_source", _str(16), nullable=True))
    _backfill(_counted)


def _counted(evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    """workflow.adapters.rows.counted_evaluation, copied: migrations stand alone."""
    own = [e for e in evaluations if e.get("source") == "petitioner"]
    chosen = own or evaluations
    return chosen[-1] if chosen else {}


def _first(evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    """The rule before this revision: a matter's first evaluation."""
    return evaluations[0] if evaluations else {}


def _backfill(
    pick: Callable[[list[dict[str, Any]]], dict[str, Any]], *, with_source: bool = True
) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, doc FROM cases WHERE evaluated_on IS NOT NULL"))
    source = ", evaluation_source=:source" if with_source else ""
    statement = sa.text(
        f"UPDATE cases SET evaluated_on=:evaluated_on, satisfied=:satisfied{source} WHERE id=:id"
    )
    for case_id, raw in rows.all():
        doc = raw if isinstance(raw, dict) else json.loads(raw)
        counted = pick(doc.get("evaluations") or [])
        values = {
            "id": case_id,
            "evaluated_on": date.fromisoformat(counted["on"]) if counted else None,
            "satisfied": counted.get("satisfied"),
        }
        if with_source:
            values["source"] = counted.get("source")
        conn.execute(statement, values)


def downgrade() -> None:
    # The older code counts a matter's first evaluation: give its rows back that rule.
    _backfill(_first, with_source=False)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("evaluation_source")
    op.drop_table("query_codes")
