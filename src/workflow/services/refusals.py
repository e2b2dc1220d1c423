"""How a guard refuses bad input: a 422 validation error naming its rule."""

from __future__ import annotations

from workflow.domain.errors import GuardRejected


def invalid(rule: str, reason: str, **context: object) -> GuardRejected:
    """Bad input rather than a forbidden move: nothing is written, the field is named."""
    return GuardRejected(
        rule, reason, article=None, problem="validation-error", status=422, **context
    )
