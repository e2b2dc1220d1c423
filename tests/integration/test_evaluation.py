"""Evaluation is the petitioner's (群众主导的评价, Contract 1.1), and the query code that
lets the petitioner follow and evaluate the matter alone (阳光信访).

《信访工作条例》第二十一条第二款 has the system make it easy for the petitioner
“查询、评价信访事项办理情况”; who may record an evaluation on the petitioner's behalf is
policy following the contract: a registrar or a petition bureau that already has the
matter, never a unit whose answer is rated.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from rules.time import local_date
from tests.support import act, actor, at, make_container, petition_body
from workflow.adapters import repository as repo
from workflow.audit.redaction import redact_case
from workflow.commands.public import PublicAccess
from workflow.domain.actions import ACTION_ADAPTER, Evaluate, Register
from workflow.domain.actor import SYSTEM_ACTOR, Role
from workflow.domain.case import Case
from workflow.domain.errors import NotFound, WorkflowError
from workflow.oversight import rates
from workflow.oversight.board import Scope
from workflow.runtime import migrate
from workflow.runtime.bootstrap import Container
from workflow.services import query_codes

C1 = Scope(unit="C1", path="/P/C1/", subtree=True)


@pytest.fixture
def c(tmp_path: Path) -> Container:
    return make_container(tmp_path, at("2026-03-02 09:00"), scheduler=False)


def _registered(c: Container) -> tuple[Case, str]:
    code = query_codes.new_code()
    case = c.petitions.register(
        Register.model_validate(petition_body()),
        actor("C1-XF", Role.REGISTRAR),
        query_code=code,
    )
    return case, code


def _replied(c: Container) -> tuple[Case, str]:
    """Registered at C1-XF, transferred to C1-ZJ, which replies; delivered the same day."""
    case, code = _registered(c)
    act(c, case, "C1-XF", "classify", type="claim", route="petition")
    act(c, case, "C1-XF", "transfer", to_unit="C1-ZJ")
    act(c, case, "C1-ZJ", "accept")
    c.clock.advance(days=10)  # type: ignore[attr-defined]
    today = local_date(c.clock.now()).isoformat()
    replied = act(
        c, case, "C1-ZJ", "reply", outcome="support", opinion="支持维修", delivered_on=today
    )
    assert replied.state == "replied"
    return replied, code


def _evaluate(c: Container, case: Case, unit: str, role: Role, satisfied: bool) -> Case:
    model = ACTION_ADAPTER.validate_python({"action": "evaluate", "satisfied": satisfied})
    return c.petitions.act(case.id, model, actor(unit, role))


def _written(c: Container, case_id: str) -> tuple[int, Any]:
    with c.db.read() as conn:
        events = conn.execute(select(func.count()).select_from(repo.EVENTS)).scalar_one()
        row = conn.execute(select(repo.CASES).where(repo.CASES.c.id == case_id)).one()
    return int(events), tuple(row)


def _counted(c: Container, case_id: str) -> tuple[date | None, bool | None, str | None]:
    with c.db.read() as conn:
        row = conn.execute(
            select(
                repo.CASES.c.evaluated_on, repo.CASES.c.satisfied, repo.CASES.c.evaluation_source
            ).where(repo.CASES.c.id == case_id)
        ).one()
    return row[0], row[1], row[2]


@pytest.mark.parametrize(
    ("unit", "role"),
    [
        ("C1-ZJ", Role.HANDLER),  # the replying unit rating its own answer
        ("C1-ZJ", Role.REGISTRAR),  # ... whatever role its officer has
        ("C1", Role.HANDLER),  # a government above: neither registrar nor bureau
        ("C2-XF", Role.HANDLER),  # a bureau that never had the matter: no reading by acting
    ],
)
def test_evaluation_refused_and_nothing_written(c: Container, unit: str, role: Role) -> None:
    case, _ = _replied(c)
    before = _written(c, case.id)
    with pytest.raises(WorkflowError) as refused:
        _evaluate(c, case, unit, role, True)
    assert (refused.value.status, refused.value.problem) == (403, "forbidden")
    assert refused.value.context.get("rule") == "evaluation"
    assert _written(c, case.id) == before
    assert c.petitions.get(case.id).evaluations == []


def test_the_system_never_evaluates(c: Container) -> None:
    case, _ = _replied(c)
    model = Evaluate(action="evaluate", satisfied=True)
    with pytest.raises(WorkflowError) as refused:
        c.petitions.act(case.id, model, SYSTEM_ACTOR)
    assert refused.value.status == 403


def test_a_unit_whose_answer_was_reviewed_may_not_record_either(c: Container) -> None:
    """After review the rated answer is the review's (C1), but C1-ZJ's reply is still on
    the line: no unit that answered the matter records its evaluation."""
    case, _ = _replied(c)
    today = local_date(c.clock.now()).isoformat()
    act(c, case, "C1", "request_review", received_on=today)
    reviewed = act(
        c, case, "C1", "review_decide", outcome="uphold", opinion="维持", delivered_on=today
    )
    assert reviewed.state == "review_replied"
    for unit in ("C1", "C1-ZJ"):
        with pytest.raises(WorkflowError) as refused:
            _evaluate(c, case, unit, Role.HANDLER, True)
        assert refused.value.status == 403
    evaluated = _evaluate(c, case, "C1-XF", Role.HANDLER, True)
    assert evaluated.evaluations[-1]["source"] == "bureau"
    assert evaluated.evaluations[-1]["opinion"] == "review"


def test_bureau_and_registrar_record_on_the_petitioners_behalf(c: Container) -> None:
    case, _ = _replied(c)
    by_bureau = _evaluate(c, case, "C1-XF", Role.HANDLER, True)
    assert by_bureau.evaluations[-1]["source"] == "bureau"
    by_registrar = _evaluate(c, case, "C1-XF", Role.REGISTRAR, False)
    assert [e["source"] for e in by_registrar.evaluations] == ["bureau", "registrar"]
    assert by_registrar.evaluations[-1]["opinion"] == "reply"
    # Without the petitioner's own, the latest on their behalf counts.
    on, satisfied, source = _counted(c, case.id)
    assert (satisfied, source) == (False, "registrar")
    assert on == local_date(c.clock.now())
    assert c.petitions.replay(case.id).matches_projection


def test_the_petitioners_own_evaluation_wins(c: Container) -> None:
    case, code = _replied(c)
    _evaluate(c, case, "C1-XF", Role.HANDLER, True)
    public = PublicAccess(c.petitions)
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    own = public.evaluate(case.number, code, Evaluate(action="evaluate", satisfied=False))
    assert own.evaluations[-1]["source"] == "petitioner"
    assert _counted(c, case.id)[1:] == (False, "petitioner")
    own_day = local_date(c.clock.now())
    # A later one recorded on their behalf does not replace the petitioner's own.
    c.clock.advance(days=1)  # type: ignore[attr-defined]
    _evaluate(c, case, "C1-XF", Role.REGISTRAR, True)
    assert _counted(c, case.id) == (own_day, False, "petitioner")
    # The petitioner's own later one does.
    public.evaluate(case.number, code, Evaluate(action="evaluate", satisfied=True))
    assert _counted(c, case.id) == (local_date(c.clock.now()), True, "petitioner")
    history = c.petitions.history(case.id)
    assert history[-1].actor == "petitioner" and history[-1].unit == "system"
    # The petitioner's acts never make a unit a party to the matter.
    assert "system" not in c.petitions.get(case.id).units_involved
    assert c.petitions.replay(case.id).matches_projection


def test_rates_count_the_petitioners_own(c: Container) -> None:
    own, code = _replied(c)
    staff, _ = _replied(c)
    _evaluate(c, own, "C1-XF", Role.HANDLER, True)
    PublicAccess(c.petitions).evaluate(
        own.number, code, Evaluate(action="evaluate", satisfied=False)
    )
    _evaluate(c, staff, "C1-XF", Role.REGISTRAR, True)
    today = local_date(c.clock.now())
    period = rates.Period(date(2026, 3, 1), today, today)
    with c.db.read() as conn:
        participation, satisfaction = rates.evaluation(conn, C1, period, 30)
    assert participation.breakdown["evaluated"] == 2
    assert participation.breakdown["by_petitioner"] == 1
    assert participation.breakdown["on_behalf"] == 1
    assert satisfaction.breakdown["by_petitioner"] == 1
    # own: the petitioner's dissatisfied wins over the bureau's satisfied one.
    assert (satisfaction.numerator, satisfaction.denominator) == (1, 2)


def test_query_code_is_stored_only_as_a_keyed_hash(c: Container) -> None:
    case, code = _registered(c)
    assert len(code.replace("-", "")) >= 12
    assert set(code.replace("-", "")) <= set(query_codes.ALPHABET)
    with c.db.read() as conn:
        payloads = [
            json.dumps(p, ensure_ascii=False)
            for p in conn.execute(select(repo.EVENTS.c.payload)).scalars()
        ]
        stored = conn.execute(select(repo.QUERY_CODES)).all()
        doc = conn.execute(select(repo.CASES.c.doc)).scalar_one()
    bare = code.replace("-", "")
    assert all(code not in p and bare not in p for p in payloads)
    assert bare not in json.dumps(doc) and code not in json.dumps(doc)
    assert len(stored) == 1 and stored[0].case_id == case.id
    assert bare not in stored[0].digest and len(stored[0].digest) == 64
    # The digest is keyed: the code alone does not give it.
    assert query_codes.digest("another key", case.id, code) != stored[0].digest


def test_public_access_finds_the_matter_only_with_its_code(c: Container) -> None:
    case, code = _registered(c)
    other, other_code = _registered(c)
    public = PublicAccess(c.petitions)
    assert public.find(case.number, code).id == case.id
    # Spaces, hyphens and lower case are forgiven; a wrong code or number is not.
    assert public.find(case.number, code.replace("-", " ").lower()).id == case.id
    failures = []
    for number, attempt in (
        (case.number, other_code),
        (other.number, code),
        ("XF202699999999", code),
        (case.number, "not a code"),
        (case.number, ""),
    ):
        with pytest.raises(NotFound) as missing:
            public.find(number, attempt)
        failures.append(missing.value.detail)
    assert len(set(failures)) == 1  # the same answer, whatever was wrong


def test_a_matter_registered_without_a_code_has_no_public_access(c: Container) -> None:
    case = c.petitions.register(
        Register.model_validate(petition_body()), actor("C1-XF", Role.REGISTRAR)
    )
    with pytest.raises(NotFound):
        PublicAccess(c.petitions).find(case.number, query_codes.new_code())


def test_redaction_erases_the_query_code(c: Container) -> None:
    case, code = _registered(c)
    redact_case(c, case.id, actor("ROOT", Role.ADMIN), "retention")
    with c.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(repo.QUERY_CODES)).scalar_one() == 0
    with pytest.raises(NotFound):
        PublicAccess(c.petitions).find(case.number, code)


def test_migration_recounts_older_rows_under_the_new_rule(tmp_path: Path) -> None:
    """0006 recomputes the counted evaluation of rows written before it (their
    evaluations have no source: on the petitioner's behalf), and its downgrade gives the
    older rule (a matter's first evaluation) back."""
    c = make_container(tmp_path, at("2026-03-02 09:00"), scheduler=False)
    case, _ = _replied(c)
    _evaluate(c, case, "C1-XF", Role.HANDLER, True)
    first_day = local_date(c.clock.now())
    c.clock.advance(days=2)  # type: ignore[attr-defined]
    _evaluate(c, case, "C1-XF", Role.REGISTRAR, False)
    latest_day = local_date(c.clock.now())
    url = c.settings.database_url
    c.db.dispose()

    def row() -> tuple[Any, ...]:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return tuple(
                    conn.execute(text("SELECT * FROM cases WHERE id = :id"), {"id": case.id})
                    .mappings()
                    .one()[k]
                    for k in ("evaluated_on", "satisfied")
                )
        finally:
            engine.dispose()

    migrate.downgrade(url, "0005_timer_deadline_index")
    assert row() == (first_day.isoformat(), True)
    # Rows of that time: evaluations without a source.
    engine = create_engine(url)
    with engine.begin() as conn:
        doc = json.loads(
            conn.execute(text("SELECT doc FROM cases WHERE id = :id"), {"id": case.id}).scalar_one()
        )
        for evaluation in doc["evaluations"]:
            del evaluation["source"]
        conn.execute(
            text("UPDATE cases SET doc = :doc WHERE id = :id"),
            {"doc": json.dumps(doc, ensure_ascii=False), "id": case.id},
        )
    engine.dispose()
    migrate.upgrade(url)
    assert row() == (latest_day.isoformat(), False)
    engine = create_engine(url)
    with engine.connect() as conn:
        source = conn.execute(
            text("SELECT evaluation_source FROM cases WHERE id = :id"), {"id": case.id}
        ).scalar_one()
    engine.dispose()
    assert source is None
