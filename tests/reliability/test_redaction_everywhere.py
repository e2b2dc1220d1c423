"""Redaction erases a petitioner's personal data from every place it was copied to.

Two checks, both derived from the schema rather than from a list someone remembers:

- every text or JSON column of every table (``SQLModel.metadata``) is classified: what
  it holds, and what redaction does to it. A new table or column fails
  ``test_every_text_column_is_classified`` until someone decides;
- after a redaction, the whole database (every table it holds, including ones this code
  does not know of) is dumped and searched for the petitioner's ID number, phone, name
  and address: none may remain. A replay of an Idempotency-Key whose first response
  carried them serves the redacted form.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, inspect, table, text
from sqlmodel import SQLModel

import workflow.adapters.tables  # noqa: F401  (registers every table)
from tests.e2e.conftest import Api
from tests.support import petition_body
from workflow.adapters.database import Database
from workflow.adapters.types import UTCDateTime

# What redaction does to each text/JSON column. ERASED and DELETED columns hold
# personal data until the redaction; the others never hold it.
ERASED = "erased: set to NULL (data) or emptied (salt) by the redaction"
DELETED = "deleted: the matter's rows go with the redaction"
DIGEST = "a salted digest of the petitioner's data: kept, the event holds it (chain)"
NONE = "no personal data: codes, ids, states, hashes, times"
REFS = "the petitioners only as refs (p1, p2): rendered from personal_data when sent"
# Kept on purpose: the matter's record is what the organs answer for (the hashed history
# every verify checks), and redaction erases who petitioned, not what was asked and
# answered. The petitioners' fields never enter it (registration keeps a ref and a
# salted digest). A limit: personal data a registrar typed into the free text itself
# (subject, content, an opinion) stays there; the dump below would find it.
RECORD = "the matter's record (subject, content, opinions): free text, kept"
OFFICIALS = "names of officials acting for the organ (leader, approver, actor): kept"

CLASSIFIED: dict[tuple[str, str], str] = {
    # units: the organisation, no petitioner
    ("units", "code"): NONE,
    ("units", "name"): NONE,
    ("units", "level"): NONE,
    ("units", "kind"): NONE,
    ("units", "parent"): NONE,
    ("units", "path"): NONE,
    # cases: the projection; its doc holds petitioners as refs and digests only
    ("cases", "id"): NONE,
    ("cases", "number"): NONE,
    ("cases", "state"): NONE,
    ("cases", "chart"): NONE,
    ("cases", "rule_set"): NONE,
    ("cases", "channel"): NONE,
    ("cases", "intake_unit"): NONE,
    ("cases", "holder_unit"): NONE,
    ("cases", "holder_path"): NONE,
    ("cases", "intake_path"): NONE,
    ("cases", "replied_path"): NONE,
    ("cases", "evaluation_source"): NONE,
    ("cases", "repeat_of"): NONE,
    ("cases", "leader"): OFFICIALS,
    ("cases", "last_hash"): NONE,
    ("cases", "doc"): RECORD,
    # events: the hashed log; registration keeps a ref and a salted digest per petitioner
    ("events", "case_id"): NONE,
    ("events", "type"): NONE,
    ("events", "actor"): OFFICIALS,
    ("events", "unit"): NONE,
    ("events", "payload"): RECORD,
    ("events", "prev_hash"): NONE,
    ("events", "hash"): NONE,
    ("events", "timer_id"): NONE,
    # deadlines, their versions, supervision items, timers: obligations of organs
    ("deadlines", "id"): NONE,
    ("deadlines", "case_id"): NONE,
    ("deadlines", "rule"): NONE,
    ("deadlines", "rule_set"): NONE,
    ("deadlines", "article"): NONE,
    ("deadlines", "kind"): NONE,
    ("deadlines", "responsible_unit"): NONE,
    ("deadlines", "responsible_path"): NONE,
    ("deadlines", "status"): NONE,
    ("deadline_versions", "deadline_id"): NONE,
    ("deadline_versions", "case_id"): NONE,
    ("deadline_versions", "rule"): NONE,
    ("deadline_versions", "article"): NONE,
    ("deadline_versions", "responsible_unit"): NONE,
    ("deadline_versions", "responsible_path"): NONE,
    ("deadline_versions", "status"): NONE,
    ("supervision_items", "id"): NONE,
    ("supervision_items", "case_id"): NONE,
    ("supervision_items", "deadline_id"): NONE,
    ("supervision_items", "rule"): NONE,
    ("supervision_items", "article"): NONE,
    ("supervision_items", "ground"): NONE,
    ("supervision_items", "responsible_unit"): NONE,
    ("supervision_items", "responsible_path"): NONE,
    ("supervision_items", "supervising_unit"): NONE,
    ("supervision_items", "state"): NONE,
    ("timers", "id"): NONE,
    ("timers", "case_id"): NONE,
    ("timers", "deadline_id"): NONE,
    ("timers", "kind"): NONE,
    ("timers", "status"): NONE,
    ("timers", "last_error"): NONE,
    # the copies of a petitioner's identity
    ("petitioner_keys", "case_id"): DELETED,
    ("petitioner_keys", "key"): DELETED,  # HMAC of the ID number
    ("petitioner_keys", "subject_key"): DELETED,
    ("query_codes", "case_id"): DELETED,
    ("query_codes", "digest"): DELETED,
    ("personal_data", "case_id"): NONE,
    ("personal_data", "ref"): NONE,
    ("personal_data", "salt"): ERASED,
    ("personal_data", "digest"): DIGEST,
    ("personal_data", "data"): ERASED,
    # stored responses: petitioners as refs, filled in from personal_data on replay
    ("idempotency_keys", "principal"): NONE,  # sha256 of role, unit and subject
    ("idempotency_keys", "key"): NONE,
    ("idempotency_keys", "request_hash"): NONE,
    ("idempotency_keys", "response"): REFS,
    ("idempotency_keys", "headers"): NONE,
    # the rest
    ("counters", "name"): NONE,
    ("calendar_years", "status"): NONE,
    ("calendar_years", "source"): NONE,
    ("calendar_years", "text"): NONE,
    ("anchors", "heads"): NONE,
    ("anchors", "prev"): NONE,
    ("anchors", "root"): NONE,
}


# Columns that cannot hold a name, a number as text, a phone or an address. Every other
# column (text, JSON, and any type added later) must be classified.
SAFE_TYPES = (Integer, Boolean, Date, DateTime, UTCDateTime)


def _text_columns() -> set[tuple[str, str]]:
    return {
        (t.name, c.name)
        for t in SQLModel.metadata.sorted_tables
        for c in t.columns
        if not isinstance(c.type, SAFE_TYPES)
    }


def test_every_text_column_is_classified() -> None:
    found = _text_columns()
    assert found - CLASSIFIED.keys() == set(), "classify these columns in CLASSIFIED"
    assert CLASSIFIED.keys() - found == set(), "these columns are gone: drop them here"


PERSON = {
    "name": "欧阳测试",
    "id_number": "11010119900307123X",
    "phone": "13912345678",
    "address": "乙市测试路九十九号",
}


def _needles() -> list[str]:
    """Each value as it may be stored: raw, JSON-escaped, lower case (the HMAC input)."""
    found = []
    for value in PERSON.values():
        found += [value, json.dumps(value)[1:-1], value.lower()]
    return sorted(set(found))


def _dump(db: Database) -> dict[str, str]:
    """Every table the database holds, every row, as text."""
    out: dict[str, str] = {}
    with db.read() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            quoted = conn.dialect.identifier_preparer.format_table(table(name))
            rows = conn.execute(text(f"SELECT * FROM {quoted}")).all()
            out[name] = "\n".join(
                repr(tuple(row)) + json.dumps(list(row), default=str) for row in rows
            )
    return out


def _found(db: Database) -> dict[str, list[str]]:
    dump = _dump(db)
    hits = {name: [n for n in _needles() if n in body] for name, body in dump.items()}
    return {name: needles for name, needles in hits.items() if needles}


def _register(api: Api, key: str) -> Any:
    headers = api.auth("registrar", "C1-XF", **{"Idempotency-Key": key})
    body = petition_body(petitioners=[PERSON], subject="测试删除的事项")
    return api.client.post("/v1/petitions", json=body, headers=headers)


def _decline(api: Api, case_id: str, key: str) -> Any:
    headers = api.auth("handler", "C1-XF", **{"Idempotency-Key": key})
    body = {"action": "decline", "reason": "other", "detail": "不属于信访事项"}
    return api.client.post(f"/v1/petitions/{case_id}/actions", json=body, headers=headers)


def test_redaction_leaves_no_copy_and_replays_serve_the_redacted_form(backend_api: Api) -> None:
    api = backend_api
    registered = _register(api, "reg-erase")
    assert registered.status_code == 201, registered.text
    case_id = registered.json()["id"]
    assert PERSON["id_number"] in registered.text  # the registrar sees the number in clear
    declined = _decline(api, case_id, "decline-erase")
    assert declined.status_code == 200, declined.text
    assert PERSON["id_number"] in declined.text
    # The search finds the data before the redaction (it can fail).
    assert "personal_data" in _found(api.container.db)

    response = api.client.post(
        "/v1/admin/redactions",
        json={"case_id": case_id, "reason": "petitioner's request"},
        headers=api.auth("admin", "P"),
    )
    assert response.status_code == 200, response.text
    assert [item["case_id"] for item in response.json()["items"]] == [case_id]

    assert _found(api.container.db) == {}, "personal data left after the redaction"
    with api.container.db.read() as conn:
        for name in ("petitioner_keys", "query_codes"):
            left = conn.execute(
                text(f"SELECT count(*) FROM {name} WHERE case_id = :c"), {"c": case_id}
            ).scalar_one()
            assert left == 0, name

    # Replays of both keys: the first answers again, in the redacted form.
    for replayed in (_register(api, "reg-erase"), _decline(api, case_id, "decline-erase")):
        assert replayed.headers.get("Idempotent-Replayed") == "true", replayed.text
        body = replayed.json()
        assert body["id"] == case_id
        assert [p["redacted"] for p in body["petitioners"]] == [True]
        assert not [n for n in _needles() if n in replayed.text], replayed.text
    assert _register(api, "reg-erase").status_code == 201
