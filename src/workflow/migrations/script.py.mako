"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from collections.abc import Sequence

# Imported even when a revision is empty: autogenerate renders sa.* and SQLModel's
# sqlmodel.sql.sqltypes.AutoString (the submodule import makes it visible to mypy).
import sqlalchemy as sa  # noqa: F401
import sqlmodel
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op  # noqa: F401
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
