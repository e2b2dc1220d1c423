"""Local overlays: a province's variations on a national rule set, as configuration.

Example: 《浙江省信访条例》(2016) 第二十条第二款 counts the acceptance notice for
transferred matters in 5 working days, and 第二十三条 gives 30 days for handling
“经本国家机关负责人批准，可以适当延长办理期限，但延长期限不得超过六十日”::

    id = "xinfang-2022+zhejiang"
    title = "信访工作条例（浙江省）"
    base = "xinfang-2022"
    units = ["ZJ"]

    [rules.notice_transfer]
    period_days = 5
    unit = "working_days"
    citation = { instrument = "浙江省信访条例", article = "第二十条第二款" }

    [rules.handle]
    period_days = 30
    citation = { instrument = "浙江省信访条例", article = "第二十三条" }

    [rules.handle.extension]
    max_total_days = 60
    citation = { instrument = "浙江省信访条例", article = "第二十三条" }

Keys:

* ``id`` (required): the rule set's id, recorded on every deadline it governs.
* ``title``: shown in explanations (default: the base's title and the id).
* ``base``: the national rule set it varies, ``xinfang-2022`` (default) or
  ``xinfang-2005``; anything else is refused (``overlay-invalid``).
* ``effective_from`` and ``effective_to``: ISO strings or dates, inclusive;
  default: the base's period, and the period must lie inside it.
* ``units``: unit codes whose subtrees the overlay governs (a province's code
  covers every unit under it). A deadline falls under the overlay when its
  responsible unit is one of these or lies below one; the nearest claiming unit
  wins; two overlays claiming the same unit on the same day are ambiguous. A code
  no unit has never matches (the rules do not know the unit tree; the engine
  passes the responsible unit's ancestry in). Without ``units`` the overlay
  governs the whole deployment on its dates (a deployment run by one province),
  wherever no overlay with ``units`` claims the unit.
* ``rules``: a table per rule id with ``period_days``, ``unit``
  (``calendar_days``/``working_days``), ``roll_forward``, ``pausable``,
  ``notes``, ``citation`` (``instrument`` and ``article``) and ``extension``.

``extension`` changes how the rule's period may be extended: ``max_total_days``
(the cap on every approved extension of one clock together; required when the
base rule has no extension), ``max_times`` (the number of approvals; omitted:
the base's, which for the national texts is unlimited) and ``citation``. Every
change cites the local provision that makes it, so that the engine never shows a
national article for a local number: a rule changed in its period, unit or flags
takes the table's ``citation``, an extension its own ``citation``. A table that
changes only the extension keeps the rule's citation and period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from rules.citations import Citation
from rules.deadlines import DayUnit, DeadlineRule, ExtensionPolicy
from rules.errors import RuleViolation, UnknownRule

_TOP_KEYS = {
    "id",
    "title",
    "base",
    "units",
    "effective_from",
    "effective_to",
    "rules",
    "lapsed_is_final",
}
_RULE_KEYS = {"period_days", "unit", "roll_forward", "pausable", "citation", "notes", "extension"}
_EXTENSION_KEYS = {"max_total_days", "max_times", "citation"}


@dataclass(frozen=True)
class OverlaySpec:
    """A validated overlay: identity, base, units, validity period and the resulting rules."""

    id: str
    title: str | None
    effective_from: date | None
    effective_to: date | None
    rules: Mapping[str, DeadlineRule]
    base: str | None = None
    units: tuple[str, ...] = ()
    lapsed_is_final: bool | None = None


def parse_overlay(
    base_rules: Mapping[str, DeadlineRule], overlay: Mapping[str, object]
) -> OverlaySpec:
    """Validate ``overlay`` against the base rules and build the overlaid rules.

    Raises:
        RuleViolation: ``overlay-invalid`` for an unknown key, a wrong type or a
            changed rule or extension without a citation.
        UnknownRule: for a rule id the base rule set does not have.
    """
    _known_keys(overlay, _TOP_KEYS, "overlay")
    overlay_id = _text(overlay.get("id"), "id")
    rules = dict(base_rules)
    for rule_id, changes in _table(overlay.get("rules", {}), "rules").items():
        if rule_id not in base_rules:
            raise UnknownRule(rule_id, f"overlay {overlay_id!r}")
        rules[rule_id] = _changed(base_rules[rule_id], _table(changes, f"rules.{rule_id}"))
    title, base = overlay.get("title"), overlay.get("base")
    return OverlaySpec(
        id=overlay_id,
        title=None if title is None else _text(title, "title"),
        effective_from=_optional_date(overlay.get("effective_from"), "effective_from"),
        effective_to=_optional_date(overlay.get("effective_to"), "effective_to"),
        rules=rules,
        base=None if base is None else _text(base, "base"),
        units=_units(overlay["units"], "units") if "units" in overlay else (),
        lapsed_is_final=(
            None
            if "lapsed_is_final" not in overlay
            else _flag(overlay["lapsed_is_final"], "lapsed_is_final")
        ),
    )


def _changed(rule: DeadlineRule, changes: Mapping[str, object]) -> DeadlineRule:
    where = f"rules.{rule.id}"
    _known_keys(changes, _RULE_KEYS, where)
    extension, extension_note = rule.extension, ""
    if "extension" in changes:
        extension = _extension(rule, changes["extension"], f"{where}.extension")
        extension_note = (
            f"地方规定{extension.citation}变更了延长规定：延长期限合计不超过"
            f"{extension.max_total_days}日{_times_note(extension)}。"
        )
    if set(changes) == {"extension"}:
        # Only the extension changed: the period is still the base's, under its article.
        return replace(rule, extension=extension, notes=rule.notes + extension_note)
    if "citation" not in changes:
        raise _invalid(f"{where}: a changed rule must cite the local provision (citation)")
    citation = _citation(changes["citation"], f"{where}.citation")
    pausable = _flag(changes.get("pausable", rule.pausable), f"{where}.pausable")
    note = f"地方规定{citation}变更了{rule.citation}的期限规则。{extension_note}"
    return replace(
        rule,
        citation=citation,
        period_days=_period(changes.get("period_days", rule.period_days), f"{where}.period_days"),
        unit=_unit(changes.get("unit", rule.unit), f"{where}.unit"),
        roll_forward=_flag(changes.get("roll_forward", rule.roll_forward), f"{where}.roll_forward"),
        pausable=pausable,
        pause_citation=rule.pause_citation or (citation if pausable else None),
        extension=extension,
        notes=_text(changes.get("notes", note), f"{where}.notes"),
    )


def _extension(rule: DeadlineRule, value: object, where: str) -> ExtensionPolicy:
    table = _table(value, where)
    _known_keys(table, _EXTENSION_KEYS, where)
    if "citation" not in table:
        raise _invalid(f"{where}: a changed extension must cite the local provision (citation)")
    citation = _citation(table["citation"], f"{where}.citation")
    base = rule.extension
    if "max_total_days" in table:
        total = _positive(table["max_total_days"], f"{where}.max_total_days")
    elif base is not None:
        total = base.max_total_days
    else:
        raise _invalid(f"{where}: {rule.id!r} has no extension to vary; give max_total_days")
    times = base.max_times if base is not None else None  # the national texts: unlimited
    if "max_times" in table:
        times = _positive(table["max_times"], f"{where}.max_times")
    return ExtensionPolicy(
        max_total_days=total,
        max_times=times,
        # Every extension the texts know needs the organ head's approval (第三十四条,
        # 浙江 第二十三条 “经本国家机关负责人批准”).
        requires_approval=True if base is None else base.requires_approval,
        citation=citation,
    )


def _times_note(extension: ExtensionPolicy) -> str:
    if extension.max_times is None:
        return "，批准次数不限"
    return f"，最多批准{extension.max_times}次"


def _units(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise _invalid(f"{where}: must be a non-empty list of unit codes, got {value!r}")
    codes = tuple(_text(code, where) for code in value)
    if len(set(codes)) != len(codes):
        raise _invalid(f"{where}: lists a unit twice: {list(codes)}")
    return codes


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
    return _positive(value, where)


def _positive(value: object, where: str) -> int:
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
