"""Citations and errors render readably and serialize for problem responses."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rules import Citation, NoRuleSetInForce, RuleViolation, UnknownRule

ART_34 = Citation("信访工作条例", "第三十四条")


def test_citation_renders_with_book_title_marks() -> None:
    assert str(ART_34) == "《信访工作条例》第三十四条"
    assert Citation.from_dict(ART_34.to_dict()) == ART_34
    with pytest.raises(ValueError, match="instrument"):
        Citation.from_dict({"article": "第一条"})


def test_rule_violation_carries_everything() -> None:
    error = RuleViolation(
        "extension-limit", "延长期限不得超过30日", ART_34, days=31, on=date(2026, 3, 2)
    )
    assert (error.rule_id, error.reason, error.citation) == (
        "extension-limit",
        "延长期限不得超过30日",
        ART_34,
    )
    assert error.context == {"days": 31, "on": date(2026, 3, 2)}
    assert str(error) == (
        "[extension-limit] 延长期限不得超过30日（《信访工作条例》第三十四条）"
        " [days=31, on=2026-03-02]"
    )
    assert "RuleViolation(rule_id='extension-limit'" in repr(error)
    payload = error.to_dict()
    assert json.loads(json.dumps(payload)) == {
        "rule_id": "extension-limit",
        "reason": "延长期限不得超过30日",
        "citation": "《信访工作条例》第三十四条",
        "context": {"days": 31, "on": "2026-03-02"},
    }


def test_rule_violation_without_citation() -> None:
    error = RuleViolation("other", "理由", None, thing=object)
    assert str(error).startswith("[other] 理由 [thing=")
    assert error.to_dict()["citation"] is None


def test_other_errors_name_the_problem() -> None:
    assert str(UnknownRule("object", "xinfang-2005")) == "unknown rule 'object' in xinfang-2005"
    assert UnknownRule("object").rule_id == "object"
    assert NoRuleSetInForce(date(2004, 1, 1)).day == date(2004, 1, 1)
