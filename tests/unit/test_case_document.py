"""A matter's document: what the store keeps of a Case, and the Case built back from it."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support import at, make_container, register
from workflow.domain.case import Case, Deadline


def deadline(**changes: Any) -> Deadline:
    """A deadline with every field away from its default (so a dropped field shows)."""
    values: dict[str, Any] = {
        "id": "m-3-handle",
        "rule": "handle",
        "rule_set": "xinfang-2022",
        "article": "《信访工作条例》第三十二条第一款",
        "kind": "obligation",
        "state": "handling",
        "responsible_unit": "C1-ZJ",
        "trigger_on": date(2026, 3, 2),
        "starts_on": date(2026, 3, 3),
        "period_days": 60,
        "due_on": date(2026, 5, 31),
        "status": "breached",
        "provisional": True,
        "explanation": ["第一行", "2026-03-03 起算"],
        "extension_days": 30,
        "times_extended": 1,
        "pauses": [(date(2026, 3, 10), date(2026, 3, 12))],
        "paused_since": date(2026, 4, 1),
        "met_on": date(2026, 6, 2),
        "breached_on": date(2026, 6, 1),
        "warned": True,
    }
    return Deadline(**{**values, **changes})


def case(tmp_path: Path) -> Case:
    """A registered matter with every optional field set away from its default."""
    c = make_container(tmp_path, at("2026-03-02 09:00"))
    optional = {name: _set(name) for name in _OPTIONAL}
    optional["deadlines"] = [deadline(), deadline(id="m-1-route", pauses=[])]
    return replace(register(c), **optional)


_OPTIONAL = [
    f.name for f in fields(Case) if f.default is not MISSING or f.default_factory is not MISSING
]


def _set(name: str) -> Any:
    """A non-default value of the right shape for an optional Case field."""
    lists = {"hearings", "evaluations", "extensions", "leaders", "supervision"}
    if name in lists:
        return [{"on": "2026-03-04", "name": name}]
    if name == "units_involved":
        return ["C1-XF", "C1-ZJ"]
    if name in {
        "classification",
        "reply",
        "review",
        "re_review",
        "decline",
        "withdrawal",
        "objection",
        "repeat",
    }:
        return {"of": "earlier", "delivered_on": "2026-03-05", "name": name}
    return f"{name}-value"


def test_every_field_survives_the_stored_text(tmp_path: Path) -> None:
    original = case(tmp_path)
    assert all(getattr(original, name) for name in _OPTIONAL)  # none left at its default
    for decode in (orjson.loads, json.loads):
        doc = decode(orjson.dumps(original.to_doc(), option=orjson.OPT_SORT_KEYS))
        # What the store hands back: keys that are new strings, not the field names.
        assert any(key is not f.name for key in doc for f in fields(Case) if key == f.name)
        assert Case.from_doc(doc) == original


def test_a_document_with_a_key_the_case_does_not_have_is_refused(tmp_path: Path) -> None:
    stored = orjson.dumps(case(tmp_path).to_doc())
    doc = orjson.loads(stored)
    doc["stray"] = 1
    with pytest.raises(TypeError, match="stray"):
        Case.from_doc(doc)
    doc = orjson.loads(stored)
    doc["deadlines"][0]["stray"] = 1
    with pytest.raises(TypeError, match="stray"):
        Case.from_doc(doc)


def test_a_deadline_written_before_later_fields_existed_takes_their_defaults() -> None:
    doc = orjson.loads(orjson.dumps(deadline().to_doc()))
    for later in (
        "extension_days",
        "times_extended",
        "paused_since",
        "met_on",
        "breached_on",
        "warned",
    ):
        del doc[later]
    loaded = Deadline.from_doc(doc)
    assert (loaded.extension_days, loaded.times_extended, loaded.warned) == (0, 0, False)
    assert loaded.paused_since is None and loaded.met_on is None and loaded.breached_on is None
