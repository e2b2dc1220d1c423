"""The printable dossier page: Jinja2, Chinese labels, times in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from rules.time import SHANGHAI

TEMPLATES = Path(__file__).resolve().parent / "templates"


def shanghai(value: str | datetime | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["sh"] = shanghai
    return env


def render(dossier: dict[str, Any], unit_name: Callable[[str], str]) -> str:
    env = _environment().overlay()
    env.filters["unit"] = unit_name
    template = env.get_template("dossier.html")
    return template.render(d=dossier, p=dossier["petition"])
