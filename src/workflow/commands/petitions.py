"""The petition service: one unit of work per command, side effects after commit.

Load the case, decide the event, fold it into the projection, write events and
projection in one transaction guarded by the case version; then notify listeners.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile

from sqlalchemy import Connection

from rules.time import local_date
from workflow.adapters import repository as repo
from workflow.adapters.database import Database
from workflow.commands.record import record
from workflow.domain.actions import Action, OpenSupervisionItem, Register, SuperviseItem
from workflow.domain.actor import Actor
from workflow.domain.case import Case
from workflow.domain.clock import Clock
from workflow.domain.errors import IntegrityFailure, InvalidCommand, NotFound, VersionConflict
from workflow.domain.events import Event
from workflow.domain.ids import time_ordered_id
from workflow.domain.units import is_higher
from workflow.services import query_codes, repeats
from workflow.services.decide import decide_action
from workflow.services.engine import Engine
from workflow.services.fold import apply, fold_events
from workflow.services.history import fold_history
from workflow.services.registration import decide_registration
from workflow.services.supervision import decide_opening, decide_supervision

Listener = Callable[[Case, list[Event]], None]
# Runs inside the command's transaction after the write (e.g. the API's idempotency
# record), so it commits or rolls back together with the events.
TxHook = Callable[[Connection, Case], None]
# Runs on the loaded matter before anything is decided, in the same transaction (the
# API's scope check): it raises to refuse, and then nothing is written.
Authorize = Callable[[Case], None]


@dataclass(frozen=True)
class Replay:
    case: Case | None
    as_of: datetime
    events: int
    matches_projection: bool


# Used when no key is configured (tests, the demo): matching still works, but the keys
# in the table are then only as secret as this source file.
_DEFAULT_REPEAT_KEY = "petitionflow-repeat-key"


class PetitionService:
    def __init__(
        self, db: Database, engine: Engine, clock: Clock, *, repeat_key: str | None = None
    ) -> None:
        self.db = db
        self.engine = engine
        self.clock = clock
        self.repeat_key = repeat_key or _DEFAULT_REPEAT_KEY
        self.listeners: list[Listener] = []

    def register(
        self,
        command: Register,
        actor: Actor,
        *,
        on_commit_tx: TxHook | None = None,
        query_code: str | None = None,
    ) -> Case:
        """``query_code`` (``services.query_codes.new_code``) is the petitioner's code for
        the public routes: only its keyed digest is stored; the caller hands the code to
        the petitioner once."""
        now = self.clock.now()
        with self.db.write() as conn:
            case, event = self.register_in(conn, command, actor, now, query_code=query_code)
            if on_commit_tx is not None:
                on_commit_tx(conn, case)
        self._notify(case, [event])
        return case

    def register_in(
        self,
        conn: Connection,
        command: Register,
        actor: Actor,
        now: datetime,
        *,
        query_code: str | None = None,
    ) -> tuple[Case, Event]:
        """Register in the caller's open transaction (bulk loads put many in one); the
        caller commits and notifies."""
        keys = [
            repeats.petitioner_key(self.repeat_key, p.id_number)
            for p in command.petitioners
            if p.id_number
        ]
        subject = repeats.subject_key(command.subject)
        year = local_date(command.received_at or now).year
        event, personal = decide_registration(
            self.engine,
            command,
            actor,
            now,
            case_id=time_ordered_id(now),
            number=repo.next_number(conn, year),
            repeat=self._repeat_link(
                conn, command, keys, subject, command.intake_unit or actor.unit
            ),
        )
        case = apply(self.engine.machine, None, event)
        repo.save(
            conn,
            case,
            [event],
            expected_version=None,
            now=now,
            warning_days=self.engine.settings.warning_days,
            personal=personal,
            petitioner_keys=[(key, subject) for key in keys],
            query_code_digest=(
                query_codes.digest(self.repeat_key, case.id, query_code)
                if query_code is not None
                else None
            ),
        )
        return case, event

    def act(
        self,
        case_id: str,
        action: Action,
        actor: Actor,
        *,
        if_match: int | None = None,
        on_commit_tx: TxHook | None = None,
        authorize: Authorize | None = None,
    ) -> Case:
        return self._command(
            case_id,
            lambda case, now: decide_action(self.engine, case, action, actor, now),
            if_match=if_match,
            on_commit_tx=on_commit_tx,
            authorize=authorize,
        )

    def supervise(
        self,
        case_id: str,
        item_id: str,
        command: SuperviseItem,
        actor: Actor,
        *,
        if_match: int | None = None,
        on_commit_tx: TxHook | None = None,
        authorize: Authorize | None = None,
    ) -> Case:
        """A step on one of the matter's supervision items, recorded in its history."""
        return self._command(
            case_id,
            lambda case, now: decide_supervision(self.engine, case, item_id, command, actor, now),
            if_match=if_match,
            on_commit_tx=on_commit_tx,
            authorize=authorize,
        )

    def open_supervision(
        self,
        case_id: str,
        command: OpenSupervisionItem,
        actor: Actor,
        *,
        if_match: int | None = None,
        on_commit_tx: TxHook | None = None,
        authorize: Authorize | None = None,
    ) -> Case:
        """A supervision item opened by hand by a petition bureau (第四十条), recorded in
        the matter's history; the new item is the matter's last."""
        return self._command(
            case_id,
            lambda case, now: decide_opening(self.engine, case, command, actor, now),
            if_match=if_match,
            on_commit_tx=on_commit_tx,
            authorize=authorize,
        )

    def _command(
        self,
        case_id: str,
        decide: Callable[[Case, datetime], Event],
        *,
        if_match: int | None,
        on_commit_tx: TxHook | None,
        authorize: Authorize | None,
    ) -> Case:
        now = self.clock.now()
        with self.db.write() as conn:
            case = self._load(conn, case_id)
            if authorize is not None:
                authorize(case)  # first: a refused caller learns nothing of the matter
            if if_match is not None and if_match != case.version:
                raise VersionConflict(
                    f"case {case_id} is at version {case.version}, not {if_match}",
                    expected_version=if_match,
                    current_version=case.version,
                )
            event = decide(case, now)
            record(conn, self.engine, case, event, now)
            if on_commit_tx is not None:
                on_commit_tx(conn, case)
        self._notify(case, [event])
        return case

    def _repeat_link(
        self, conn: Connection, command: Register, keys: list[str], subject: str, intake: str
    ) -> dict[str, object] | None:
        if command.repeat_of is not None:
            earlier = repo.load_case(conn, command.repeat_of)
            if earlier is None:
                raise InvalidCommand(f"no petition {command.repeat_of}", field="repeat_of")
            return self._link(earlier, command, intake, "registrar")
        found = repo.find_repeat(conn, keys, subject)
        earlier = repo.load_case(conn, found) if found is not None else None
        # A repeat that was declined as one says nothing new about the matter: what
        # decides is the matter it repeated.
        while earlier is not None and repeats.declined_repeat(earlier):
            assert earlier.repeat is not None
            earlier = repo.load_case(conn, earlier.repeat["previous"])
        if earlier is None:
            return None
        return self._link(earlier, command, intake, "id_number")

    def _link(self, earlier: Case, command: Register, intake: str, via: str) -> dict[str, object]:
        rule_set = self.engine.rule_book.get(earlier.rule_set)
        return repeats.repeat_link(
            earlier,
            command.new_facts,
            via,
            higher=self._higher(intake, earlier.holder_unit),
            lapsed_is_final=rule_set.lapsed_is_final,
        )

    def _higher(self, intake: str, holder: str) -> bool:
        new, old = self.engine.find_unit(intake), self.engine.find_unit(holder)
        return new is not None and old is not None and is_higher(new, old, self.engine.units)

    def get(self, case_id: str) -> Case:
        with self.db.read() as conn:
            return self._load(conn, case_id)

    def history(self, case_id: str) -> list[Event]:
        with self.db.read() as conn:
            events = repo.load_events(conn, case_id)
        if not events:
            raise NotFound(f"no petition {case_id}")
        return events

    def replay(self, case_id: str, as_of: datetime | None = None) -> Replay:
        """Fold the history through the chart; compare the full fold with the projection.

        A history that is not a chain, or does not fold, is a ``BrokenHistory`` naming
        the case, seq and reason (409), never a half-folded matter."""
        with self.db.read() as conn:
            current = self._load(conn, case_id)
            events = repo.load_events(conn, case_id)
        moment = as_of or self.clock.now()
        # Events are recorded in seq order, so "as of" is a prefix of the history.
        counted = len(list(takewhile(lambda e: e.recorded_at <= moment, events)))
        machine = self.engine.machine
        full = fold_history(machine, case_id, events)
        case = full if counted == len(events) else fold_events(machine, events[:counted])
        # Field-by-field dataclass equality: the same comparison as of their docs, cheaper.
        matches = full is not None and full == current
        return Replay(case=case, as_of=moment, events=counted, matches_projection=matches)

    def _load(self, conn: Connection, case_id: str) -> Case:
        case = repo.load_case(conn, case_id)
        if case is None:
            raise NotFound(f"no petition {case_id}")
        return case

    def _notify(self, case: Case, events: list[Event]) -> None:
        for listener in self.listeners:
            listener(case, events)


__all__ = ["IntegrityFailure", "PetitionService", "Replay"]
