"""Supervision items opened by hand: ``supervision_items.ground``; ``deadline_id`` and
``rule`` may be empty.

Revision ID: 0007_supervision_grounds
Revises: 0006_query_codes
Create Date: 2026-11-23

A petition bureau may open an item on a ground of 《信访工作条例》第四十条第一款 without
a late obligation (弄虚作假, for one): such an item follows no deadline. Every item
written before this revision was opened by a breach, so existing rows get ground
``breach`` (the engine writes the same for items whose event names no ground).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007_supervision_grounds"
down_revision: str | None = "0006_query_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("supervision_items") as batch:
        batch.add_column(sa.Column("ground", _str(32), nullable=False, server_default="breach"))
        batch.alter_column("deadline_id", existing_type=_str(120), nullable=True)
        batch.alter_column("rule", existing_type=_str(), nullable=True)
    with op.batch_alter_table("supervision_items") as batch:
        batch.alter_column("ground", existing_type=_str(32), server_default=None)


def downgrade() -> None:
    # The older table has no room for an item without an obligation: its row goes (the
    # matter's events and document keep the item; the newer code writes the row again).
    op.execute("DELETE FROM supervision_items WHERE deadline_id IS NULL")
    with op.batch_alter_table("supervision_items") as batch:
        batch.alter_column("rule", existing_type=_str(), nullable=False)
        batch.alter_column("deadline_id", existing_type=_str(120), nullable=False)
        batch.drop_column("ground")
