"""Change feed in commit order: ``events.commit_seq`` and its counter.

Revision ID: 0004_feed
Revises: 0003_audit
Create Date: 2026-11-22

Events written before this revision are numbered by id (they were written one writer
at a time on SQLite, or their commit order is no longer knowable), and the counter
starts above them, so every event written later sorts after every older one. A cursor
from the old feed (a bare event id N) still means "after event N" (see workflow.feed.changes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_feed"
down_revision: str | None = "0003_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTER = "feed-commit"  # workflow.adapters.commit_order.COUNTER, copied: migrations stand alone


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commit_seq", sa.BigInteger(), nullable=True))
    op.execute("UPDATE events SET commit_seq = id")
    op.execute(
        f"INSERT INTO counters (name, value) SELECT '{COUNTER}', COALESCE(MAX(id), 0) FROM events"
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_commit_seq", ["commit_seq", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_commit_seq")
        batch_op.drop_column("commit_seq")
    op.execute(f"DELETE FROM counters WHERE name = '{COUNTER}'")
