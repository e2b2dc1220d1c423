"""Opaque cursors: base64url of a small JSON list; anything else is a 422."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any

from api.problems import ApiProblem


def encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_VALUE = 200


def malformed(field: str = "cursor") -> ApiProblem:
    """The one answer to a cursor this service did not issue: 422, naming the field."""
    return ApiProblem(422, "validation-error", "malformed cursor", field=field)


def decode(cursor: str, arity: int) -> list[str]:
    """The cursor's values: exactly ``arity`` strings, each short (F9: anything else,
    nested lists, numbers, nulls, a text that is not base64 or not JSON, is a 422)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, RecursionError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != arity
        or not all(isinstance(v, str) and 0 < len(v) <= MAX_VALUE for v in values)
        or any("\x00" in v for v in values)
    ):
        raise malformed()
    return values


def decode_instant(cursor: str) -> tuple[datetime, str]:
    """A (moment with its offset, id) cursor; the moment in UTC, within the calendar."""
    moment, ident = decode(cursor, 2)
    try:
        value = datetime.fromisoformat(moment)
        if value.tzinfo is None:
            raise ValueError("no offset")
        return value.astimezone(UTC), ident
    except (ValueError, OverflowError):
        raise malformed() from None


def decode_day(cursor: str) -> tuple[date, str]:
    """A (calendar day, id) cursor."""
    day, ident = decode(cursor, 2)
    try:
        return date.fromisoformat(day), ident
    except ValueError:
        raise malformed() from None
