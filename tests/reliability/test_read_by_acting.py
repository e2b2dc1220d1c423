"""Issue 22, F1 and F4: acting never widens what a caller reads, and repeats stay in scope.

- F1 (reading by acting): a handler above the holder could ``assign_leader`` (or record
  another action) on a matter it could not read, got the petitioner's unmasked data in
  the response, and its unit joined ``units_involved``, after which GET, history and the
  dossier answered 200 unmasked where they had answered 404.
- F4 (``repeat_of`` crosses scope): a registrar could link a new matter to another
  city's matter, and the response (and automatic detection by ID number) showed that
  matter's number and state; an unknown id gave another error than an out-of-scope one.

One API (one SQLite file) for the module: every test registers its own matters.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api, problem
from tests.reliability.conftest import open_api

ID_NUMBER = "110101199001011234"
PHONE = "13800000000"
_N = itertools.count(1)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path: Path = tmp_path_factory.mktemp("read-by-acting") / "api.db"
    built, close = open_api(f"sqlite:///{path}", rate_limit_reads_per_minute=0)
    try:
        yield built
    finally:
        close()


def reads(api: Api, case_id: str, role: str, unit: str) -> dict[str, tuple[int, bool]]:
    """What the caller reads of the matter: per read, its status and whether the
    petitioner's unmasked ID number or phone is in it."""
    headers = api.auth(role, unit)
    out = {}
    for name, path in (
        ("get", f"/v1/petitions/{case_id}"),
        ("history", f"/v1/petitions/{case_id}/history"),
        ("dossier", f"/v1/petitions/{case_id}/dossier"),
    ):
        response = api.client.get(path, headers=headers)
        out[name] = (response.status_code, ID_NUMBER in response.text or PHONE in response.text)
    return out


def replied(api: Api) -> dict[str, Any]:
    """A matter registered at C1-XF, passed to the agency C1-ZJ, which replied."""
    case = api.register()
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    api.ok(case, "C1-ZJ", "accept")
    api.ok(case, "C1-ZJ", "reply", outcome="support", opinion="支持", delivered_on="2026-09-22")
    return dict(
        api.client.get(f"/v1/petitions/{case['id']}", headers=api.auth("admin", "P")).json()
    )


@pytest.mark.parametrize("unit", ["C1", "P"])
def test_a_superior_assigning_a_leader_reads_nothing_more(api: Api, unit: str) -> None:
    case = api.register()
    before = reads(api, case["id"], "handler", unit)
    assert before == {"get": (404, False), "history": (404, False), "dossier": (404, False)}
    events = api.event_count()
    response = api.act(case, unit, "assign_leader", leader="李市长")
    assert api.event_count() == events, "an action refused to a non-reader wrote nothing"
    assert ID_NUMBER not in response.text and PHONE not in response.text
    if response.status_code == 200:
        pytest.fail("a caller that cannot read the matter got it back from an action")
    assert reads(api, case["id"], "handler", unit) == before
    # The holder names the leader as before (包案, 第十八条第二款).
    assert api.ok(case, "C1-XF", "assign_leader", leader="王副市长")["leader"]["name"] == "王副市长"


def test_evaluating_or_requesting_review_does_not_make_a_reader(api: Api) -> None:
    case = replied(api)
    for unit, action, fields in (
        ("C1", "evaluate", {"satisfied": True}),
        ("P", "evaluate", {"satisfied": False}),
        ("P", "request_review", {"received_on": "2026-09-22"}),
    ):
        before = reads(api, case["id"], "handler", unit)
        response = api.act(case, unit, action, **fields)
        assert ID_NUMBER not in response.text and PHONE not in response.text, (unit, action)
        assert reads(api, case["id"], "handler", unit) == before, (unit, action)


def test_the_review_organ_reads_the_matter_it_now_holds(api: Api) -> None:
    """The matter's own flow still makes readers: the organ a review request goes to."""
    case = replied(api)
    before = reads(api, case["id"], "handler", "C1")
    assert before["get"] == (404, False)
    out = api.ok(case, "C1", "request_review", received_on="2026-09-22")
    assert out["holder_unit"] == "C1" and "C1" in out["units_involved"]
    assert reads(api, case["id"], "handler", "C1")["get"] == (200, True)


def test_units_involved_follow_the_holders_only_and_replay_agrees(api: Api) -> None:
    case = api.register()
    api.act(case, "C1", "assign_leader", leader="李市长")
    admin = api.auth("admin", "P")
    doc = api.client.get(f"/v1/petitions/{case['id']}", headers=admin).json()
    assert doc["units_involved"] == ["C1-XF"]
    replay = api.client.get(f"/v1/petitions/{case['id']}/replay", headers=admin).json()
    assert replay["matches_projection"] is True


def _person(n: int) -> dict[str, str]:
    return {"name": "王五", "id_number": f"1101011980020{n:05d}", "phone": "13700000000"}


def test_repeat_of_out_of_scope_is_the_same_404_as_an_unknown_id(api: Api) -> None:
    theirs = api.register(unit="C1-XF")
    unknown = "0123456789abcdef0123"
    registrar = api.auth("registrar", "C2-XF")
    out = api.client.post(
        "/v1/petitions",
        json={**_body(), "repeat_of": theirs["id"]},
        headers=registrar,
    )
    missing = api.client.post(
        "/v1/petitions", json={**_body(), "repeat_of": unknown}, headers=registrar
    )
    assert theirs["number"] not in out.text
    a, b = problem(out, 404, "not-found"), problem(missing, 404, "not-found")
    assert a["detail"].replace(theirs["id"], "<id>") == b["detail"].replace(unknown, "<id>")
    assert set(a) == set(b)
    # In scope, naming the earlier matter still links it.
    ours = api.register(unit="C2-XF")
    linked = api.register(unit="C2-XF", repeat_of=ours["id"])
    assert linked["repeat"]["of"] == ours["id"] and linked["repeat"]["via"] == "registrar"


def _body(**fields: Any) -> dict[str, Any]:
    from tests.support import petition_body

    return petition_body(**fields)


def test_two_refused_links_put_nothing_on_another_citys_backlog(api: Api) -> None:
    theirs = api.register(unit="C1-XF")
    for _ in range(3):
        api.client.post(
            "/v1/petitions",
            json={**_body(), "repeat_of": theirs["id"]},
            headers=api.auth("registrar", "C2-XF"),
        )
    admin = api.auth("admin", "P")
    listed = api.client.get(f"/v1/petitions?repeat_of={theirs['id']}", headers=admin).json()
    assert listed["items"] == []
    board = api.client.get("/v1/supervision/backlog?unit=C1", headers=api.auth("supervisor", "C1"))
    assert theirs["number"] not in board.text


def test_automatic_repeat_across_scope_hides_the_other_matter(api: Api) -> None:
    person = _person(next(_N))
    subject = f"征地补偿款未发放（{next(_N)}）"
    theirs = api.register(unit="C1-XF", subject=subject, petitioners=[person])
    ours = api.register(unit="C2-XF", subject=subject, petitioners=[person])
    secrets = (theirs["number"], theirs["id"])
    assert ours["repeat"]["repeat"] is True and "disposition" in ours["repeat"]
    for text in (
        str(ours),
        api.client.get(f"/v1/petitions/{ours['id']}", headers=api.auth("registrar", "C2-XF")).text,
        api.client.get(
            f"/v1/petitions/{ours['id']}/history", headers=api.auth("handler", "C2-XF")
        ).text,
        api.client.get("/v1/events?limit=200", headers=api.auth("handler", "C2-XF")).text,
        api.client.get("/v1/petitions?limit=200", headers=api.auth("supervisor", "C2")).text,
    ):
        for secret in secrets:
            assert secret not in text
    # Above both matters, the link is shown; the other matter stays where it is.
    above = api.client.get(f"/v1/petitions/{ours['id']}", headers=api.auth("supervisor", "P"))
    assert above.json()["repeat"]["of"] == theirs["id"]
    assert above.json()["repeat"]["of_number"] == theirs["number"]
    gone = api.client.get(f"/v1/petitions/{theirs['id']}", headers=api.auth("registrar", "C2-XF"))
    problem(gone, 404, "not-found")


def test_the_refusal_to_handle_a_repeat_names_no_unreadable_matter(api: Api) -> None:
    """Brought to a higher organ while it is handled (第十九条第三款): declined as a
    duplicate, and the refusal to classify it tells the province nothing of the city's
    matter it cannot read."""
    person = _person(next(_N))
    subject = f"拆迁安置未落实（{next(_N)}）"
    theirs = api.register(unit="C1-XF", subject=subject, petitioners=[person])
    api.ok(theirs, "C1-XF", "classify", type="claim", route="petition")
    api.ok(theirs, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    api.ok(theirs, "C1-ZJ", "accept")
    ours = api.register(unit="P-XF", subject=subject, petitioners=[person])
    assert ours["repeat"] == {
        "repeat": True,
        "disposition": "duplicate",
        "via": "id_number",
        "new_facts": False,
    }
    refused = api.act(ours, "P-XF", "classify", type="claim", route="petition")
    body = problem(refused, 409, "repeat-petition")
    assert body["decline_reason"] == "duplicate"
    for secret in (theirs["number"], theirs["id"], "handling"):
        assert secret not in refused.text
    # The province's own decline goes through as before.
    declined = api.ok(ours, "P-XF", "decline", reason="duplicate")
    assert declined["state"] == "declined"


def test_listing_repeats_of_an_unreadable_matter_finds_nothing(api: Api) -> None:
    person = _person(next(_N))
    subject = f"工伤认定未答复（{next(_N)}）"
    theirs = api.register(unit="C1-XF", subject=subject, petitioners=[person])
    ours = api.register(unit="C2-XF", subject=subject, petitioners=[person])
    url = f"/v1/petitions?repeat_of={theirs['id']}"
    mine = api.client.get(url, headers=api.auth("registrar", "C2-XF")).json()
    assert mine["items"] == []
    above = api.client.get(url, headers=api.auth("supervisor", "P")).json()
    assert [item["id"] for item in above["items"]] == [ours["id"]]


def test_documents_of_the_older_fold_are_migrated_to_equal_their_replay(
    tmp_path: Path,
) -> None:
    """Documents written by the older fold listed every acting unit: migration 0008
    brings them to the fold of their events, so the projection audit stays clean."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select, update

    from api.app import create_app
    from workflow.adapters.repository import CASES
    from workflow.audit.projection import audit_projections
    from workflow.runtime import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old, close = open_api(url)
    case = old.register()
    old.ok(case, "C1-XF", "assign_leader", leader="王副市长")
    with old.container.db.write() as conn:
        doc = conn.execute(select(CASES.c.doc).where(CASES.c.id == case["id"])).scalar_one()
        doc = {**doc, "units_involved": ["C1-XF", "C1"]}  # as the older fold left it
        conn.execute(update(CASES).where(CASES.c.id == case["id"]).values(doc=doc))
    assert (
        old.client.get(f"/v1/petitions/{case['id']}", headers=old.auth("handler", "C1")).status_code
        == 200
    )
    close()
    migrate.downgrade(url, "0007_supervision_grounds")
    migrate.upgrade(url)
    client = TestClient(create_app(old.settings, clock=old.clock))
    client.__enter__()
    new = Api(client, old.settings, old.clock)
    try:
        gone = new.client.get(f"/v1/petitions/{case['id']}", headers=new.auth("handler", "C1"))
        problem(gone, 404, "not-found")
        container = new.container
        assert audit_projections(container.db, container.engine) == []
    finally:
        client.__exit__(None, None, None)
