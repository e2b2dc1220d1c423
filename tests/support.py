"""Shared test helpers: a small unit tree, a simulated clock, a container on a temp file."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from workflow.domain.actions import ACTION_ADAPTER, Register
from workflow.domain.actor import Actor, Role
from workflow.domain.case import Case
from workflow.domain.clock import SimulatedClock
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.runtime.config import Settings

SH = ZoneInfo("Asia/Shanghai")

# A province (P) with two cities (C1, C2) and a county under C1 (K1); at each level a
# government, a petition bureau (-XF) and an agency (-ZJ housing); plus 政法 and 纪检.
UNITS: list[dict[str, Any]] = [
    {
        "code": "P",
        "name": "省人民政府",
        "level": "provincial",
        "kind": "government",
        "parent": None,
    },
    {
        "code": "P-XF",
        "name": "省信访局",
        "level": "provincial",
        "kind": "petition_bureau",
        "parent": "P",
    },
    {
        "code": "C1",
        "name": "甲市人民政府",
        "level": "municipal",
        "kind": "government",
        "parent": "P",
    },
    {
        "code": "C1-XF",
        "name": "甲市信访局",
        "level": "municipal",
        "kind": "petition_bureau",
        "parent": "C1",
    },
    {
        "code": "C1-ZJ",
        "name": "甲市住房和城乡建设局",
        "level": "municipal",
        "kind": "agency",
        "parent": "C1",
    },
    {
        "code": "C1-ZF",
        "name": "甲市委政法委",
        "level": "municipal",
        "kind": "political_legal",
        "parent": "C1",
    },
    {
        "code": "C1-JW",
        "name": "甲市纪委监委",
        "level": "municipal",
        "kind": "discipline",
        "parent": "C1",
    },
    {"code": "K1", "name": "乙县人民政府", "level": "county", "kind": "government", "parent": "C1"},
    {
        "code": "K1-XF",
        "name": "乙县信访局",
        "level": "county",
        "kind": "petition_bureau",
        "parent": "K1",
    },
    {
        "code": "K1-ZJ",
        "name": "乙县住房和城乡建设局",
        "level": "county",
        "kind": "agency",
        "parent": "K1",
    },
    {
        "code": "C2",
        "name": "丙市人民政府",
        "level": "municipal",
        "kind": "government",
        "parent": "P",
    },
    {
        "code": "C2-XF",
        "name": "丙市信访局",
        "level": "municipal",
        "kind": "petition_bureau",
        "parent": "C2",
    },
]


def at(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. at("2026-09-28 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def actor(unit: str, role: Role = Role.HANDLER, sub: str | None = None) -> Actor:
    return Actor(sub=sub or f"{role.value}@{unit}", role=role, unit=unit)


def make_container(
    tmp_path: Path, start: datetime, *, database_url: str | None = None, **settings: Any
) -> Container:
    url = database_url or f"sqlite:///{tmp_path / 'pf.db'}"
    config = Settings(database_url=url, **settings)
    container = bootstrap(config, clock=SimulatedClock(start))
    with container.db.write() as conn:
        for unit in UNITS:
            container.units.create(conn, unit)
    return container


_SUBJECTS = itertools.count(1)


def petition_body(**fields: Any) -> dict[str, Any]:
    """A valid registration body; tests override only the fields they are about.

    Each body has its own subject (a numbered building), so matters registered by one
    test are independent; tests of repeat petitions pass the same subject explicitly.
    """
    body: dict[str, Any] = {
        "channel": "letter",
        "petitioners": [
            {
                "name": "张三",
                "id_number": "110101199001011234",
                "phone": "13800000000",
                "address": "甲市某路1号",
            }
        ],
        "subject": f"房屋漏水维修（{next(_SUBJECTS)}号楼）",
        "content": "小区房屋漏水，物业不予维修。",
    }
    body.update(fields)
    return body


def register(c: Container, unit: str = "C1-XF", **fields: Any) -> Case:
    body = petition_body(**fields)
    return c.petitions.register(Register.model_validate(body), actor(unit, Role.REGISTRAR))


def act(c: Container, case: Case | str, unit: str, action: str, **fields: Any) -> Case:
    case_id = case if isinstance(case, str) else case.id
    model = ACTION_ADAPTER.validate_python({"action": action, **fields})
    return c.petitions.act(case_id, model, actor(unit))
