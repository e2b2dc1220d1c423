"""Attempts on the public routes, limited per matter number and per client address.

The public routes take no token: the matter's number and its query code are the only
credential. Every attempt, right or wrong, takes one token from the number's bucket and
one from the address's; when either is empty the request is a 429 ``rate-limited``
with ``Retry-After`` and takes nothing. The number's bucket stops guessing one matter's
code from many addresses; the address's stops one client walking many numbers.

Memory is bounded: past ``max_keys`` buckets the least recently used is dropped (it
has been refilling longest, so it is the one most likely full again). The address is
the connection's peer as the ASGI server reports it; behind a reverse proxy, run the
server with the proxy's forwarded headers trusted (uvicorn ``--proxy-headers
--forwarded-allow-ips``), or every petitioner shares the proxy's budget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from api.problems import ApiProblem
from workflow.runtime.config import Settings

MAX_KEYS = 50_000
# A number longer than any issued is cut to this in its key, so a key's size is bounded.
_KEY_CHARS = 48

Bucket = tuple[float, float]  # tokens, when last updated


class Attempts:
    """Thread-safe; the clock is injectable (seconds, monotonic)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self._limits = {
            "number": (
                settings.rate_limit_public_number_per_minute / 60.0,
                float(settings.rate_limit_public_number_burst),
            ),
            "address": (
                settings.rate_limit_public_address_per_minute / 60.0,
                float(settings.rate_limit_public_address_burst),
            ),
        }
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._buckets: OrderedDict[tuple[str, str], Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, number: str, address: str) -> float:
        """Take one attempt for both keys: 0.0 when granted, else the seconds to wait
        (and then nothing is taken)."""
        keys = [("number", number.strip().upper()[:_KEY_CHARS]), ("address", address)]
        now = self._clock()
        with self._lock:
            levels = [self._level(key, now) for key in keys]
            waits = [
                (1.0 - tokens) / self._limits[key[0]][0]
                for key, tokens in zip(keys, levels, strict=True)
                if tokens < 1.0
            ]
            taken = 0.0 if waits else 1.0
            for key, tokens in zip(keys, levels, strict=True):
                self._store(key, tokens - taken, now)
            return max(waits, default=0.0)

    def check(self, number: str, address: str) -> None:
        """``take``, as the 429 problem when refused. The problem names neither the number
        nor the address: it says only how long to wait."""
        wait = self.take(number, address)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiProblem(
                429,
                "rate-limited",
                f"too many attempts; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
                limit_class="public",
            )

    def _level(self, key: tuple[str, str], now: float) -> float:
        rate, burst = self._limits[key[0]]
        tokens, updated = self._buckets.get(key, (burst, now))
        return min(burst, tokens + (now - updated) * rate)

    def _store(self, key: tuple[str, str], tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
