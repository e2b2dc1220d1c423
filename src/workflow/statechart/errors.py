"""Errors raised while loading a statechart: the process refuses to start."""

from __future__ import annotations


class StatechartInvalid(Exception):
    """The chart file is malformed or names something that does not exist."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n  - ".join(problems)
        super().__init__(f"statechart {source} is invalid:\n  - {lines}")
