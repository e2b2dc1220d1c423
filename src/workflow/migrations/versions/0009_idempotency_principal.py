"""Idempotency keys by a digest of the whole principal, stored responses without personal
data, and what earlier redactions left behind.

Revision ID: 0009_idempotency_principal
Revises: 0008_units_involved
Create Date: 2026-12-04

Issue 22, F12: the key table kept the principal as ``role:unit:subject`` cut to 200
characters, so two subjects sharing a long prefix shared keys. The code now keeps
sha256 of the whole text (``api.idempotency.principal``). Stored rows are rewritten to
sha256 of what they hold: for every principal that fitted in 200 characters that is
exactly the new digest, so a retry in flight across the upgrade still replays; a row of
a cut principal is orphaned (no caller's digest matches it), which ends the sharing.
Keys never expired, so leaving the old rows would have kept subjects in clear forever.

Issue 22, F2: stored petition responses carried the petitioners' names, ID numbers,
phones and addresses, and a redaction left them there. The code now stores petitioners
as refs and fills them in from ``personal_data`` on replay; the stored rows are
stripped the same way. Matters redacted before this revision also kept their keyed ID
number digests (``petitioner_keys``) and their salts: both go, as a redaction now does.

The downgrade changes nothing back: digests cannot be reversed (the older code finds no
stored key, so a retry across the downgrade runs again) and erased data stays erased
(the older code replays refs-only petitioners, which its schema accepts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_idempotency_principal"
down_revision: str | None = "0008_units_involved"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = sa.table(
    "idempotency_keys",
    sa.column("principal", sa.String),
    sa.column("key", sa.String),
    sa.column("response", sa.JSON),
)
_PERSONAL = sa.table(
    "personal_data",
    sa.column("case_id", sa.String),
    sa.column("salt", sa.String),
    sa.column("redacted_at", sa.DateTime),
)
_PETITIONER_KEYS = sa.table("petitioner_keys", sa.column("case_id", sa.String))


def _digest(principal: str) -> str:
    """api.idempotency.principal's digest, copied: migrations stand alone."""
    return hashlib.sha256(principal.encode()).hexdigest()


def _refs_only(body: Any) -> Any:
    """api.idempotency.without_personal_data, copied."""
    if not isinstance(body, dict) or not isinstance(body.get("petitioners"), list):
        return body
    people = body["petitioners"]
    refs = [{"ref": p.get("ref")} if isinstance(p, dict) else {"ref": None} for p in people]
    return {**body, "petitioners": refs}


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_KEYS.c.principal, _KEYS.c.key, _KEYS.c.response)).all()
    for principal, key, response in rows:
        if len(principal) == 64 and all(ch in "0123456789abcdef" for ch in principal):
            continue  # already a digest (a database the newer code wrote)
        conn.execute(
            sa.update(_KEYS)
            .where(sa.and_(_KEYS.c.principal == principal, _KEYS.c.key == key))
            .values(principal=_digest(principal), response=_refs_only(response))
        )
    # Matters whose petitioners were all redacted: their ID number digests and salts.
    redacted = (
        sa.select(_PERSONAL.c.case_id)
        .group_by(_PERSONAL.c.case_id)
        .having(sa.func.count() == sa.func.count(_PERSONAL.c.redacted_at))
    )
    conn.execute(sa.delete(_PETITIONER_KEYS).where(_PETITIONER_KEYS.c.case_id.in_(redacted)))
    conn.execute(sa.update(_PERSONAL).where(_PERSONAL.c.redacted_at.is_not(None)).values(salt=""))


def downgrade() -> None:
    pass
