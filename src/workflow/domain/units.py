"""The organisation tree as the domain sees it: who a unit is and who is above it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from rules.classification import UnitKind


class UnitLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"
    TOWNSHIP = "township"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    parent: str | None
    path: str

    def contains(self, other: Unit) -> bool:
        """True when ``other`` is this unit or lies anywhere below it."""
        return other.path.startswith(self.path)

    @property
    def lineage(self) -> tuple[str, ...]:
        """The codes from the root of the tree down to this unit (``path`` is ``/P/C1/``)."""
        return tuple(code for code in self.path.split("/") if code)


class UnitDirectory(Protocol):
    def get(self, code: str) -> Unit | None: ...


def government_of(unit: Unit, units: UnitDirectory) -> Unit:
    """The nearest government at or above ``unit`` (itself if none is in the tree)."""
    for code in reversed(unit.lineage):
        found = units.get(code)
        if found is not None and found.kind is UnitKind.GOVERNMENT:
            return found
    return unit


def is_higher(new: Unit, old: Unit, units: UnitDirectory) -> bool:
    """Whether ``new`` is a higher organ than ``old`` (上级机关、单位, 《信访工作条例》
    第十九条第三款): one of ``old``'s own superiors, or an organ of a government above
    ``old``'s."""
    if new.code == old.code:
        return False
    if new.contains(old):
        return True
    new_gov, old_gov = government_of(new, units), government_of(old, units)
    return new_gov.code != old_gov.code and new_gov.contains(old_gov)


def supervision_root(unit: Unit, units: UnitDirectory) -> Unit:
    """The top of the subtree a unit's supervisors oversee.

    A petition bureau (信访部门) supervises the organs of its own government
    (《信访工作条例》第四十条), which sit beside it under that government, so its root is
    its parent; any other unit oversees its own subtree.
    """
    if unit.kind == UnitKind.PETITION_BUREAU and unit.parent is not None:
        parent = units.get(unit.parent)
        if parent is not None:
            return parent
    return unit
