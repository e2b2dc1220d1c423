"""The petitioner's query code (查询码): given once at registration, kept only as a keyed hash.

A code is 16 characters drawn at random from 31 that cannot be misread for one another
(no 0/O, 1/I/L): about 79 bits, written in four groups of four. Its digest is an
HMAC-SHA256 under the deployment's petitioner key, bound to the matter's id:

- the code is random and long, so a slow hash would add nothing against guessing it
  from the stored digest, while it would hand anyone calling the public route a way to
  make the server burn CPU; a keyed hash is cheap to check and, without the key (which
  lives in the settings, not the database), the table alone does not let anyone test
  guesses offline;
- binding the digest to the matter means a code opens that matter only.

The digest lives in its own table beside the log (``query_codes``), never in an event,
so it is deleted with the matter's personal data (redaction) like the petitioner keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
GROUP = 4
# Separators and case a person may type or a form may add; stripped before checking.
_IGNORED = str.maketrans("", "", " -_\t")


def new_code() -> str:
    """A fresh code, grouped for reading aloud: ``XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(text: str) -> str | None:
    """The code's 16 characters, or None if ``text`` cannot be a code."""
    raw = text.translate(_IGNORED).upper()
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def digest(key: str, case_id: str, code: str) -> str:
    """The stored form of ``code`` for matter ``case_id`` (hex, 64 characters)."""
    raw = normalise(code) or ""
    message = b"petitionflow-query-code\x00" + case_id.encode() + b"\x00" + raw.encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def matches(key: str, case_id: str, code: str, stored: str) -> bool:
    """Whether ``code`` is the matter's; in constant time, and false for a malformed code."""
    candidate = digest(key, case_id, code)
    return hmac.compare_digest(candidate, stored) and normalise(code) is not None
