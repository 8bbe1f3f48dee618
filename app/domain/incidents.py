"""Incidents (R45) as plain rows: one incident as listed and printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentFacts:
    """What was found, when and by whom, what was done and who was told (typed and listed alike)."""

    title: str
    found_at: datetime
    found_by: str
    description: str
    measures: str
    reported_to: str


@dataclass(frozen=True, kw_only=True)
class IncidentRow(IncidentFacts):
    """One incident as listed and printed."""

    id: int
    number: str
    kind: str  # label
    follow_up: str
    status: str  # label
    status_code: str
    affected: tuple[str, ...]
    recorded_by: str
    created_at: datetime
    version: int
