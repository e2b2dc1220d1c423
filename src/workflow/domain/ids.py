"""Matter ids: time-ordered (UUID version 7, RFC 9562), taken from the injected clock.

Every table keyed by the matter (cases, events, deadlines and their versions, timers,
supervision items) is a B-tree on an id that begins with the matter's. Random ids
(version 4) put matters registered together on unrelated pages of each of those indexes,
so a deadline storm (every matter of one day breaching at once) dirtied a page per
matter per index, and each commit wrote them all to the log: 30,000 breaches spent a
third of their time in COMMIT. A version 7 id begins with the millisecond of
registration, so matters registered together sit together and are written together.

Python 3.11's ``uuid`` has no version 7 (3.14 adds it), and the packages that do read
the wall clock; time here comes from the caller's clock, so the layout is written out.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RANDOM_A = ((1 << 12) - 1) << 64  # rand_a: the 12 bits after the version
_RANDOM_B = (1 << 62) - 1  # rand_b: the 62 bits after the variant


def time_ordered_id(at: datetime) -> str:
    """32 hex digits: 48 bits of Unix milliseconds, version 7, 74 random bits."""
    millis = (at - _EPOCH) // _MS
    if not 0 <= millis < 1 << 48:
        raise ValueError(f"{at.isoformat()} is outside the range of a version 7 id")
    random = int.from_bytes(os.urandom(10), "big")
    value = millis << 80 | _VERSION | random & _RANDOM_A | _VARIANT | random & _RANDOM_B
    return f"{value:032x}"
