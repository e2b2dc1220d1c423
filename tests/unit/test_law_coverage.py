"""The law coverage map (docs/law-coverage.md) stays true: it names only paths and tests
that exist, and it maps every deadline rule of the 2022 rule set and every action of the
petition chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from rules.data_2022 import RULES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "law-coverage.md"
CHART = ROOT / "statecharts" / "petition.yaml"
# A span in backticks; a path is one that starts with a top folder of the repository.
CODE = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"(?:src|tests|statecharts|docs|bench)/[^\s:`]*")


def _spans(text: str) -> set[str]:
    return set(CODE.findall(text))


def _named_paths(text: str) -> set[tuple[str, str | None]]:
    """(path, test name or None) for every backticked span that is a path."""
    named: set[tuple[str, str | None]] = set()
    for span in _spans(text):
        if PATH.fullmatch(span.split("::", 1)[0]) is None:
            continue
        path, _, test = span.partition("::")
        named.add((path, test or None))
    return named


def _defines(path: Path, name: str) -> bool:
    pattern = re.compile(rf"^\s*(?:async\s+)?def {re.escape(name)}\(", re.MULTILINE)
    return pattern.search(path.read_text(encoding="utf-8")) is not None


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_named_path_exists(text: str) -> None:
    named = _named_paths(text)
    assert len(named) > 50  # the map names its rules' files and tests
    missing = sorted(path for path, _ in named if not (ROOT / path).exists())
    assert missing == []


def test_every_named_test_is_defined_in_its_file(text: str) -> None:
    tests = sorted((path, name) for path, name in _named_paths(text) if name is not None)
    assert len(tests) > 30
    undefined = [
        f"{path}::{name}"
        for path, name in tests
        if not (ROOT / path).is_file() or not _defines(ROOT / path, name)
    ]
    assert undefined == []


def test_every_rule_of_2022_is_mapped(text: str) -> None:
    spans = _spans(text)
    assert [rule.id for rule in RULES if rule.id not in spans] == []


def test_every_action_of_the_chart_is_mapped(text: str) -> None:
    chart = yaml.safe_load(CHART.read_text(encoding="utf-8"))
    actions = list(chart["triggers"])
    assert "register" in actions and "lapse" in actions
    spans = _spans(text)
    assert [action for action in actions if action not in spans] == []


def test_the_checks_would_see_what_is_wrong() -> None:
    sample = (
        "`src/rules/nowhere.py`, `tests/unit/test_law_coverage.py::test_nothing`, "
        "`handle`, `POST /v1/petitions`"
    )
    assert _named_paths(sample) == {
        ("src/rules/nowhere.py", None),
        ("tests/unit/test_law_coverage.py", "test_nothing"),
    }
    assert not _defines(ROOT / "tests/unit/test_law_coverage.py", "test_nothing")
    assert _defines(ROOT / "tests/unit/test_law_coverage.py", "test_every_named_path_exists")
