"""A command's authorization runs on the matter it loaded, before anything is decided."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import actor, at, make_container, register
from workflow.domain.actions import ACTION_ADAPTER
from workflow.domain.case import Case


class Refused(Exception):
    pass


def test_a_refusal_writes_nothing_and_comes_before_the_version_check(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2026-03-02 09:00"), scheduler=False)
    case = register(c)
    seen: list[Case] = []

    def refuse(loaded: Case) -> None:
        seen.append(loaded)
        raise Refused

    classify = ACTION_ADAPTER.validate_python(
        {"action": "classify", "type": "claim", "route": "petition"}
    )
    # A stale If-Match would be 412; the refusal must win (a caller out of scope learns
    # nothing about the matter, not even its version).
    with pytest.raises(Refused):
        c.petitions.act(case.id, classify, actor("C1-XF"), if_match=99, authorize=refuse)
    assert [s.version for s in seen] == [case.version]
    assert c.petitions.get(case.id) == case
    assert len(c.petitions.history(case.id)) == 1

    allowed = c.petitions.act(case.id, classify, actor("C1-XF"), authorize=lambda _c: None)
    assert allowed.state == "classified"
