"""Rule sets: one per regulation version (and per local overlay), chosen by date and unit.

Each clock runs under the rule set in force on the day its triggering event
happened (DESIGN.md "Deadlines"; regulations.md §2.2 [I]: the regulations have no
transitional clause, so the engine picks the version by the event's date). A local
overlay limited to ``units`` governs the clocks whose responsible unit lies in one
of those subtrees: a province's regulation binds the organs of that province, so
the responsible unit, not the deployment, decides which local rules apply.
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
    "RuleSetChoice",
    "apply_overlay",
    "builtin_rule_sets",
    "default_rule_book",
    "load_overlay",
    "regulation_of",
]

REGULATIONS: tuple[Regulation, ...] = (data_2005.REGULATION, data_2022.REGULATION)
DEFAULT_OVERLAY_BASE = data_2022.REGULATION.id


@dataclass(frozen=True)
class RuleSet:
    """The deadline rules of one regulation version, with its validity period.

    ``effective_to`` is inclusive; ``base`` names the national set an overlay
    derives from; ``units`` (overlays only) are the unit codes whose subtrees it
    governs, empty for a set that governs every unit on its dates.
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
    units: tuple[str, ...] = ()
    # Whether a matter closed because its review (re-review) window lapsed is final for
    # the same facts and reasons: the Regulations say so only of a re-review
    # (第三十六条第三款), so for a lapse it is policy (Contract 1.1), on by default; an
    # overlay may turn it off (``lapsed_is_final = false``) and is then the authority.
    lapsed_is_final: bool = True

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
    if spec.base is not None and spec.base != base.id:
        raise RuleViolation(
            "overlay-invalid", f"overlay {spec.id!r} names base {spec.base!r}, not {base.id!r}"
        )
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
        units=spec.units,
        lapsed_is_final=(
            base.lapsed_is_final if spec.lapsed_is_final is None else spec.lapsed_is_final
        ),
    )


def load_overlay(book: RuleBook, overlay: Mapping[str, object]) -> RuleSet:
    """The overlay's rule set, on the national set its ``base`` names (default xinfang-2022).

    Raises:
        RuleViolation: ``overlay-invalid`` for a base that is not a national rule set
            of ``book``, and everything :func:`apply_overlay` refuses.
        UnknownRule: for a rule id the base does not have.
    """
    base_id = overlay.get("base", DEFAULT_OVERLAY_BASE)
    national = {rule_set.id: rule_set for rule_set in book.all if rule_set.base is None}
    if not isinstance(base_id, str) or base_id not in national:
        raise RuleViolation(
            "overlay-invalid", f"base: unknown rule set {base_id!r}; known {sorted(national)}"
        )
    return apply_overlay(national[base_id], overlay)


@dataclass(frozen=True)
class RuleSetChoice:
    """The rule set a clock runs under, and why, as a line for its explanation."""

    rule_set: RuleSet
    because: str


class RuleBook:
    """All rule sets a deployment knows, looked up by id, or by date and unit."""

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
        """The rule set in force on ``d`` for a caller without a unit.

        Overlays limited to ``units`` are left out; among the rest an overlay wins
        over its own base.

        Raises:
            NoRuleSetInForce: before the earliest rule set (2005-05-01).
            AmbiguousRuleSet: if two unrelated sets claim ``d``.
        """
        return self.choose(d).rule_set

    def for_date_and_unit(self, d: date, unit_path: Sequence[str]) -> RuleSet:
        """The rule set in force on ``d`` for a unit; see :meth:`choose`."""
        return self.choose(d, unit_path).rule_set

    def choose(self, d: date, unit_path: Sequence[str] = ()) -> RuleSetChoice:
        """The rule set for a clock starting on ``d`` whose responsible unit is ``unit_path``.

        ``unit_path`` lists unit codes from the root of the tree down to the unit
        itself (the rules do not know the tree; the caller passes the ancestry). The
        overlay whose ``units`` hold the nearest of them wins; if none claims any,
        the choice is :meth:`for_date`'s.

        Raises:
            NoRuleSetInForce: before the earliest rule set (2005-05-01).
            AmbiguousRuleSet: if two overlays claim the same unit on ``d``, or two
                unrelated sets without units claim ``d``.
        """
        if isinstance(d, datetime):
            raise TypeError("for_date takes a local date; convert with rules.time.local_date")
        in_force = [rule_set for rule_set in self._by_id.values() if rule_set.in_force_on(d)]
        for code in reversed(unit_path):
            claiming = [rule_set for rule_set in in_force if code in rule_set.units]
            if len(claiming) > 1:
                ids = ", ".join(rule_set.id for rule_set in claiming)
                raise AmbiguousRuleSet(f"several rule sets claim unit {code} on {d}: {ids}")
            if claiming:
                return RuleSetChoice(claiming[0], self.explain_choice(claiming[0], d, unit_path))
        general = [rule_set for rule_set in in_force if not rule_set.units]
        overlaid = {rule_set.base for rule_set in general}
        winners = [rule_set for rule_set in general if rule_set.id not in overlaid]
        if not winners:
            raise NoRuleSetInForce(d, self._none_message(d))
        if len(winners) > 1:
            ids = ", ".join(rule_set.id for rule_set in winners)
            raise AmbiguousRuleSet(f"several rule sets are in force on {d}: {ids}")
        return RuleSetChoice(winners[0], self.explain_choice(winners[0], d, unit_path))

    @staticmethod
    def explain_choice(rule_set: RuleSet, d: date, unit_path: Sequence[str] = ()) -> str:
        """Why ``rule_set`` governs a clock starting on ``d`` for the unit ``unit_path``.

        Also for a clock recomputed under the rule set it recorded: the unit tree may
        have changed since, so the line then names the overlay's units instead.
        """
        title, rule_set_id = rule_set.title, rule_set.id
        # An overlay's default title already ends with its id (apply_overlay).
        name = title if rule_set_id in title else f"{title}（{rule_set_id}）"
        line = f"适用规则：{name}，"
        if not rule_set.units:
            local = "本部署适用的地方规定，" if rule_set.base is not None else ""
            return f"{line}{local}按起算日 {d.isoformat()} 施行的版本"
        within = next((code for code in reversed(unit_path) if code in rule_set.units), None)
        if unit_path and within is not None:
            return f"{line}因责任单位 {unit_path[-1]} 属于 {within} 辖区"
        return f"{line}适用于 {'、'.join(rule_set.units)} 辖区（设定期限时按责任单位选定）"

    def _none_message(self, d: date) -> str:
        starts = [rule_set.effective_from for rule_set in self._by_id.values()]
        if starts and d < min(starts):
            return f"no rule set in force on {d}: the earliest takes effect on {min(starts)}"
        return f"no rule set in force on {d}"


def default_rule_book() -> RuleBook:
    """A rule book of the built-in national rule sets."""
    return RuleBook(builtin_rule_sets())
