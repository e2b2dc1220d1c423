"""Rule sets: one per regulation version (and per local overlay), chosen by date.

Each clock runs under the rule set in force on the day its triggering event
happened (DESIGN.md "Deadlines"; regulations.md §2.2 [I]: the regulations have no
transitional clause, so the engine picks the version by the event's date).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from rules import data_2005, data_2022
from rules.citations import Citation
from rules.deadlines import DeadlineRule
from rules.errors import AmbiguousRuleSet, NoRuleSetInForce, RuleViolation, UnknownRule
from rules.overlays import parse_overlay
from rules.regulation import Regulation
from rules.taxonomy import HandlingScope

__all__ = [
    "HandlingScope",
    "RuleBook",
    "RuleSet",
    "apply_overlay",
    "builtin_rule_sets",
    "default_rule_book",
    "regulation_of",
]

REGULATIONS: tuple[Regulation, ...] = (data_2005.REGULATION, data_2022.REGULATION)


@dataclass(frozen=True)
class RuleSet:
    """The deadline rules of one regulation version, with its validity period.

    ``effective_to`` is inclusive; ``base`` names the national set an overlay
    derives from.
    """

    id: str
    title: str
    instrument: str
    effective_from: date
    effective_to: date | None
    rules: Mapping[str, DeadlineRule]
    handling_scope: HandlingScope
    max_representatives: int
    representatives_citation: Citation
    base: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def __hash__(self) -> int:
        # Consistent with field equality; ``rules`` itself is unhashable.
        return hash((self.id, self.effective_from, self.effective_to))

    def rule(self, rule_id: str) -> DeadlineRule:
        """The rule with this id.

        Raises:
            UnknownRule: if this rule set has no such rule (e.g. ``object`` in 2005).
        """
        try:
            return self.rules[rule_id]
        except KeyError:
            raise UnknownRule(rule_id, self.id) from None

    def has_rule(self, rule_id: str) -> bool:
        """Whether this rule set defines ``rule_id``."""
        return rule_id in self.rules

    def in_force_on(self, d: date) -> bool:
        """Whether ``d`` lies in [effective_from, effective_to]."""
        return self.effective_from <= d and (self.effective_to is None or d <= self.effective_to)


def _from_regulation(regulation: Regulation) -> RuleSet:
    return RuleSet(
        id=regulation.id,
        title=regulation.title,
        instrument=regulation.instrument,
        effective_from=regulation.effective_from,
        effective_to=regulation.effective_to,
        rules={rule.id: rule for rule in regulation.rules},
        handling_scope=regulation.handling_scope,
        max_representatives=regulation.max_representatives,
        representatives_citation=regulation.representatives_citation,
    )


def builtin_rule_sets() -> tuple[RuleSet, ...]:
    """``xinfang-2005`` (2005-05-01..2022-04-30) and ``xinfang-2022`` (from 2022-05-01)."""
    return tuple(_from_regulation(regulation) for regulation in REGULATIONS)


def regulation_of(rule_set: RuleSet) -> Regulation:
    """The national regulation a rule set (or overlay) implements, by its instrument.

    Raises:
        UnknownRule: for a rule set whose instrument has no legal tables here.
    """
    for regulation in REGULATIONS:
        if regulation.instrument == rule_set.instrument:
            return regulation
    raise UnknownRule(rule_set.instrument, "the built-in regulations")


def apply_overlay(base: RuleSet, overlay: Mapping[str, object]) -> RuleSet:
    """Derive a local rule set from ``base`` and an overlay table (see :mod:`rules.overlays`).

    Raises:
        RuleViolation: ``overlay-invalid`` for malformed configuration or a
            validity period outside the base's.
        UnknownRule: for a rule id the base does not have.
    """
    spec = parse_overlay(base.rules, overlay)
    if spec.id == base.id:
        raise RuleViolation("overlay-invalid", f"overlay id must differ from its base {base.id!r}")
    start = spec.effective_from or base.effective_from
    end = spec.effective_to or base.effective_to
    if not base.in_force_on(start) or (
        end is not None and (end < start or not base.in_force_on(end))
    ):
        raise RuleViolation(
            "overlay-invalid",
            f"overlay period {start}..{end} lies outside {base.id} "
            f"({base.effective_from}..{base.effective_to})",
        )
    return RuleSet(
        id=spec.id,
        title=spec.title or f"{base.title}（{spec.id}）",
        instrument=base.instrument,
        effective_from=start,
        effective_to=end,
        rules=spec.rules,
        handling_scope=base.handling_scope,
        max_representatives=base.max_representatives,
        representatives_citation=base.representatives_citation,
        base=base.base or base.id,
    )


class RuleBook:
    """All rule sets a deployment knows, looked up by id or by date."""

    def __init__(self, rule_sets: Sequence[RuleSet]) -> None:
        self._by_id: dict[str, RuleSet] = {}
        for rule_set in rule_sets:
            if rule_set.id in self._by_id:
                raise RuleViolation("rulebook-invalid", f"duplicate rule set id {rule_set.id!r}")
            self._by_id[rule_set.id] = rule_set

    @property
    def all(self) -> tuple[RuleSet, ...]:
        """Every rule set, in registration order."""
        return tuple(self._by_id.values())

    def get(self, rule_set_id: str) -> RuleSet:
        """The rule set with this id.

        Raises:
            UnknownRule: if there is none.
        """
        try:
            return self._by_id[rule_set_id]
        except KeyError:
            raise UnknownRule(rule_set_id, "the rule book") from None

    def for_date(self, d: date) -> RuleSet:
        """The rule set in force on ``d``; an overlay wins over its own base.

        Raises:
            NoRuleSetInForce: before the earliest rule set (2005-05-01).
            AmbiguousRuleSet: if two unrelated sets claim ``d``.
        """
        if isinstance(d, datetime):
            raise TypeError("for_date takes a local date; convert with rules.time.local_date")
        in_force = [rule_set for rule_set in self._by_id.values() if rule_set.in_force_on(d)]
        overlaid = {rule_set.base for rule_set in in_force}
        winners = [rule_set for rule_set in in_force if rule_set.id not in overlaid]
        if not winners:
            raise NoRuleSetInForce(d, self._none_message(d))
        if len(winners) > 1:
            ids = ", ".join(rule_set.id for rule_set in winners)
            raise AmbiguousRuleSet(f"several rule sets are in force on {d}: {ids}")
        return winners[0]

    def _none_message(self, d: date) -> str:
        starts = [rule_set.effective_from for rule_set in self._by_id.values()]
        if starts and d < min(starts):
            return f"no rule set in force on {d}: the earliest takes effect on {min(starts)}"
        return f"no rule set in force on {d}"


def default_rule_book() -> RuleBook:
    """A rule book of the built-in national rule sets."""
    return RuleBook(builtin_rule_sets())
