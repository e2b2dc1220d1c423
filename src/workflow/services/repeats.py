"""Repeat petitions (重复信访): who is the same petitioner, what is the same subject, and
what the earlier matter's state means for the new one.

A new matter repeats an earlier one when a petitioner's ID number and the subject match
(or the registrar names the earlier matter). The earlier matter decides (issue policy,
written down in docs/supervision.md):
- still open: the new one is declined as ``duplicate`` (《信访工作条例》第十九条第三款
  and the 2014 national measures: a matter already accepted or being handled is not
  accepted again);
- concluded (复核终结) on the same facts and reasons: declined as ``finalized``
  (第三十六条第三款, 不再受理);
- any other end (closed, declined, withdrawn, diverted), or new facts: a new matter,
  still linked, so it counts in the repeat rate and towards the backlog.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from workflow.domain.case import Case


def subject_key(subject: str) -> str:
    """Subjects match after Unicode normalisation, case folding and dropping spaces and
    punctuation: "小区房屋漏水。" and "小区 房屋漏水" are the same subject."""
    text = unicodedata.normalize("NFKC", subject).casefold()
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return hashlib.sha256(kept.encode()).hexdigest()


def petitioner_key(secret: str, id_number: str) -> str:
    """A keyed digest: equal for equal ID numbers, useless without the key."""
    return hmac.new(secret.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def disposition(earlier: Case, new_facts: bool) -> str:
    if not earlier.ended:
        return "duplicate"
    if earlier.state == "concluded" and not new_facts:
        return "finalized"
    return "new"


def declined_repeat(case: Case) -> bool:
    """A matter declined because it repeated another (it is not the one that decides)."""
    return (
        case.repeat is not None
        and case.repeat.get("disposition") in ("duplicate", "finalized")
        and case.state == "declined"
    )


def repeat_link(earlier: Case, new_facts: bool, via: str) -> dict[str, object]:
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
        "disposition": disposition(earlier, new_facts),
    }
