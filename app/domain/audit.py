"""The audit trail as people read it: one entry as a plain row (listed, exported, printed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditRow:
    """One entry as the auditor sees it."""

    seq: int
    entry_id: int
    occurred_at: datetime
    actor_name: str
    actor_id: int | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    purpose: str
    details: str
    workstation: str
