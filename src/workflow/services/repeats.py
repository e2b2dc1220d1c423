"""Repeat petitions (重复信访): who is the same petitioner, what is the same subject, and
what the earlier matter's state means for the new one.

A new matter repeats an earlier one when a petitioner's ID number and the subject match
(or the registrar names the earlier matter). The earlier matter decides (Contract 1.1,
written down in docs/supervision.md):
- concluded (复核终结) on the same facts and reasons: declined as ``finalized``
  (第三十六条第三款: “仍然以同一事实和理由提出投诉请求的……不再受理”);
- closed because its review or re-review window lapsed, on the same facts and reasons:
  ``finalized`` too where the rule set says so (``lapsed_is_final``; policy, on by
  default: the answer became final when the petitioner let the window pass);
- accepted and being handled, brought to a *higher* organ: declined as ``duplicate``
  (第十九条第三款: “信访事项已经受理或者正在办理的，信访人在规定期限内向受理、办理机关、
  单位的上级机关、单位又提出同一信访事项的，上级机关、单位不予受理” — the bar is the
  higher organ's, and only while the matter is being handled);
- anything else (the same organ, a matter not yet accepted or already answered, or new
  facts): a new matter, still linked, so it counts in the repeat rate and the backlog.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from workflow.domain.case import Case
from workflow.services.clocks import PETITIONER_WINDOWS


def subject_key(subject: str) -> str:
    """Subjects match after Unicode normalisation, case folding and dropping spaces and
    punctuation: "小区房屋漏水。" and "小区 房屋漏水" are the same subject."""
    text = unicodedata.normalize("NFKC", subject).casefold()
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return hashlib.sha256(kept.encode()).hexdigest()


def petitioner_key(secret: str, id_number: str) -> str:
    """A keyed digest: equal for equal ID numbers, useless without the key."""
    return hmac.new(secret.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


# Accepted and not yet answered: “已经受理或者正在办理” (第十九条第三款).
BEING_HANDLED = frozenset({"handling", "performing_duty", "under_review", "under_re_review"})


def lapsed_final(earlier: Case) -> bool:
    """Closed because the petitioner let a review or re-review window pass."""
    return earlier.state == "closed" and any(
        d.rule in PETITIONER_WINDOWS and d.status == "lapsed" for d in earlier.deadlines
    )


def disposition(earlier: Case, new_facts: bool, *, higher: bool, lapsed_is_final: bool) -> str:
    if new_facts:
        return "new"  # not the same facts and reasons: not the same matter
    if earlier.state == "concluded":
        return "finalized"
    if lapsed_is_final and lapsed_final(earlier):
        return "finalized"
    if higher and earlier.state in BEING_HANDLED:
        return "duplicate"
    return "new"


def declined_repeat(case: Case) -> bool:
    """A matter declined because it repeated another (it is not the one that decides)."""
    return (
        case.repeat is not None
        and case.repeat.get("disposition") in ("duplicate", "finalized")
        and case.state == "declined"
    )


def repeat_link(
    earlier: Case, new_facts: bool, via: str, *, higher: bool, lapsed_is_final: bool
) -> dict[str, object]:
    """The link recorded in the new matter's registration event.

    ``of`` is the first matter of the chain, so repeats of repeats count against it.
    """
    root = earlier.repeat["of"] if earlier.repeat else earlier.id
    root_number = earlier.repeat["of_number"] if earlier.repeat else earlier.number
    return {
        "of": root,
        "of_number": root_number,
        "previous": earlier.id,
        "previous_number": earlier.number,
        "of_state": earlier.state,
        "via": via,
        "new_facts": new_facts,
        "disposition": disposition(
            earlier, new_facts, higher=higher, lapsed_is_final=lapsed_is_final
        ),
        "higher_organ": higher,
    }
