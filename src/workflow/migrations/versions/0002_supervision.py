"""Supervision: items, deadline versions, repeat-petition keys, columns for statistics.

Revision ID: 0002_supervision
Revises: 0001_baseline
Create Date: 2026-11-22

Existing rows get their new columns from their own stored data (the case doc, the
deadline row). Deadline versions start at this migration: "overdue as of" a day before
it answers from the deadlines as they stood when it ran.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002_supervision"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = ZoneInfo("Asia/Shanghai")
_ENDED = {"diverted", "declined", "closed", "concluded", "withdrawn"}


def _str(length: int | None = None) -> Any:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "deadline_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("deadline_id", _str(120), nullable=False),
        sa.Column("case_id", _str(40), nullable=False),
        sa.Column("rule", _str(), nullable=False),
        sa.Column("article", _str(), nullable=False),
        sa.Column("responsible_unit", _str(64), nullable=False),
        sa.Column("responsible_path", _str(1024), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", _str(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("open_obligation", sa.Boolean(), nullable=False),
        sa.Column("recorded_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_to", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_deadline_versions_deadline", "deadline_versions", ["deadline_id", "recorded_to"]
    )
    op.create_index(
        "ix_deadline_versions_path_due",
        "deadline_versions",
        ["open_obligation", "responsible_path", "due_on"],
    )
    op.create_table(
        "petitioner_keys",
        sa.Column("case_id", _str(40), nullable=False),
        sa.Column("key", _str(64), nullable=False),
        sa.Column("subject_key", _str(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "key"),
    )
    op.create_index("ix_petitioner_keys_key_subject", "petitioner_keys", ["key", "subject_key"])
    op.create_table(
        "supervision_items",
        sa.Column("id", _str(160), nullable=False),
        sa.Column("case_id", _str(40), nullable=False),
        sa.Column("deadline_id", _str(120), nullable=False),
        sa.Column("rule", _str(), nullable=False),
        sa.Column("article", _str(), nullable=False),
        sa.Column("responsible_unit", _str(64), nullable=False),
        sa.Column("responsible_path", _str(1024), nullable=False),
        sa.Column("supervising_unit", _str(64), nullable=True),
        sa.Column("state", _str(32), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deadline_id"),
    )
    op.create_index("ix_supervision_items_case_id", "supervision_items", ["case_id"])
    op.create_index(
        "ix_supervision_items_path_state", "supervision_items", ["responsible_path", "state"]
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("intake_path", _str(1024), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("received_day", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("ended_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("replied_path", _str(1024), nullable=True))
        batch.add_column(sa.Column("replied_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("evaluated_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("satisfied", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("repeat_of", _str(40), nullable=True))
        batch.add_column(sa.Column("leader", _str(200), nullable=True))
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(
            sa.Column("open_obligation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _backfill()
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("intake_path", server_default=None)
        batch.alter_column("received_day", server_default=None)
    with op.batch_alter_table("deadlines") as batch:
        batch.alter_column("open_obligation", server_default=None)
    op.create_index("ix_cases_holder_path_day", "cases", ["holder_path", "received_day"])
    op.create_index("ix_cases_intake_path_day", "cases", ["intake_path", "received_day"])
    op.create_index("ix_cases_leader", "cases", ["leader", "holder_path"])
    op.create_index("ix_cases_repeat_of", "cases", ["repeat_of"])
    op.create_index("ix_cases_replied_path_on", "cases", ["replied_path", "replied_on"])
    op.create_index(
        "ix_deadlines_rule_trigger", "deadlines", ["rule", "responsible_path", "trigger_on"]
    )
    op.create_index("ix_deadlines_watch_due", "deadlines", ["open_obligation", "due_on", "id"])
    op.create_index(
        "ix_deadlines_watch_path_due",
        "deadlines",
        ["open_obligation", "responsible_path", "due_on"],
    )


def _local_day(value: Any) -> int:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_TZ).date().toordinal()


def _backfill() -> None:
    conn = op.get_bind()
    paths: dict[str, str] = {}
    for code, path in conn.execute(sa.text("SELECT code, path FROM units")):
        paths[code] = path
    rows = conn.execute(sa.text("SELECT id, intake_unit, received_at, state, doc FROM cases"))
    for case_id, intake, received_at, state, raw in rows.all():
        doc = raw if isinstance(raw, dict) else json.loads(raw)
        reply = doc.get("reply") or {}
        evaluation = (doc.get("evaluations") or [{}])[0]
        closed = doc.get("closed_on")
        values = {
            "id": case_id,
            "intake_path": paths.get(intake, f"/{intake}/"),
            "received_day": _local_day(received_at),
            "ended_day": date.fromisoformat(closed).toordinal()
            if closed and state in _ENDED
            else None,
            "replied_path": paths.get(doc["replied_by"]) if doc.get("replied_by") else None,
            "replied_on": date.fromisoformat(reply["delivered_on"]) if reply else None,
            "evaluated_on": date.fromisoformat(evaluation["on"]) if evaluation else None,
            "satisfied": evaluation.get("satisfied"),
            "repeat_of": (doc.get("repeat") or {}).get("of"),
            "leader": ((doc.get("leaders") or [{}])[-1]).get("name"),
        }
        conn.execute(
            sa.text(
                "UPDATE cases SET intake_path=:intake_path, received_day=:received_day, "
                "ended_day=:ended_day, replied_path=:replied_path, replied_on=:replied_on, "
                "evaluated_on=:evaluated_on, satisfied=:satisfied, repeat_of=:repeat_of, "
                "leader=:leader WHERE id=:id"
            ),
            values,
        )
    conn.execute(
        sa.text(
            "UPDATE deadlines SET open_obligation = (kind = 'obligation' AND met_on IS NULL "
            "AND status IN ('pending', 'breached'))"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO deadline_versions (deadline_id, case_id, rule, article, "
            "responsible_unit, responsible_path, due_on, status, met_on, open_obligation, "
            "recorded_from) SELECT id, case_id, rule, article, responsible_unit, "
            "responsible_path, due_on, status, met_on, open_obligation, :now FROM deadlines"
        ),
        {"now": datetime.now(UTC)},
    )


def downgrade() -> None:
    op.drop_index("ix_deadlines_watch_path_due", table_name="deadlines")
    op.drop_index("ix_deadlines_watch_due", table_name="deadlines")
    op.drop_index("ix_deadlines_rule_trigger", table_name="deadlines")
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("open_obligation")
    for index in (
        "ix_cases_replied_path_on",
        "ix_cases_repeat_of",
        "ix_cases_leader",
        "ix_cases_intake_path_day",
        "ix_cases_holder_path_day",
    ):
        op.drop_index(index, table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for column in (
            "leader",
            "repeat_of",
            "satisfied",
            "evaluated_on",
            "replied_on",
            "replied_path",
            "ended_day",
            "received_day",
            "intake_path",
        ):
            batch.drop_column(column)
    op.drop_index("ix_supervision_items_path_state", table_name="supervision_items")
    op.drop_index("ix_supervision_items_case_id", table_name="supervision_items")
    op.drop_table("supervision_items")
    op.drop_index("ix_petitioner_keys_key_subject", table_name="petitioner_keys")
    op.drop_table("petitioner_keys")
    op.drop_index("ix_deadline_versions_path_due", table_name="deadline_versions")
    op.drop_index("ix_deadline_versions_deadline", table_name="deadline_versions")
    op.drop_table("deadline_versions")
