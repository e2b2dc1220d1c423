"""The printable dossier page: Jinja2, Chinese labels, times in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from rules.time import SHANGHAI
from workflow.domain.units import UnitDirectory

TEMPLATES = Path(__file__).resolve().parent / "templates"


def shanghai(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(SHANGHAI).strftime(fmt)


def unit_namer(units: UnitDirectory) -> Callable[[str | None], str]:
    """A unit as pages show it: its name and, in brackets, its code."""

    def name(code: str | None) -> str:
        if not code:
            return ""
        unit = units.get(code)
        return f"{unit.name}（{code}）" if unit is not None else code

    return name


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["sh"] = shanghai
    return env


def render(dossier: dict[str, Any], unit_name: Callable[[str | None], str]) -> str:
    env = _environment().overlay()
    env.filters["unit"] = unit_name
    template = env.get_template("dossier.html")
    return template.render(d=dossier, p=dossier["petition"])
