"""Computed deadlines: the due date, and the day-by-day reasoning behind it.

A :class:`DueDate` is a value an auditor can read: every day from the
triggering event to the due date is a :class:`Step` that says whether it was
counted, skipped, paused, extended or rolled over, and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from rules.citations import Citation
from rules.deadlines import DayUnit
from rules.time import end_of_day


@dataclass(frozen=True)
class Pause:
    """Time excluded from a period, inclusive at both ends.

    A hearing from A to B excludes B−A+1 days: 《信访工作条例》第三十六条第二款
    “听证所需时间不计算在前款规定的期限内”.
    """

    start: date
    end: date

    @property
    def days(self) -> int:
        """Number of calendar days covered."""
        return (self.end - self.start).days + 1

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies inside the pause."""
        return self.start <= day <= self.end


class StepKind(StrEnum):
    """What happened on one day of a period."""

    TRIGGER = "trigger"
    COUNT = "count"
    SKIP = "skip"
    EXTEND = "extend"
    PAUSE = "pause"
    SHIFT = "shift"
    DUE = "due"


@dataclass(frozen=True)
class Step:
    """One day of a period and a short Chinese note, e.g. ``周六，周末，不计入``."""

    day: date
    kind: StepKind
    note: str

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {"day": self.day.isoformat(), "kind": self.kind.value, "note": self.note}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Step:
        """Inverse of :meth:`to_dict`."""
        return cls(_date(data, "day"), StepKind(_str(data, "kind")), _str(data, "note"))


@dataclass(frozen=True)
class DueDate:
    """A deadline computed under one rule of one rule set.

    ``steps`` holds one step per day from ``trigger_on`` to ``due_on`` when
    computed; a copy restored from ``to_dict(days=False)`` holds the notable
    steps only (every kind except COUNT). ``chosen_because``, when the caller
    chose the rule set, says which and why (``RuleBook.choose``); it leads the
    explanation.
    """

    rule_id: str
    rule_set: str
    article: str
    trigger_on: date
    starts_on: date
    period_days: int
    unit: DayUnit
    extension_days: int
    paused_days: int
    nominal_due_on: date
    due_on: date
    rolled_forward: bool
    provisional: bool
    provisional_years: tuple[int, ...]
    steps: tuple[Step, ...]
    title: str = ""
    citation: Citation | None = None
    summary: str = ""
    chosen_because: str = ""

    @property
    def ends_at(self) -> datetime:
        """24:00 Asia/Shanghai of ``due_on``, as UTC (《民法典》第二百零三条第二款)."""
        return end_of_day(self.due_on)

    # Both are derived once per value: compute_due memoises its DueDates, so one value
    # answers every matter registered on the same day under the same rule, and walking
    # a 60-day period's steps again for each was ~10 µs of every clock armed. (A frozen
    # dataclass without slots: cached_property stores into the instance dict, which is
    # not a field, so equality and hashing are unchanged.)
    @cached_property
    def notable_steps(self) -> tuple[Step, ...]:
        """Every step except plain counted days."""
        return tuple(step for step in self.steps if step.kind is not StepKind.COUNT)

    @cached_property
    def _explanation(self) -> tuple[str, ...]:
        lines = tuple(line for line in (self.chosen_because, self.summary) if line)
        return lines + tuple(f"{step.day.isoformat()} {step.note}" for step in self.notable_steps)

    def explain(self) -> list[str]:
        """The rule-set line (if any), the summary line, then one line per notable step.

        A new list each call.
        """
        return list(self._explanation)

    def to_dict(self, *, days: bool = False) -> dict[str, object]:
        """JSON-able form; ``days=True`` adds every per-day step under ``days``."""
        data: dict[str, object] = {
            "rule_id": self.rule_id,
            "rule_set": self.rule_set,
            "article": self.article,
            "title": self.title,
            "citation": None if self.citation is None else self.citation.to_dict(),
            "trigger_on": self.trigger_on.isoformat(),
            "starts_on": self.starts_on.isoformat(),
            "period_days": self.period_days,
            "unit": self.unit.value,
            "extension_days": self.extension_days,
            "paused_days": self.paused_days,
            "nominal_due_on": self.nominal_due_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "rolled_forward": self.rolled_forward,
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "summary": self.summary,
            "chosen_because": self.chosen_because,
            "explanation": self.explain(),
            "steps": [step.to_dict() for step in self.notable_steps],
        }
        if days:
            data["days"] = [step.to_dict() for step in self.steps]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> DueDate:
        """Rebuild from :meth:`to_dict` output (``explanation`` is derived, so ignored)."""
        raw_steps = data["days"] if "days" in data else data.get("steps", [])
        return cls(
            rule_id=_str(data, "rule_id"),
            rule_set=_str(data, "rule_set"),
            article=_str(data, "article"),
            trigger_on=_date(data, "trigger_on"),
            starts_on=_date(data, "starts_on"),
            period_days=_int(data, "period_days"),
            unit=DayUnit(_str(data, "unit")),
            extension_days=_int(data, "extension_days"),
            paused_days=_int(data, "paused_days"),
            nominal_due_on=_date(data, "nominal_due_on"),
            due_on=_date(data, "due_on"),
            rolled_forward=_bool(data, "rolled_forward"),
            provisional=_bool(data, "provisional"),
            provisional_years=tuple(_ints(data.get("provisional_years", []))),
            steps=tuple(Step.from_dict(item) for item in _mappings(raw_steps)),
            title=str(data.get("title", "")),
            citation=_citation(data.get("citation")),
            summary=str(data.get("summary", "")),
            chosen_because=str(data.get("chosen_because", "")),
        )


def _str(data: Mapping[str, object], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string, got {value!r}")
    return value


def _int(data: Mapping[str, object], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key!r} must be an integer, got {value!r}")
    return value


def _bool(data: Mapping[str, object], key: str) -> bool:
    value = data[key]
    if not isinstance(value, bool):
        raise ValueError(f"{key!r} must be a boolean, got {value!r}")
    return value


def _date(data: Mapping[str, object], key: str) -> date:
    return date.fromisoformat(_str(data, key))


def _ints(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) for v in value):
        raise ValueError(f"expected a list of integers, got {value!r}")
    return [int(v) for v in value]


def _mappings(value: object) -> list[Mapping[str, object]]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"expected a list of step objects, got {value!r}")
    return list(value)


def _citation(value: object) -> Citation | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"'citation' must be an object, got {value!r}")
    return Citation.from_dict(value)
