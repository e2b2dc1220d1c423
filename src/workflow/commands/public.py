"""The petitioner's own access (阳光信访): find a matter by its number and query code, and
record the petitioner's evaluation through the same engine path as every command.

A wrong number, a wrong code, a malformed one and a matter without a code all give the
same ``NotFound``, with the same detail and the same work done (a digest is computed
and compared either way), so an answer never tells which part was wrong.
"""

from __future__ import annotations

from workflow.adapters import repository as repo
from workflow.commands.petitions import PetitionService
from workflow.domain.actions import Evaluate
from workflow.domain.actor import PETITIONER_ACTOR
from workflow.domain.case import Case
from workflow.domain.errors import NotFound
from workflow.services import query_codes

NOT_FOUND = "no petition with this number and query code"
# Longer numbers are never issued (``cases.number`` holds 40): such a request is
# refused without a query, with the same answer as any other wrong number.
MAX_NUMBER = 40
# Compared against when the number is unknown, so that case costs what a wrong code does.
_NO_DIGEST = "0" * 64


class PublicAccess:
    def __init__(self, petitions: PetitionService) -> None:
        self.petitions = petitions

    def _case_id(self, number: str, code: str) -> str:
        found = None
        if len(number) <= MAX_NUMBER:
            with self.petitions.db.read() as conn:
                found = repo.query_code_of(conn, number)
        case_id, stored = found if found is not None else ("", _NO_DIGEST)
        if not query_codes.matches(self.petitions.repeat_key, case_id, code, stored):
            raise NotFound(NOT_FOUND)
        return case_id

    def find(self, number: str, code: str) -> Case:
        """The matter numbered ``number`` if ``code`` is its query code; else NotFound."""
        return self.petitions.get(self._case_id(number, code))

    def evaluate(self, number: str, code: str, command: Evaluate) -> Case:
        """The petitioner's own evaluation (source ``petitioner``): the chart, the guards
        and the record are those of any ``evaluate``; only the actor is the petitioner."""
        case_id = self._case_id(number, code)
        return self.petitions.act(case_id, command, PETITIONER_ACTOR)
