"""The shape of one regulation's legal data (filled in by ``data_2005``/``data_2022``).

Each national regulation is one literal :class:`Regulation` so that a lawyer can
check every number and article against the text in one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rules.citations import Citation
from rules.deadlines import DeadlineRule
from rules.taxonomy import DeclineReason, HandlingScope, PetitionType, Route


@dataclass(frozen=True)
class RouteLaw:
    """The article that governs a routing outcome, and what it means in Chinese."""

    citation: Citation
    explanation: str


@dataclass(frozen=True)
class Regulation:
    """Everything the engine needs from one regulation."""

    id: str
    title: str
    instrument: str
    effective_from: date
    effective_to: date | None
    handling_scope: HandlingScope
    rules: tuple[DeadlineRule, ...]
    max_representatives: int
    representatives_citation: Citation
    finality_citation: Citation
    confidentiality_citation: Citation
    decline_grounds: Mapping[DeclineReason, Citation]
    routes: Mapping[tuple[PetitionType, Route], RouteLaw]
    """Allowed (type, route) pairs; a pair that is absent is not allowed."""
    unavailable_routes: Mapping[Route, RouteLaw]
    """Routes this regulation does not provide at all, with the reason."""
