"""The rules package is pure: no clock, no framework, no database (DESIGN.md, STYLE.md §4.6)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import rules

SOURCE = Path(rules.__file__).parent
MODULES = sorted(SOURCE.rglob("*.py"))
CLOCK_READS = ("datetime.now", "date.today", "time.time", "utcnow", "time.monotonic")
# chinesecalendar: official holiday data; lunar_python: lunar dates and 清明 (rules.statutory).
ALLOWED_ROOTS = {"rules", "chinese_calendar", "lunar_python", "__future__"}
FORBIDDEN_ROOTS = {
    "workflow",
    "api",
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "yaml",
    "transitions",
    "apscheduler",
    "pydantic",
}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_modules_found() -> None:
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_clock_reads(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [word for word in CLOCK_READS if word in text] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_stdlib_and_calendar_libraries(path: Path) -> None:
    roots = _imported_roots(path)
    assert roots & FORBIDDEN_ROOTS == set()
    third_party = {root for root in roots if root not in sys.stdlib_module_names}
    assert third_party <= ALLOWED_ROOTS
