"""compute_due: rejected inputs, serialization, and properties over many dates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import (
    DayUnit,
    DeadlineRule,
    DueDate,
    Pause,
    RuleViolation,
    StepKind,
    builtin_rule_sets,
    check_within,
    compute_due,
    default_calendar,
    default_rule_book,
)

CALENDAR = default_calendar()
RULES_2022 = default_rule_book().get("xinfang-2022")
ALL_RULES = [(s.id, rule) for s in builtin_rule_sets() for rule in s.rules.values()]
TRIGGERS = st.dates(min_value=date(2005, 5, 1), max_value=date(2027, 6, 30))


def due(
    rule_id: str,
    trigger: date,
    *,
    period_days: int | None = None,
    extension_days: int = 0,
    pauses: Sequence[Pause] = (),
) -> DueDate:
    rule = RULES_2022.rule(rule_id)
    return compute_due(
        rule,
        RULES_2022.id,
        trigger,
        CALENDAR,
        period_days=period_days,
        extension_days=extension_days,
        pauses=pauses,
    )


# --- rejected inputs -------------------------------------------------------------------------

MON = date(2026, 3, 2)


def hearing(start: tuple[int, int], end: tuple[int, int]) -> list[Pause]:
    return [Pause(date(2026, *start), date(2026, *end))]


# (rule, period_days, extension_days, pauses, expected rule_id)
REJECTED: list[tuple[str, int | None, int, list[Pause], str]] = [
    # 交办 feedback has no statutory period: the assigning bureau must set one (art 22¶1(3)).
    ("assign_feedback", None, 0, [], "period-required"),
    ("assign_feedback", 0, 0, [], "period-invalid"),
    ("redo", -3, 0, [], "period-invalid"),
    # A statutory period is not a per-case choice (local changes are overlays).
    ("route", 20, 0, [], "period-fixed"),
    # Art 34: "延长期限不得超过30日".
    ("handle", None, 31, [], "extension-limit"),
    ("handle", None, -1, [], "extension-limit"),
    # No extension exists for the 15-day routing limit.
    ("route", None, 5, [], "extension-limit"),
    # Only 复核 (art 36¶2) excludes hearing time.
    ("handle", None, 0, hearing((3, 5), (3, 6)), "pause-not-allowed"),
    # A pause that ends before it starts.
    ("re_review", None, 0, hearing((3, 6), (3, 5)), "pause-invalid"),
    # A hearing cannot start on or before the day the request was received.
    ("re_review", None, 0, hearing((3, 2), (3, 5)), "pause-invalid"),
    # Overlapping hearings would count the same day twice.
    ("re_review", None, 0, hearing((3, 5), (3, 8)) + hearing((3, 8), (3, 9)), "pause-invalid"),
    # A hearing after the period ended cannot pause it.
    ("re_review", None, 0, hearing((5, 1), (5, 2)), "pause-invalid"),
]


@pytest.mark.parametrize(("rule_id", "period", "extension", "pauses", "expected"), REJECTED)
def test_rejected_inputs(
    rule_id: str, period: int | None, extension: int, pauses: list[Pause], expected: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        due(rule_id, MON, period_days=period, extension_days=extension, pauses=pauses)
    assert caught.value.rule_id == expected
    assert caught.value.citation is not None


def test_extension_limit_cites_art_34() -> None:
    with pytest.raises(RuleViolation) as caught:
        due("handle", MON, extension_days=31)
    assert str(caught.value.citation) == "《信访工作条例》第三十四条"
    assert "30" in str(caught.value)


def test_per_case_period() -> None:
    result = due("assign_feedback", MON, period_days=10)
    assert (result.period_days, result.due_on) == (10, date(2026, 3, 12))
    assert due("route", MON, period_days=15).due_on == due("route", MON).due_on


def test_check_within_includes_the_due_day() -> None:
    result = due("route", date(2026, 9, 22))
    assert check_within(result, date(2026, 10, 8))
    assert not check_within(result, date(2026, 10, 9))


def test_ends_at_is_midnight_shanghai_in_utc() -> None:
    result = due("route", date(2026, 9, 22))
    assert result.ends_at.isoformat() == "2026-10-08T16:00:00+00:00"


# --- serialization ---------------------------------------------------------------------------


def test_to_dict_is_json_and_round_trips() -> None:
    result = due("re_review", MON, pauses=[Pause(date(2026, 3, 10), date(2026, 3, 12))])
    full = result.to_dict(days=True)
    assert DueDate.from_dict(json.loads(json.dumps(full))) == result
    short = result.to_dict()
    assert "days" not in short
    assert short["explanation"] == result.explain()
    restored = DueDate.from_dict(json.loads(json.dumps(short)))
    assert all(step.kind is not StepKind.COUNT for step in restored.steps)
    assert restored.to_dict() == short
    assert restored.explain() == result.explain()


def test_an_explanation_is_computed_once_and_handed_out_as_a_new_list() -> None:
    result = due("handle", MON, extension_days=30)
    # compute_due memoises: the same question gives the same value, explained once.
    assert due("handle", MON, extension_days=30) is result
    lines = result.explain()
    assert lines[0] == result.summary
    assert lines[1:] == [f"{s.day.isoformat()} {s.note}" for s in result.notable_steps]
    lines.append("changed by a caller")
    assert result.explain() == lines[:-1]
    assert result.explain() is not result.explain()
    # The cached values are not fields: equality and hashing are the value's own.
    fresh = replace(result)
    assert "_explanation" not in fresh.__dict__
    assert fresh == result
    assert hash(fresh) == hash(result)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("period_days", "15", "'period_days' must be an integer"),
        ("rule_id", 3, "'rule_id' must be a string"),
        ("provisional", "no", "'provisional' must be a boolean"),
        ("provisional_years", "2027", "list of integers"),
        ("steps", [1, 2], "list of step objects"),
        ("citation", "《信访工作条例》", "'citation' must be an object"),
    ],
)
def test_from_dict_rejects_wrong_types(key: str, value: object, message: str) -> None:
    data = due("route", MON).to_dict()
    data[key] = value
    with pytest.raises(ValueError, match=message):
        DueDate.from_dict(data)


def test_from_dict_accepts_a_missing_citation() -> None:
    data = due("route", MON).to_dict()
    data["citation"] = None
    assert DueDate.from_dict(data).citation is None


def test_pause_length_is_inclusive() -> None:
    assert Pause(date(2026, 3, 10), date(2026, 3, 12)).days == 3


# --- properties ------------------------------------------------------------------------------


def _period(rule: DeadlineRule, fallback: int) -> int:
    return rule.period_days if rule.period_days is not None else fallback


@given(st.sampled_from(ALL_RULES), TRIGGERS, st.integers(1, 90))
def test_steps_cover_every_day_once(pair: tuple[str, DeadlineRule], trigger: date, n: int) -> None:
    set_id, rule = pair
    result = compute_due(rule, set_id, trigger, CALENDAR, period_days=_period(rule, n))
    days = [step.day for step in result.steps]
    span = (result.due_on - trigger).days
    assert days == [trigger + timedelta(days=i) for i in range(span + 1)]
    assert result.steps[0].kind is StepKind.TRIGGER and result.steps[-1].kind is StepKind.DUE
    assert DueDate.from_dict(result.to_dict(days=True)) == result
    assert DueDate.from_dict(result.to_dict()).to_dict() == result.to_dict()


CALENDAR_RULES = [(s, r) for s, r in ALL_RULES if r.unit is DayUnit.CALENDAR and r.roll_forward]


@given(
    st.sampled_from(CALENDAR_RULES),
    TRIGGERS,
    st.integers(1, 90),
    st.integers(0, 30),
    st.none() | st.tuples(st.integers(1, 15), st.integers(1, 10)),
)
def test_calendar_day_rules_roll_to_first_working_day(
    pair: tuple[str, DeadlineRule],
    trigger: date,
    n: int,
    extension: int,
    hearing: tuple[int, int] | None,
) -> None:
    set_id, rule = pair
    pauses: list[Pause] = []
    if rule.pausable and hearing is not None:
        start = trigger + timedelta(days=hearing[0])
        pauses.append(Pause(start, start + timedelta(days=hearing[1] - 1)))
    result = compute_due(
        rule,
        set_id,
        trigger,
        CALENDAR,
        period_days=_period(rule, n),
        extension_days=extension if rule.extension is not None else 0,
        pauses=pauses,
    )
    total = result.period_days + result.extension_days + result.paused_days
    assert result.nominal_due_on == trigger + timedelta(days=total)
    assert result.due_on >= result.nominal_due_on
    first_working = result.nominal_due_on
    while not CALENDAR.is_working_day(first_working):
        first_working += timedelta(days=1)
    assert result.due_on == first_working
    assert result.rolled_forward == (result.due_on != result.nominal_due_on)


@given(st.sampled_from(ALL_RULES), TRIGGERS, st.integers(1, 90))
def test_due_date_is_monotonic_in_trigger(
    pair: tuple[str, DeadlineRule], trigger: date, n: int
) -> None:
    set_id, rule = pair
    period = _period(rule, n)
    today = compute_due(rule, set_id, trigger, CALENDAR, period_days=period)
    tomorrow = compute_due(rule, set_id, trigger + timedelta(days=1), CALENDAR, period_days=period)
    assert today.due_on <= tomorrow.due_on


@given(TRIGGERS, st.integers(1, 30))
def test_working_day_rules_count_exactly_n_working_days(trigger: date, n: int) -> None:
    rule = replace(RULES_2022.rule("object"), period_days=n)
    result = compute_due(rule, RULES_2022.id, trigger, CALENDAR)
    assert CALENDAR.is_working_day(result.due_on)
    span = range(1, (result.due_on - trigger).days + 1)
    working = [d for i in span if CALENDAR.is_working_day(d := trigger + timedelta(days=i))]
    assert len(working) == n
    years = range(trigger.year, result.due_on.year + 1)
    assert result.provisional_years == tuple(y for y in years if not CALENDAR.is_official(y))
    assert result.provisional == bool(result.provisional_years)
