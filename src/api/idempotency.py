"""Idempotency-Key on POSTs: the key row is written in the business transaction.

Same principal + key + body -> the first response is replayed (status, body, headers);
same key with another body -> 409 idempotency-key-reused. Failed requests store nothing.
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

from api.problems import ApiProblem
from workflow.adapters.database import Database
from workflow.domain.actor import Actor

KEYS: Table = SQLModel.metadata.tables["idempotency_keys"]
MAX_KEY = 200


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: dict[str, Any]
    headers: dict[str, str]


def principal(actor: Actor) -> str:
    return f"{actor.role.value}:{actor.unit}:{actor.sub}"[:200]


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
            response=stored.body,
            headers=stored.headers,
            created_at=now,
        )
    )


def replay(stored: Stored) -> JSONResponse:
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
