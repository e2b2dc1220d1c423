"""The scope check of a command reads a matter's parties without loading the matter: the
same facts as the loaded matter's, at every step of its life."""

from __future__ import annotations

import pytest

from api import parties
from api.problems import ApiProblem
from api.scope import Parties
from rules.time import local_date
from tests.e2e.conftest import Api, problem


def _same(api: Api, case_id: str) -> Parties:
    read = parties.read(api.container.db, case_id)
    assert read == Parties.of(api.container.petitions.get(case_id))
    return read


def test_parties_follow_the_matter_through_transfer_and_review(api: Api) -> None:
    case = api.register()
    assert _same(api, case["id"]).units == {"C1-XF"}
    api.ok(case, "C1-XF", "classify", type="claim", route="petition")
    api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
    moved = _same(api, case["id"])
    assert moved.holder_unit == "C1-ZJ" and moved.units == {"C1-XF", "C1-ZJ"}
    api.ok(case, "C1-ZJ", "accept")
    today = local_date(api.clock.now()).isoformat()
    api.ok(
        case,
        "C1-ZJ",
        "reply",
        outcome="not_support",
        basis="《物业管理条例》第三十五条",
        opinion="不予支持",
        delivered_on=today,
    )
    api.ok(case, "C1", "request_review", received_on=api.clock.now().date().isoformat())
    reviewed = _same(api, case["id"])
    assert reviewed.holder_unit == "C1" and reviewed.units >= {"C1-XF", "C1-ZJ", "C1"}


def test_an_unknown_or_overlong_id_is_not_found(api: Api) -> None:
    for case_id in ("0" * 32, "x" * 41):
        with pytest.raises(ApiProblem) as missing:
            parties.read(api.container.db, case_id)
        assert (missing.value.status, missing.value.detail) == (404, f"no petition {case_id}")
        url = f"/v1/petitions/{case_id}/actions"
        response = api.client.post(
            url, json={"action": "accept"}, headers=api.auth("handler", "C1")
        )
        assert problem(response, 404, "not-found")["detail"] == f"no petition {case_id}"


def test_an_overlong_id_is_refused_before_any_transaction(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_transaction() -> None:
        raise AssertionError("a transaction was opened for an id never issued")

    monkeypatch.setattr(api.container.db, "write", no_transaction)
    monkeypatch.setattr(api.container.db, "read", no_transaction)
    case_id = "x" * 41
    response = api.client.post(
        f"/v1/petitions/{case_id}/actions",
        json={"action": "accept"},
        headers=api.auth("handler", "C1"),
    )
    assert problem(response, 404, "not-found")["detail"] == f"no petition {case_id}"
