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

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from tests.support import actor, petition_body

from bench.common import SH, Raw, container, database, fmt, parser, raw_connect, report, versions
from workflow.adapters import tables  # noqa: F401  (registers the tables)
from workflow.domain.actions import ACTION_ADAPTER, Action, Register
from workflow.domain.actor import Actor, Role
from workflow.domain.events import GENESIS
from workflow.petitions import PetitionService

START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
LIFECYCLE: list[tuple[str, dict[str, Any]]] = [
    ("C1-XF", {"action": "classify", "type": "claim", "route": "petition"}),
    ("C1-XF", {"action": "transfer", "to_unit": "C1-ZJ"}),
    ("C1-ZJ", {"action": "accept"}),
    ("C1-ZJ", {"action": "reply", "outcome": "support", "opinion": "支持"}),
    ("C1-ZJ", {"action": "evaluate", "satisfied": True}),
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


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Commands:
    """The lifecycle's commands, validated once (the HTTP layer's work, not P1's)."""

    def __init__(self) -> None:
        self.register = Register.model_validate(petition_body())
        self.registrar = actor("C1-XF", Role.REGISTRAR)
        self.steps: list[tuple[Actor, Action]] = [
            (actor(unit), ACTION_ADAPTER.validate_python(body)) for unit, body in LIFECYCLE
        ]

    def run_engine(self, service: PetitionService, matters: int) -> None:
        for _ in range(matters):
            case = service.register(self.register, self.registrar)
            for who, action in self.steps:
                case = service.act(case.id, action, who)


# --- the recorded rows ---------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool


@dataclass
class Step:
    action: str
    statements: list[Statement]
    body: str  # the event's canonical body (prev_hash left out), capture ids inside
    hash: str
    prev_hash: str
    doc_param: tuple[int, int | str]  # (statement, parameter) that holds the case doc


@dataclass
class Recording:
    case_id: str
    number: str
    steps: list[Step]


def record(url: str, commands: Commands) -> Recording:
    """Run one matter through the engine and keep the writes of each step."""
    c = container(url, START)
    seen: list[Statement] = []

    def keep(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if sql.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(Statement(sql, params, many))

    commands.run_engine(c.petitions, 1)  # the counter row exists: the UPDATE path is kept
    event.listen(c.db.writer, "before_cursor_execute", keep)
    per_step: list[list[Statement]] = []
    case = c.petitions.register(commands.register, commands.registrar)
    per_step.append(seen[:])
    for who, action in commands.steps:
        seen.clear()
        case = c.petitions.act(case.id, action, who)
        per_step.append(seen[:])
    event.remove(c.db.writer, "before_cursor_execute", keep)
    history = c.petitions.history(case.id)
    steps = []
    for name, statements, ev in zip(ACTIONS, per_step, history, strict=True):
        body = ev.body()
        del body["prev_hash"]
        steps.append(
            Step(
                name,
                statements,
                json.dumps(body, ensure_ascii=False),
                ev.hash,
                ev.prev_hash,
                _doc_param(statements),
            )
        )
    c.db.dispose()
    return Recording(case.id, case.number, steps)


def _doc_param(statements: list[Statement]) -> tuple[int, int | str]:
    for i, st in enumerate(statements):
        if "cases" not in st.sql.split("(")[0] or st.many:
            continue
        keys = st.params.keys() if isinstance(st.params, dict) else range(len(st.params))
        for key in keys:
            value = st.params[key]
            if isinstance(value, str) and value.startswith("{") and '"deadlines"' in value:
                return i, key
    raise RuntimeError("no case document among the recorded writes")


def _swap(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in mapping.items():
            if old in value:
                value = value.replace(old, new)
    return value


def _params(params: Any, mapping: dict[str, str]) -> Any:
    if isinstance(params, dict):
        return {k: _swap(v, mapping) for k, v in params.items()}
    return tuple(_swap(v, mapping) for v in params)


# --- floor and peers --------------------------------------------------------------------

# A Legality takes the loaded document (None on register) and the action; it returns what
# to add to the stored document (Spiff's serialised workflow), or raises when illegal.
Legality = Callable[[dict[str, Any] | None, str], str | None]


def dict_legality(doc: dict[str, Any] | None, action: str) -> str | None:
    if doc is not None and (doc["state"], action) not in LEGAL:
        raise ValueError(f"{action} is not allowed in state {doc['state']}")
    return None


class Writer:
    """Replays the recorded writes of each step for new matters on a plain connection."""

    def __init__(self, raw: Raw, rec: Recording, legality: Legality) -> None:
        self.raw = raw
        self.rec = rec
        self.legality = legality
        self.load = raw.sql("SELECT doc FROM cases WHERE id = ?")

    def seed_counters(self) -> None:
        """The engine inserts a year's counter once; the floor starts with it in place."""
        for step in self.rec.steps:
            for st in step.statements:
                if st.sql.startswith("UPDATE counters"):
                    values = st.params.values() if isinstance(st.params, dict) else st.params
                    name = next(v for v in values if str(v).startswith("case-number-"))
                    insert = "INSERT INTO counters (name, value) VALUES (?, 0)"
                    self.raw.conn.execute(self.raw.sql(insert), (name,))

    def matter(self) -> None:
        case_id = uuid.uuid4().hex
        number = ""
        prev = GENESIS
        for step in self.rec.steps:
            number, prev = self.step(step, case_id, number, prev)

    def step(self, step: Step, case_id: str, number: str, prev: str) -> tuple[str, str]:
        cur = self.raw.conn.cursor()
        cur.execute(self.raw.begin)
        doc: dict[str, Any] | None = None
        if step.action != "register":
            cur.execute(self.load, (case_id,))
            doc = json.loads(cur.fetchone()[0])
            if doc["last_hash"] != prev:
                raise RuntimeError("chain broken")
        extra = self.legality(doc, step.action)
        mapping = {self.rec.case_id: case_id}
        if number:
            mapping[self.rec.number] = number
        body = json.loads(_swap(step.body, mapping))
        body["prev_hash"] = prev
        digest = hashlib.sha256(canonical(body)).hexdigest()
        mapping[step.hash] = digest
        mapping[step.prev_hash] = prev
        for i, st in enumerate(step.statements):
            if st.many:
                cur.executemany(st.sql, [_params(p, mapping) for p in st.params])
                continue
            params = _params(st.params, mapping)
            if extra is not None and i == step.doc_param[0]:
                params = _with_extra(params, step.doc_param[1], extra)
            cur.execute(st.sql, params)
            if st.sql.startswith("UPDATE counters"):
                value = cur.fetchone()[0]
                number = f"{self.rec.number[:6]}{value:08d}"
                mapping[self.rec.number] = number
        self.raw.conn.commit() if self.raw.placeholder != "?" else cur.execute("COMMIT")
        cur.close()
        return number, digest


def _with_extra(params: Any, key: int | str, extra: str) -> Any:
    def grow(doc: str) -> str:
        return doc[:-1] + ',"engine_state":' + json.dumps(extra) + "}"

    if isinstance(params, dict):
        return {**params, key: grow(params[key])}
    assert isinstance(key, int)
    return (*params[:key], grow(params[key]), *params[key + 1 :])


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
        contenders: dict[str, Callable[[int], None]] = {
            "engine": lambda n: commands.run_engine(engine_c.petitions, n),
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
            for name, contender in contenders.items():
                started = time.perf_counter()
                contender(matters)
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


def _repeat(one: Callable[[], None]) -> Callable[[int], None]:
    def run(n: int) -> None:
        for _ in range(n):
            one()

    return run


if __name__ == "__main__":
    main()
