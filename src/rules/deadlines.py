"""Deadline rules: a time limit stated by a regulation, as data.

A rule says how long (``period_days`` in ``unit``), from which event
(``starts_from``), under which article (``citation``), whether the last day rolls
forward over rest days, and whether it can be extended or paused. The arithmetic
lives in :mod:`rules.counting`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rules.citations import Citation


class DayUnit(StrEnum):
    """How a period is counted. The regulations write plain 日 for calendar days and
    say 工作日 expressly when they mean working days (regulations.md §4.2)."""

    CALENDAR = "calendar_days"
    WORKING = "working_days"


class ClockKind(StrEnum):
    """What missing the deadline means."""

    OBLIGATION = "obligation"
    """An organ must act; missing it is a breach (超期, 督办)."""
    WINDOW = "window"
    """A right expires (e.g. to request 复查); missing it is a lapse."""


@dataclass(frozen=True)
class ExtensionPolicy:
    """How a period may be extended: a cap on the days in total, and approval.

    ``max_total_days`` caps the sum of every approved extension of one clock.
    ``max_times`` limits the number of approvals only where a provision does;
    None means the text sets no such limit. The national texts cap the days and
    are silent on the number of approvals: 《信访工作条例》第三十四条 (2005:
    《信访条例》第三十三条) “经本机关、单位负责人批准，可以适当延长办理期限，但延长
    期限不得超过30日”. An overlay may set both, citing its own provision
    (:mod:`rules.overlays`).
    """

    max_total_days: int
    requires_approval: bool
    citation: Citation
    max_times: int | None = None

    def __post_init__(self) -> None:
        if self.max_total_days <= 0:
            raise ValueError("an extension's max_total_days must be positive")
        if self.max_times is not None and self.max_times <= 0:
            raise ValueError("an extension's max_times must be positive or None (unlimited)")


@dataclass(frozen=True)
class DeadlineRule:
    """One statutory time limit.

    ``period_days`` is None when the limit is set per case (e.g. the deadline a
    信访部门 sets when it 交办 a matter); the caller then supplies it.
    """

    id: str
    title: str
    citation: Citation
    period_days: int | None
    unit: DayUnit
    roll_forward: bool
    starts_from: str
    kind: ClockKind
    extension: ExtensionPolicy | None = None
    pausable: bool = False
    pause_citation: Citation | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        if self.period_days is not None and self.period_days <= 0:
            raise ValueError(f"rule {self.id!r}: period_days must be positive")
        if self.pausable and self.pause_citation is None:
            raise ValueError(f"rule {self.id!r}: a pausable rule must cite the pause provision")

    @property
    def per_case(self) -> bool:
        """True when the period is fixed per case rather than by the regulation."""
        return self.period_days is None
