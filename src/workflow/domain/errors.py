"""Domain errors. Each carries a stable problem slug that the API maps to a response.

Translating them to HTTP is the API's job; here they only say what went wrong, with the
rule and the article where a legal guard refused.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class. ``problem`` is the stable slug of the contract's problem types."""

    problem = "illegal-transition"
    status = 409

    def __init__(self, detail: str, **context: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context

    def __str__(self) -> str:
        return self.detail


class NotFound(WorkflowError):
    problem = "not-found"
    status = 404


class InvalidCommand(WorkflowError):
    """Bad input: unknown action, wrong fields, impossible or future dates."""

    problem = "validation-error"
    status = 422


class IllegalTransition(WorkflowError):
    """The statechart has no such move from the matter's current state."""

    def __init__(self, state: str, action: str, allowed: tuple[str, ...]) -> None:
        super().__init__(
            f"action {action} is not allowed in state {state}",
            state=state,
            action=action,
            allowed_actions=list(allowed),
        )


class GuardRejected(WorkflowError):
    """A legal or organisational precondition failed; says which rule and article."""

    def __init__(
        self,
        rule: str,
        reason: str,
        *,
        article: str | None = None,
        problem: str = "illegal-transition",
        status: int = 409,
        **context: object,
    ) -> None:
        super().__init__(reason, rule=rule, article=article, **context)
        self.rule = rule
        self.article = article
        self.problem = problem
        self.status = status


class VersionConflict(WorkflowError):
    problem = "version-conflict"
    status = 412


class Forbidden(WorkflowError):
    problem = "forbidden"
    status = 403


class IntegrityFailure(WorkflowError):
    """History and projection disagree, or a hash chain is broken: a bug or tampering."""

    problem = "integrity-failure"
    status = 500


class BrokenHistory(IntegrityFailure):
    """A matter's stored history is not a chain (an event deleted, reordered or edited in
    the database) or does not fold: found by a read that replays it, with its place
    (``case_id``, ``seq``, ``reason``). A 409: the request is sound, the record is not;
    ``petitionflow verify`` reports the same break."""

    status = 409
