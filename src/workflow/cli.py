"""Command-line entry point: ``petitionflow``."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("petitionflow: not yet wired")
