"""Time as a dependency: domain and rules never read the wall clock themselves."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real clock: the only place in the project that reads it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that moves only when told: tests and ``serve --clock simulated``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        with self._lock:
            if moment.astimezone(UTC) < self._now:
                raise ValueError("a simulated clock never runs backwards")
            self._now = moment.astimezone(UTC)

    def advance(self, *, days: int = 0, seconds: float = 0) -> datetime:
        with self._lock:
            self._now += timedelta(days=days, seconds=seconds)
            return self._now
