"""Accusations are confidential (《信访工作条例》第三十条第三款): the engine's part.

Registration records the units an accusation accuses (``accused_units``); a matter
classified an accusation is never transferred, assigned or diverted to one of them or
to a unit below one. Refusals write nothing. The masking of the petitioner's identity is
the API's (tests/e2e/test_confidentiality.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.engine_support import snapshot
from tests.support import act, at, make_container, register
from workflow.domain.case import Case
from workflow.domain.errors import GuardRejected, InvalidCommand, WorkflowError
from workflow.runtime.bootstrap import Container

ART_30_3 = "《信访工作条例》第三十条第三款"


@pytest.fixture
def c(tmp_path: Path) -> Container:
    return make_container(tmp_path, at("2026-09-22 09:00"))


def refused(c: Container, error: type[WorkflowError], command: Callable[[], Any]) -> WorkflowError:
    """Run a command that must fail with ``error`` and write nothing at all."""
    before = snapshot(c.db)
    with pytest.raises(error) as caught:
        command()
    assert snapshot(c.db) == before
    return caught.value


def accusation(c: Container, accused: list[str], **fields: Any) -> Case:
    """An accusation against ``accused``, registered and classified at C1-XF."""
    case = register(c, "C1-XF", accused_units=accused, **fields)
    return act(c, case, "C1-XF", "classify", type="accusation", route="petition")


def test_registration_records_the_accused_units(c: Container) -> None:
    case = register(c, accused_units=["K1", "C1-ZJ", "K1"])
    assert case.accused_units == ["K1", "C1-ZJ"]  # a repeated code is recorded once
    registered = c.petitions.history(case.id)[0]
    assert registered.payload["accused_units"] == ["K1", "C1-ZJ"]
    # A matter naming no one keeps the registration payload it always had (same hashes).
    plain = register(c)
    assert plain.accused_units == []
    assert "accused_units" not in c.petitions.history(plain.id)[0].payload
    # The projection is what a replay of the events gives.
    assert c.petitions.replay(case.id, c.clock.now()).matches_projection


def test_an_unknown_accused_unit_is_refused_and_nothing_is_written(c: Container) -> None:
    error = refused(c, InvalidCommand, lambda: register(c, accused_units=["K1", "NOPE"]))
    assert error.context["field"] == "accused_units"
    assert error.context["unit"] == "NOPE"


@pytest.mark.parametrize(
    ("to_unit", "mode"),
    [
        ("K1", "transfer"),  # the accused unit itself
        ("K1-ZJ", "transfer"),  # a unit below it
        ("K1-XF", "assign"),  # 交办 is refused the same way
    ],
)
def test_an_accusation_never_goes_to_its_accused_unit_or_below(
    c: Container, to_unit: str, mode: str
) -> None:
    case = accusation(c, ["K1"])
    extra = {"feedback_days": 10} if mode == "assign" else {}
    error = refused(
        c,
        GuardRejected,
        lambda: act(c, case, "C1-XF", "transfer", to_unit=to_unit, mode=mode, **extra),
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status, error.rule) == ("confidentiality", 409, "confidentiality")
    assert error.article == ART_30_3
    assert error.context["field"] == "to_unit" and error.context["accused_unit"] == "K1"


def test_an_accusation_goes_to_any_other_unit(c: Container) -> None:
    case = accusation(c, ["K1"])
    moved = act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="assign", feedback_days=10)
    assert moved.holder_unit == "C1-ZJ" and moved.state == "transferred"
    # Above the accused unit is not below it: the city's discipline organ may receive it.
    other = accusation(c, ["K1-ZJ"])
    assert act(c, other, "C1-XF", "transfer", to_unit="K1").holder_unit == "K1"


def test_accused_units_bind_only_an_accusation(c: Container) -> None:
    case = register(c, "C1-XF", accused_units=["K1"])
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    assert act(c, case, "C1-XF", "transfer", to_unit="K1-ZJ").holder_unit == "K1-ZJ"


def test_an_accusation_is_not_diverted_to_an_accused_discipline_organ(c: Container) -> None:
    case = register(c, "C1-XF", accused_units=["C1-JW"])
    error = refused(
        c,
        GuardRejected,
        lambda: act(
            c, case, "C1-XF", "classify", type="accusation", route="discipline", to_unit="C1-JW"
        ),
    )
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.status, error.article) == ("confidentiality", 409, ART_30_3)


def test_a_matter_reclassified_as_an_accusation_by_an_organ_is_bound_from_then_on(
    c: Container,
) -> None:
    case = register(c, "C1-XF", accused_units=["K1-ZJ"])
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    reclassified = act(c, case, "C1-ZJ", "classify", type="accusation", route="petition")
    assert reclassified.classification is not None
    assert reclassified.classification["confidential"] is True
    assert reclassified.accused_units == ["K1-ZJ"]


def test_a_2005_matter_cites_the_2005_article(tmp_path: Path) -> None:
    c = make_container(tmp_path, at("2022-03-02 09:00"))
    case = register(c, "C1-XF", accused_units=["K1"], received_at="2022-03-01T09:00:00+08:00")
    act(c, case, "C1-XF", "classify", type="accusation", route="petition")
    error = refused(c, GuardRejected, lambda: act(c, case, "C1-XF", "transfer", to_unit="K1-ZJ"))
    assert isinstance(error, GuardRejected)
    assert (error.problem, error.article) == ("confidentiality", "《信访条例》第二十三条")
