"""``serve --demo``: a small unit tree and a few matters in different states.

Idempotent: when units already exist nothing is loaded. Matters go through the
PetitionService like any other command, so their histories are real.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import typer

from workflow.domain.actions import ACTION_ADAPTER, Register
from workflow.domain.actor import Actor, Role
from workflow.domain.case import Case
from workflow.runtime.bootstrap import Container
from workflow.runtime.config import Settings
from workflow.runtime.tokens import mint

# (code, name, level, kind, parent): a province, two cities, a county under each city;
# at each level a government, a petition bureau (信访局) and agencies, plus 政法 and 纪检.
TREE: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("GD", "东岭省人民政府", "provincial", "government", None),
    ("GD-XFJ", "东岭省信访局", "provincial", "petition_bureau", "GD"),
    ("GD-ZJT", "东岭省住房和城乡建设厅", "provincial", "agency", "GD"),
    ("GD-ZFW", "东岭省委政法委", "provincial", "political_legal", "GD"),
    ("GD-JW", "东岭省纪委监委", "provincial", "discipline", "GD"),
    ("HZ", "湖州市人民政府", "municipal", "government", "GD"),
    ("HZ-XFJ", "湖州市信访局", "municipal", "petition_bureau", "HZ"),
    ("HZ-ZJJ", "湖州市住房和城乡建设局", "municipal", "agency", "HZ"),
    ("HZ-RSJ", "湖州市人力资源和社会保障局", "municipal", "agency", "HZ"),
    ("HZ-ZFW", "湖州市委政法委", "municipal", "political_legal", "HZ"),
    ("HZ-JW", "湖州市纪委监委", "municipal", "discipline", "HZ"),
    ("HZ-AJ", "安吉县人民政府", "county", "government", "HZ"),
    ("HZ-AJ-XFJ", "安吉县信访局", "county", "petition_bureau", "HZ-AJ"),
    ("HZ-AJ-ZJJ", "安吉县住房和城乡建设局", "county", "agency", "HZ-AJ"),
    ("NB", "宁波市人民政府", "municipal", "government", "GD"),
    ("NB-XFJ", "宁波市信访局", "municipal", "petition_bureau", "NB"),
    ("NB-ZJJ", "宁波市住房和城乡建设局", "municipal", "agency", "NB"),
    ("NB-XS", "象山县人民政府", "county", "government", "NB"),
    ("NB-XS-XFJ", "象山县信访局", "county", "petition_bureau", "NB-XS"),
)

TOKENS: tuple[tuple[Role, str], ...] = (
    (Role.ADMIN, "GD"),
    (Role.REGISTRAR, "HZ-XFJ"),
    (Role.HANDLER, "HZ-XFJ"),
    (Role.HANDLER, "HZ-ZJJ"),
    (Role.HANDLER, "HZ"),
    (Role.SUPERVISOR, "HZ"),
    (Role.AUDITOR, "GD"),
)


def _who(role: Role, unit: str) -> Actor:
    return Actor(sub=f"demo-{role.value}@{unit}", role=role, unit=unit)


def _matter(c: Container, subject: str, name: str) -> Case:
    received = c.clock.now() - timedelta(days=20)
    body: dict[str, Any] = {
        "channel": "letter",
        "received_at": received.isoformat(),
        "petitioners": [
            {
                "name": name,
                "id_number": "330501199001011234",
                "phone": "13900000000",
                "address": "湖州市吴兴区示例路1号",
            }
        ],
        "subject": subject,
        "content": f"{subject}：示例材料。",
        "location_unit": "HZ",
    }
    return c.petitions.register(Register.model_validate(body), _who(Role.REGISTRAR, "HZ-XFJ"))


def _act(c: Container, case: Case, unit: str, action: str, **fields: Any) -> Case:
    model = ACTION_ADAPTER.validate_python({"action": action, **fields})
    return c.petitions.act(case.id, model, _who(Role.HANDLER, unit))


def load_demo(c: Container) -> bool:
    """Load the tree and sample matters; False when units already exist."""
    if c.units.all():
        return False
    with c.db.write() as conn:
        for code, name, level, kind, parent in TREE:
            c.units.create(
                conn, {"code": code, "name": name, "level": level, "kind": kind, "parent": parent}
            )
    _matter(c, "小区房屋漏水维修", "张三")  # stays registered
    classified = _matter(c, "拖欠工资", "李四")
    _act(c, classified, "HZ-XFJ", "classify", type="claim", route="petition")
    handling = _matter(c, "物业服务纠纷", "王五")
    _act(c, handling, "HZ-XFJ", "classify", type="claim", route="petition")
    _act(c, handling, "HZ-XFJ", "transfer", to_unit="HZ-ZJJ", mode="transfer")
    _act(c, handling, "HZ-ZJJ", "accept")
    replied = _matter(c, "房屋征收补偿", "赵六")
    _act(c, replied, "HZ-XFJ", "classify", type="claim", route="petition")
    _act(c, replied, "HZ-XFJ", "transfer", to_unit="HZ-ZJJ", mode="transfer")
    _act(c, replied, "HZ-ZJJ", "accept")
    _act(c, replied, "HZ-ZJJ", "reply", outcome="explain", opinion="已作解释说明")
    diverted = _matter(c, "对判决不服", "钱七")
    _act(c, diverted, "HZ-XFJ", "classify", type="claim", route="litigation", to_unit="HZ-ZFW")
    return True


def print_tokens(settings: Settings) -> None:
    """One token per demo role on the terminal (stdout), never into logging; when stdout
    is not a terminal (a file, a pipe: what a log collector reads) none is written."""
    if not sys.stdout.isatty():
        typer.echo(
            "demo: stdout is not a terminal, so no tokens are printed; mint one with "
            "`petitionflow token --role admin --unit GD` in this directory",
            err=True,
        )
        return
    typer.echo("demo tokens (export one as TOKEN):")
    for role, unit in TOKENS:
        token = mint(settings, role, unit, f"demo-{role.value}@{unit}")
        typer.echo(f"  {role.value:<10} {unit:<8} {token}")
