"""The layout is documented truthfully: docs/architecture.md names only files that exist,
and every package of the engine says what it owns and is held by an import contract."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
ENGINE = ROOT / "src" / "workflow"
PACKAGES = sorted(p.parent.name for p in ENGINE.glob("*/__init__.py"))
# A path as the page writes one: a file or folder under the repository's top folders.
PATH = re.compile(r"(?:src|statecharts|docs|tests|bench)/[\w./-]*\w/?")


def _named_paths(text: str) -> set[str]:
    return set(PATH.findall(text))


def test_the_architecture_page_names_only_paths_that_exist() -> None:
    named = _named_paths(DOC.read_text(encoding="utf-8"))
    assert len(named) > 20  # the walk-through names its files
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_the_path_check_would_see_a_missing_file() -> None:
    assert _named_paths("see `src/workflow/nowhere.py` and src/api/") == {
        "src/workflow/nowhere.py",
        "src/api/",
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_every_engine_package_says_what_it_owns(package: str) -> None:
    tree = ast.parse((ENGINE / package / "__init__.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring and len(docstring) > 80, f"workflow.{package} needs a docstring"
    assert f"workflow/{package}/" in DOC.read_text(encoding="utf-8")


def test_no_loose_modules_beside_the_engine_packages() -> None:
    loose = sorted(p.name for p in ENGINE.glob("*.py") if p.name != "__init__.py")
    assert loose == []


def test_the_layers_contract_holds_every_engine_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers" and c.get("containers"))
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert named == set(PACKAGES)
