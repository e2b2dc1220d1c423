"""Errors raised by the rules package.

``RuleViolation`` is the one the workflow maps to a guard rejection: it carries
the rule id, a reason for a human, the article, and structured context.
"""

from __future__ import annotations

from datetime import date

from rules.citations import Citation


class RuleError(Exception):
    """Base class of every error raised by :mod:`rules`."""


class RuleViolation(RuleError):
    """A legal precondition failed (or rule configuration is unlawful)."""

    def __init__(
        self, rule_id: str, reason: str, citation: Citation | None = None, **context: object
    ) -> None:
        self.rule_id = rule_id
        self.reason = reason
        self.citation = citation
        self.context: dict[str, object] = dict(context)
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"[{self.rule_id}] {self.reason}"
        if self.citation is not None:
            text += f"（{self.citation}）"
        if self.context:
            details = ", ".join(f"{key}={value}" for key, value in sorted(self.context.items()))
            text += f" [{details}]"
        return text

    def __repr__(self) -> str:
        return (
            f"RuleViolation(rule_id={self.rule_id!r}, reason={self.reason!r}, "
            f"citation={self.citation!r}, context={self.context!r})"
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-able form for problem responses (dates become ISO strings)."""
        return {
            "rule_id": self.rule_id,
            "reason": self.reason,
            "citation": None if self.citation is None else str(self.citation),
            "context": {key: _jsonable(value) for key, value in self.context.items()},
        }


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class CalendarFileInvalid(RuleError):
    """A calendar override file is malformed; the message names the field and date."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(message if where is None else f"{where}: {message}")


class NoRuleSetInForce(RuleError):
    """No regulation was in force on the day (the earliest is 2005-05-01)."""

    def __init__(self, day: date, message: str | None = None) -> None:
        self.day = day
        super().__init__(message or f"no rule set in force on {day.isoformat()}")


class UnknownRule(RuleError):
    """A rule id or rule-set id that does not exist."""

    def __init__(self, rule_id: str, where: str | None = None) -> None:
        self.rule_id = rule_id
        self.where = where
        suffix = "" if where is None else f" in {where}"
        super().__init__(f"unknown rule {rule_id!r}{suffix}")


class AmbiguousRuleSet(RuleError):
    """Several rule sets claim the same day and none overlays the others."""
