"""P1: one durable transition per request, the engine beside its floor and two peers.

A request is one step of a matter's lifecycle (register, classify, transfer, accept,
reply, evaluate), each its own transaction. Contenders, each on its own database with
the project's schema and file settings (WAL, synchronous=NORMAL, BEGIN IMMEDIATE):

- ``engine``: PetitionService (load, decide, append the hashed event, update the
  projection, deadlines and timers, commit).
- ``floor``: plain DB-API. Load the case document, check legality in a dict, hash the
  event over its canonical JSON, then write exactly the rows the engine wrote for the
  same step (its INSERT/UPDATE statements are recorded once from one engine matter and
  replayed with this matter's id, number and hashes), commit.
- ``python-statemachine`` and ``SpiffWorkflow``: the floor with legality and state kept
  by the library instead of the dict (a machine restored per request; Spiff's workflow
  serialised into the case document, as a Spiff-based service would persist it).

Run: ``python -m bench.p1_engine [--quick] [--database-url URL]``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.support import actor, petition_body

from bench.common import SH, container, database, fmt, parser, raw_connect, report, versions
from bench.recorded import Legality, Recorder, Recording, Statement, Step, Writer
from workflow.commands.petitions import PetitionService
from workflow.domain.actions import ACTION_ADAPTER, Action, Register
from workflow.domain.actor import Actor, Role

START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
LIFECYCLE: list[tuple[str, dict[str, Any]]] = [
    ("C1-XF", {"action": "classify", "type": "claim", "route": "petition"}),
    ("C1-XF", {"action": "transfer", "to_unit": "C1-ZJ"}),
    ("C1-ZJ", {"action": "accept"}),
    ("C1-ZJ", {"action": "reply", "outcome": "support", "opinion": "支持"}),
    ("C1-XF", {"action": "evaluate", "satisfied": True}),  # the bureau, on the petitioner's behalf
]
ACTIONS = ["register"] + [str(body["action"]) for _, body in LIFECYCLE]
# The floor's legality: (state, action) -> next state, for this lifecycle.
LEGAL = {
    ("registered", "classify"): "classified",
    ("classified", "transfer"): "transferred",
    ("transferred", "accept"): "handling",
    ("handling", "reply"): "replied",
    ("replied", "evaluate"): "replied",
}


class Commands:
    """The lifecycle's commands, validated once (the HTTP layer's work, not P1's)."""

    def __init__(self) -> None:
        self.registrar = actor("C1-XF", Role.REGISTRAR)
        self.steps: list[tuple[Actor, Action]] = [
            (actor(unit), ACTION_ADAPTER.validate_python(body)) for unit, body in LIFECYCLE
        ]
        self.numbering = itertools.count(1)

    def registers(self, matters: int) -> list[Register]:
        """Distinct subjects: an identical petition would be declined as a repeat."""
        return [
            Register.model_validate(
                petition_body(subject=f"房屋漏水维修第{next(self.numbering)}号")
            )
            for _ in range(matters)
        ]

    def engine(self, service: PetitionService, matters: int) -> Callable[[], None]:
        registers = self.registers(matters)

        def run() -> None:
            for register in registers:
                case = service.register(register, self.registrar)
                for who, action in self.steps:
                    case = service.act(case.id, action, who)

        return run


def record(url: str, commands: Commands) -> Recording:
    """Run one matter through the engine and keep the writes of each step."""
    c = container(url, START)
    commands.engine(c.petitions, 1)()  # the counter row exists: the UPDATE path is kept
    recorder = Recorder(c.db.writer)
    per_step: list[list[Statement]] = []
    with recorder.capture() as seen:
        case = c.petitions.register(commands.registers(1)[0], commands.registrar)
    per_step.append(seen)
    for who, action in commands.steps:
        with recorder.capture() as seen:
            case = c.petitions.act(case.id, action, who)
        per_step.append(seen)
    recorder.close()
    history = c.petitions.history(case.id)
    steps = [
        Step.of(name, statements, ev)
        for name, statements, ev in zip(ACTIONS, per_step, history, strict=True)
    ]
    c.db.dispose()
    return Recording(case.id, case.number, steps)


def dict_legality(doc: dict[str, Any] | None, action: str) -> str | None:
    if doc is not None and (doc["state"], action) not in LEGAL:
        raise ValueError(f"{action} is not allowed in state {doc['state']}")
    return None


def statemachine_legality() -> Legality:
    from statemachine import State, StateMachine

    class Lifecycle(StateMachine):  # type: ignore[misc]
        registered = State(initial=True)
        classified = State()
        transferred = State()
        handling = State()
        replied = State()
        classify = registered.to(classified)
        transfer = classified.to(transferred)
        accept = transferred.to(handling) | classified.to(handling)
        reply = handling.to(replied)
        evaluate = replied.to.itself(internal=True)

    class Model:
        def __init__(self, state: str) -> None:
            self.state = state

    def check(doc: dict[str, Any] | None, action: str) -> str | None:
        if doc is None:
            Lifecycle(model=Model("registered"))
            return None
        machine = Lifecycle(model=Model(doc["state"]), start_value=doc["state"])
        machine.send(action)
        return None

    return check


def spiff_legality() -> Legality:
    from SpiffWorkflow.serializer.json import JSONSerializer
    from SpiffWorkflow.specs.Simple import Simple
    from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec
    from SpiffWorkflow.util.task import TaskState
    from SpiffWorkflow.workflow import Workflow

    spec = WorkflowSpec("petition", addstart=True)
    previous = spec.start
    for name in ACTIONS[1:]:
        task = Simple(spec, name)
        task.manual = True
        previous.connect(task)
        previous = task
    serializer = JSONSerializer()

    def check(doc: dict[str, Any] | None, action: str) -> str | None:
        if doc is None:
            flow = Workflow(spec)
        else:
            flow = serializer.deserialize_workflow(doc["engine_state"], wf_spec=spec)
            ready = [t for t in flow.get_tasks(state=TaskState.READY) if t.task_spec.name == action]
            if not ready:
                raise ValueError(f"{action} is not ready")
            ready[0].run()
        flow.run_all()
        state: str = flow.serialize(serializer)
        return state

    return check


# --- the run ---------------------------------------------------------------------------


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    matters = 40 if args.quick else 300
    commands = Commands()
    with database(args.database_url) as rec_url:
        rec = record(rec_url, commands)
    per_request: dict[str, list[float]] = {}
    with (
        database(args.database_url) as e_url,
        database(args.database_url) as f_url,
        database(args.database_url) as m_url,
        database(args.database_url) as s_url,
    ):
        engine_c = container(e_url, START)
        contenders: dict[str, Callable[[int], Callable[[], None]]] = {
            "engine": lambda n: commands.engine(engine_c.petitions, n),
        }
        for name, url, legality in (
            ("floor", f_url, dict_legality),
            ("python-statemachine", m_url, statemachine_legality()),
            ("SpiffWorkflow", s_url, spiff_legality()),
        ):
            container(url, START).db.dispose()  # the same schema, created the same way
            writer = Writer(raw_connect(url), rec, legality)
            writer.seed_counters()
            contenders[name] = _repeat(writer.matter)
        for run in range(args.runs + 1):  # run 0 warms caches and files up
            for name, prepare in contenders.items():
                contender = prepare(matters)
                started = time.perf_counter()
                contender()
                elapsed = time.perf_counter() - started
                if run:
                    per_request.setdefault(name, []).append(elapsed / matters / 6 * 1e6)
        engine_c.db.dispose()
    floor = per_request["floor"]
    figures = {
        name: {
            "us_per_request": fmt(values),
            "ratio_to_floor": fmt([v / f for v, f in zip(values, floor, strict=True)], 2),
        }
        for name, values in per_request.items()
    }
    report(
        args.json,
        "P1 engine",
        {
            "database": (args.database_url or "sqlite").split(":", 1)[0],
            "requests_per_run": matters * 6,
            "runs": args.runs,
            "min/median/max": figures,
            "versions": versions("python-statemachine", "SpiffWorkflow"),
        },
    )


def _repeat(one: Callable[[], None]) -> Callable[[int], Callable[[], None]]:
    def prepare(n: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(n):
                one()

        return run

    return prepare


if __name__ == "__main__":
    main()
