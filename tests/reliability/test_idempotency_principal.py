"""An Idempotency-Key belongs to one principal: the whole subject, not a prefix of it.

Two callers whose token subjects share a 190-character prefix (longer than what the
key table once kept) are two principals: one's key neither replays nor blocks the
other's request. The stored principal is a digest, so the table does not list who
called.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from api import idempotency
from tests.e2e.conftest import Api
from tests.support import petition_body
from workflow.domain.actor import Actor, Role
from workflow.runtime import migrate

PREFIX = "officer-" + "x" * 182
ALICE = PREFIX + "-alice"
BOB = PREFIX + "-bob"


def _register(api: Api, sub: str, key: str, subject: str) -> Any:
    token = api.token("registrar", "C1-XF", sub)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return api.client.post("/v1/petitions", json=petition_body(subject=subject), headers=headers)


def test_subjects_sharing_a_long_prefix_do_not_share_keys(api: Api) -> None:
    assert len(PREFIX) >= 183 and ALICE[:190] == BOB[:190]
    # The same key, the same body: Bob gets his own matter, not Alice's.
    first = _register(api, ALICE, "k-same", "同一件事")
    second = _register(api, BOB, "k-same", "同一件事")
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert second.headers.get("Idempotent-Replayed") is None
    assert second.json()["id"] != first.json()["id"]
    # The same key, another body: not "reused", Bob never used it.
    third = _register(api, ALICE, "k-other", "第一件事")
    fourth = _register(api, BOB, "k-other", "第二件事")
    assert third.status_code == fourth.status_code == 201, fourth.text
    # Each still replays their own.
    again = _register(api, BOB, "k-same", "同一件事")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == second.json()["id"]
    with api.container.db.read() as conn:
        principals = set(conn.execute(text("SELECT principal FROM idempotency_keys")).scalars())
    # Admin's unit creations and the two registrars: each a sha256, no subject in clear.
    assert all(len(p) == 64 and "officer" not in p for p in principals), principals


def test_migration_0009_rewrites_stored_keys_and_what_redactions_left(tmp_path: Path) -> None:
    """Rows written by the older code: the principal becomes its digest (so a retry in
    flight across the upgrade still replays), stored petitioners become refs, and a
    matter redacted before loses its ID number digests and salts."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0008_units_involved")
    person = {"ref": "p1", "name": "欧阳测试", "id_number": "11010119900307123X"}
    old = "registrar:C1-XF:registrar@C1-XF"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO idempotency_keys (principal, key, request_hash, status_code,"
                " response, headers, created_at) VALUES (:p, 'k', 'h', 201, :r, '{}', :t)"
            ),
            {"p": old, "r": json.dumps({"id": "c1", "petitioners": [person]}), "t": "2026"},
        )
        for case_id, redacted in (("c1", None), ("c2", "2026-10-01 00:00:00")):
            conn.execute(
                text(
                    "INSERT INTO personal_data (case_id, ref, salt, digest, data, redacted_at)"
                    " VALUES (:c, 'p1', 'salt', 'd', NULL, :r)"
                ),
                {"c": case_id, "r": redacted},
            )
            conn.execute(
                text(
                    "INSERT INTO petitioner_keys (case_id, key, subject_key, received_at)"
                    " VALUES (:c, 'k', 's', '2026-09-22 01:00:00')"
                ),
                {"c": case_id},
            )
    migrate.upgrade(url)
    with engine.begin() as conn:
        principal, response = conn.execute(
            text("SELECT principal, response FROM idempotency_keys")
        ).one()
        keys = set(conn.execute(text("SELECT case_id FROM petitioner_keys")).scalars())
        rows = conn.execute(text("SELECT case_id, salt FROM personal_data")).all()
        salts = {str(case_id): str(salt) for case_id, salt in rows}
    engine.dispose()
    actor = Actor(sub="registrar@C1-XF", role=Role.REGISTRAR, unit="C1-XF")
    assert principal == idempotency.principal(actor)
    assert json.loads(response) == {"id": "c1", "petitioners": [{"ref": "p1"}]}
    assert keys == {"c1"} and salts == {"c1": "salt", "c2": ""}
