"""Local overlays: a province's variations on a national rule set, as configuration.

Example (《浙江省信访条例》(2016) 第二十条第二款 counts the acceptance notice for
transferred matters in 5 working days)::

    id = "xinfang-2022+zhejiang"
    title = "信访工作条例（浙江省）"
    [rules.notice_transfer]
    period_days = 5
    unit = "working_days"
    citation = { instrument = "浙江省信访条例", article = "第二十条第二款" }

Keys: ``id`` (required), ``title``, ``effective_from`` and ``effective_to``
(ISO strings or dates; default: the base's period), and ``rules``: a table per
rule id with ``period_days``, ``unit`` (``calendar_days``/``working_days``),
``roll_forward``, ``pausable``, ``notes`` and ``citation`` (``instrument`` and
``article``). Every changed rule must cite the local provision that changes it,
so that the engine never shows a national article for a local number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from rules.citations import Citation
from rules.deadlines import DayUnit, DeadlineRule
from rules.errors import RuleViolation, UnknownRule

_TOP_KEYS = {"id", "title", "effective_from", "effective_to", "rules"}
_RULE_KEYS = {"period_days", "unit", "roll_forward", "pausable", "citation", "notes"}


@dataclass(frozen=True)
class OverlaySpec:
    """A validated overlay: identity, validity period and the resulting rules."""

    id: str
    title: str | None
    effective_from: date | None
    effective_to: date | None
    rules: Mapping[str, DeadlineRule]


def parse_overlay(
    base_rules: Mapping[str, DeadlineRule], overlay: Mapping[str, object]
) -> OverlaySpec:
    """Validate ``overlay`` against the base rules and build the overlaid rules.

    Raises:
        RuleViolation: ``overlay-invalid`` for an unknown key, a wrong type or a
            changed rule without a citation.
        UnknownRule: for a rule id the base rule set does not have.
    """
    _known_keys(overlay, _TOP_KEYS, "overlay")
    overlay_id = _text(overlay.get("id"), "id")
    rules = dict(base_rules)
    for rule_id, changes in _table(overlay.get("rules", {}), "rules").items():
        if rule_id not in base_rules:
            raise UnknownRule(rule_id, f"overlay {overlay_id!r}")
        rules[rule_id] = _changed(base_rules[rule_id], _table(changes, f"rules.{rule_id}"))
    title = overlay.get("title")
    return OverlaySpec(
        id=overlay_id,
        title=None if title is None else _text(title, "title"),
        effective_from=_optional_date(overlay.get("effective_from"), "effective_from"),
        effective_to=_optional_date(overlay.get("effective_to"), "effective_to"),
        rules=rules,
    )


def _changed(rule: DeadlineRule, changes: Mapping[str, object]) -> DeadlineRule:
    where = f"rules.{rule.id}"
    _known_keys(changes, _RULE_KEYS, where)
    if "citation" not in changes:
        raise _invalid(f"{where}: a changed rule must cite the local provision (citation)")
    citation = _citation(changes["citation"], f"{where}.citation")
    pausable = _flag(changes.get("pausable", rule.pausable), f"{where}.pausable")
    note = f"地方规定{citation}变更了{rule.citation}的期限规则。"
    return replace(
        rule,
        citation=citation,
        period_days=_period(changes.get("period_days", rule.period_days), f"{where}.period_days"),
        unit=_unit(changes.get("unit", rule.unit), f"{where}.unit"),
        roll_forward=_flag(changes.get("roll_forward", rule.roll_forward), f"{where}.roll_forward"),
        pausable=pausable,
        pause_citation=rule.pause_citation or (citation if pausable else None),
        notes=_text(changes.get("notes", note), f"{where}.notes"),
    )


def _known_keys(table: Mapping[str, object], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _invalid(f"{where}: unknown key(s) {unknown}; allowed {sorted(allowed)}")


def _invalid(reason: str) -> RuleViolation:
    return RuleViolation("overlay-invalid", reason)


def _table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise _invalid(f"{where}: must be a table, got {value!r}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where}: must be a non-empty string, got {value!r}")
    return value


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(f"{where}: must be true or false, got {value!r}")
    return value


def _period(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _invalid(f"{where}: must be a positive integer, got {value!r}")
    return value


def _unit(value: object, where: str) -> DayUnit:
    units = [unit.value for unit in DayUnit]
    if not isinstance(value, str) or value not in units:
        raise _invalid(f"{where}: must be one of {units}, got {value!r}")
    return DayUnit(value)


def _citation(value: object, where: str) -> Citation:
    table = _table(value, where)
    _known_keys(table, {"instrument", "article"}, where)
    instrument = _text(table.get("instrument"), f"{where}.instrument")
    return Citation(instrument, _text(table.get("article"), f"{where}.article"))


def _optional_date(value: object, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid(f"{where}: must be a date or an ISO date string, got {value!r}")
