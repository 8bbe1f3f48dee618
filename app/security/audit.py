"""Audit recorder: appends entries inside the caller's transaction (R35, R40).

Content is serialised canonically (sorted JSON) so the later hash chain can MAC exactly what is
stored. Personal values must be masked by the caller through :func:`masked_change`.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.clock import Clock
from app.domain.accounts import SYSTEM_ACTOR_NAME, Actor
from app.security.masking import MASKERS
from app.storage.models import AuditEntry

_WORKSTATION = socket.gethostname()[:64]


def masked_change(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    personal: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Return ``{field: {"before": …, "after": …}}`` for changed fields, personal ones masked.

    ``personal`` maps a field name to a masker name in ``app.security.masking.MASKERS``.
    """
    before = before or {}
    after = after or {}
    personal = personal or {}
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        masker = MASKERS.get(personal.get(key, ""))
        if masker is not None:
            old = masker(str(old)) if old not in (None, "") else old
            new = masker(str(new)) if new not in (None, "") else new
        out[key] = {"before": old, "after": new}
    return out


def canonical_details(details: Mapping[str, Any]) -> str:
    """Serialise details deterministically."""
    return json.dumps(
        details, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


class AuditRecorder:
    """Adds audit entries to one session; they commit or roll back with the change they record."""

    def __init__(self, session: Session, actor: Actor | None, clock: Clock) -> None:
        self._session = session
        self._actor = actor
        self._clock = clock

    def record(
        self,
        action: str,
        *,
        object_type: str | None = None,
        object_id: object = None,
        purpose: str | None = None,
        details: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
        actor_name: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Append one entry (flushed at once so a failing audit write aborts the transaction)."""
        who = actor or self._actor
        entry = AuditEntry(
            occurred_at=at or self._clock.now(),
            actor_id=who.user_id if who else None,
            actor_name=(actor_name or (who.username if who else SYSTEM_ACTOR_NAME))[:64],
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            purpose=purpose,
            details=canonical_details(details or {}),
            workstation=_WORKSTATION,
        )
        self._session.add(entry)
        self._session.flush()
        return entry
