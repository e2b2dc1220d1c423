"""Opaque cursors: base64url of a small JSON list; anything else is a 422."""

from __future__ import annotations

import base64
import json
from typing import Any

from api.problems import ApiProblem


def encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise ApiProblem(422, "validation-error", "malformed cursor", field="cursor")
    return values
