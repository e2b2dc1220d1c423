"""Index timers by deadline: every save reads the pending timers of the deadlines it
touched, which without it scans the whole timers table.

Revision ID: 0005_timer_deadline_index
Revises: 0004_feed
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_timer_deadline_index"
down_revision: str | None = "0004_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_timers_deadline_status", "timers", ["deadline_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_timers_deadline_status", table_name="timers")
