"""Idempotency-Key on POSTs: the key row is written in the business transaction.

Same principal + key + body -> the first response is replayed (status, body, headers);
same key with another body -> 409 idempotency-key-reused. Failed requests store nothing.

The principal is a digest of the caller's whole identity (role, unit and subject), never
a prefix of it (issue 22, F12). A stored petition response keeps its petitioners as refs
only: their names, numbers, phones and addresses live in ``personal_data`` alone, and a
replay fills them in from there as the caller may see them now, so a redaction reaches
every replay without rewriting this table (issue 22, F2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, Table, insert, select
from sqlmodel import SQLModel

from api.presenter import petitioners
from api.problems import ApiProblem
from workflow.adapters import repository as repo
from workflow.adapters.database import Database
from workflow.domain.actor import Actor
from workflow.domain.units import UnitDirectory

KEYS: Table = SQLModel.metadata.tables["idempotency_keys"]
MAX_KEY = 200


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: dict[str, Any]
    headers: dict[str, str]


def principal(actor: Actor) -> str:
    """sha256 of ``role:unit:subject``: the whole subject, whatever its length (roles and
    unit codes hold no colon, so the text is unambiguous), and no subject in clear in the
    table. Migration 0009 rewrote the stored ones the same way."""
    text = f"{actor.role.value}:{actor.unit}:{actor.sub}"
    return hashlib.sha256(text.encode()).hexdigest()


def without_personal_data(body: dict[str, Any]) -> dict[str, Any]:
    """A response as stored: each petitioner as its ref only."""
    people = body.get("petitioners")
    if not isinstance(people, list):
        return body
    refs = [{"ref": p.get("ref")} if isinstance(p, dict) else {"ref": None} for p in people]
    return {**body, "petitioners": refs}


async def request_hash(request: Request) -> str:
    raw = await request.body()
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = raw.decode("utf-8", "replace")
    text = f"{request.method} {request.url.path}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


def validate_key(key: str | None) -> str | None:
    if key is not None and not (1 <= len(key) <= MAX_KEY):
        raise ApiProblem(
            422,
            "validation-error",
            "Idempotency-Key must be 1..200 characters",
            field="Idempotency-Key",
        )
    return key


def lookup(db: Database, who: str, key: str, digest: str) -> Stored | None:
    with db.read() as conn:
        row = conn.execute(select(KEYS).where(KEYS.c.principal == who, KEYS.c.key == key)).first()
    if row is None:
        return None
    data = row._mapping
    if data["request_hash"] != digest:
        raise ApiProblem(
            409,
            "idempotency-key-reused",
            "this Idempotency-Key was used with another request body",
        )
    return Stored(data["status_code"], data["response"], data["headers"])


def record(
    conn: Connection, who: str, key: str, digest: str, stored: Stored, now: datetime
) -> None:
    conn.execute(
        insert(KEYS).values(
            principal=who,
            key=key,
            request_hash=digest,
            status_code=stored.status_code,
            response=without_personal_data(stored.body),
            headers=stored.headers,
            created_at=now,
        )
    )


def replay_petition(
    db: Database, actor: Actor, units: UnitDirectory, stored: Stored
) -> JSONResponse:
    """A stored petition response with its petitioners as ``actor`` may see them now (the
    stored body keeps refs only): after a redaction, the redacted form."""
    body = stored.body
    case_id = body.get("id")
    if isinstance(body.get("petitioners"), list) and isinstance(case_id, str):
        with db.read() as conn:
            case = repo.load_case(conn, case_id)
            if case is not None:
                shown = petitioners(conn, case, actor, units)
                body = {**body, "petitioners": [p.model_dump(mode="json") for p in shown]}
    return replay(Stored(stored.status_code, body, stored.headers))


def replay(stored: Stored) -> JSONResponse:
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
