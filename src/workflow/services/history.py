"""Folding a stored history that may have been tampered with: check, then fold.

Every reader that replays a matter from its stored events (the replay route, the
projection audit) goes through :func:`fold_history`, so a deleted, reordered or edited
event is reported as a :class:`BrokenHistory` with its place instead of surfacing as
whatever the fold trips over first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workflow.domain.case import Case
from workflow.domain.errors import BrokenHistory, IntegrityFailure
from workflow.domain.events import Event, chain_break
from workflow.services.fold import apply
from workflow.statechart import ChartMachine

# What folding a history that links but says impossible things can raise: the fold's own
# refusal, or a field, item or deadline the history never made.
_UNFOLDABLE = (IntegrityFailure, KeyError, IndexError, ValueError, TypeError, AttributeError)


def fold_history(
    machine: ChartMachine,
    case_id: str,
    events: Sequence[Event],
    each: Callable[[Case, Event], None] | None = None,
) -> Case | None:
    """The matter ``events`` make (None for none); BrokenHistory at the first event that
    breaks the chain or cannot be folded. ``each`` sees the matter after every event
    (the fold changes it in place: copy what is kept)."""
    broken = chain_break(events)
    if broken is not None:
        seq, reason = broken
        raise _broken(case_id, seq, reason)
    case: Case | None = None
    for event in events:
        try:
            case = apply(machine, case, event)
        except _UNFOLDABLE as exc:
            raise _broken(case_id, event.seq, f"the history does not replay: {exc}") from None
        if each is not None:
            each(case, event)
    return case


def _broken(case_id: str, seq: int, reason: str) -> BrokenHistory:
    return BrokenHistory(
        f"the history of case {case_id} is broken at seq {seq}: {reason}",
        case_id=case_id,
        seq=seq,
        reason=reason,
    )
