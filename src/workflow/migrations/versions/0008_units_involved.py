"""A matter's ``units_involved`` are the units that have held it, not every unit that acted.

Revision ID: 0008_units_involved
Revises: 0007_supervision_grounds
Create Date: 2026-12-04

Issue 22 (F1, reading by acting): the fold used to add the unit of every event to
``units_involved``, and scope reads by that list, so a unit above the holder that named
a leader (or recorded any other action) could read the matter afterwards. The fold now
adds only the holder after each event (the intake at registration, then each transfer,
objection, overruling, review and re-review). The stored documents are brought to what
the fold of their events now gives, so a projection still equals its replay: the
holder after each event, in order, read from the events' ``set`` (the only way the
holder changes). Nothing else in the document depends on the list.

The downgrade leaves the documents as they are (the older fold's list is a superset the
older code reads the same way; its projection audit would report the difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_units_involved"
down_revision: str | None = "0007_supervision_grounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASES = sa.table("cases", sa.column("id", sa.String), sa.column("doc", sa.JSON))
_EVENTS = sa.table(
    "events",
    sa.column("case_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("payload", sa.JSON),
)


def _holders(payloads: list[dict[str, Any]]) -> list[str]:
    units: list[str] = []
    holder: str | None = None
    for payload in payloads:
        if holder is None:
            holder = payload.get("intake_unit")
        holder = (payload.get("set") or {}).get("holder_unit", holder)
        if holder is not None and holder not in units:
            units.append(holder)
    return units


def upgrade() -> None:
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.select(_CASES.c.id))]
    for case_id in ids:
        payloads = [
            row[0]
            for row in conn.execute(
                sa.select(_EVENTS.c.payload)
                .where(_EVENTS.c.case_id == case_id)
                .order_by(_EVENTS.c.seq)
            )
        ]
        doc = conn.execute(sa.select(_CASES.c.doc).where(_CASES.c.id == case_id)).scalar_one()
        if not payloads or not isinstance(doc, dict):
            continue
        units = _holders(payloads)
        if doc.get("units_involved") != units:
            conn.execute(
                sa.update(_CASES)
                .where(_CASES.c.id == case_id)
                .values(doc={**doc, "units_involved": units})
            )


def downgrade() -> None:
    pass
