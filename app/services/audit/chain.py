"""The audit chain at sign-in and in ``archive-room check``: verify it, record a break."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import nullcontext

from sqlalchemy import Connection, Engine, select

from app.clock import Clock
from app.domain.roles import Role
from app.security.audit_chain import RECENT_ENTRIES, ChainReport, verify_chain
from app.storage.models import AuditEntry
from app.storage.store import Store

log = logging.getLogger("app.services.audit")

ARCHIVE_ACTION = "audit.archive"


def _anchors(source: Engine | Connection) -> Callable[[], dict[int, bytes]]:
    """``{first kept seq: prev_hash}`` from the archive entries (which are in the chain)."""

    def load() -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        query = select(AuditEntry.details).where(AuditEntry.action == ARCHIVE_ACTION)
        with source.connect() if isinstance(source, Engine) else nullcontext(source) as conn:
            for details in conn.execute(query).scalars():
                data = json.loads(details)
                out[int(data["through_seq"]) + 1] = bytes.fromhex(data["through_hash"])
        return out

    return load


def verify_audit_chain(
    store: Store,
    *,
    recent: bool = False,
    progress: Callable[[int], None] | None = None,
    connection: Connection | None = None,
) -> ChainReport:
    """Verify the whole chain and every checkpoint, or (``recent``) the newest entries only.

    Used by ``archive-room check`` (whole) and at every sign-in (recent).
    """
    source: Engine | Connection = connection if connection is not None else store.engine
    since: int | None = None
    if recent:
        with store.new_session() as session:
            head = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        since = max(1, (head or 0) - RECENT_ENTRIES + 1)
    return verify_chain(
        source,
        store.root_key,
        store.audit_checkpoints,
        since_seq=since,
        anchors=_anchors(source),
        progress=progress,
    )


def sign_in_chain_warning(store: Store, roles: frozenset[Role], clock: Clock) -> str | None:
    """Verify the recent part at sign-in; record a failure; the warning for admin/auditor.

    Other users get None: the trail is the administrator's and the auditor's concern, and a
    message they cannot act on would only alarm them (the failure is recorded either way).
    """
    try:
        report = verify_audit_chain(store, recent=True)
    except Exception as exc:  # a damaged file fails in driver-specific ways: warn, let them in
        log.warning("audit chain not verified at sign-in (%s)", type(exc).__name__)
        if Role.ADMIN in roles or Role.AUDITOR in roles:
            from app.messages import AUDIT_BREAKS

            return AUDIT_BREAKS["unreadable"]
        return None
    if report.ok:
        return _seal_warning(store, roles, clock)
    first = report.first_break
    assert first is not None
    log.warning("audit chain verification failed at sign-in (%s)", first.reason)
    with store.unit_of_work(None, clock) as uow:
        uow.audit.record(
            "audit.verify_failed",
            object_type="audit",
            object_id=first.seq,
            details={"reason": first.reason, "problems": len(report.breaks), "scope": "recent"},
        )
        uow.commit()
    if Role.ADMIN in roles or Role.AUDITOR in roles:
        return first.describe()
    return None


def _seal_warning(store: Store, roles: frozenset[Role], clock: Clock) -> str | None:
    """Seals missing before the stored epoch, or a chain behind this workstation's anchors."""
    from app.services.audit.seal_check import quick_seal_problems

    try:
        problems = quick_seal_problems(store)
    except Exception as exc:  # warn the admin/auditor, let them in
        log.warning("audit seals not checked at sign-in (%s)", type(exc).__name__)
        return None
    if not problems:
        return None
    log.warning("audit seals or anchors failed at sign-in")
    with store.unit_of_work(None, clock) as uow:
        uow.audit.record(
            "audit.verify_failed",
            object_type="audit",
            details={"reason": "seal", "problems": len(problems), "scope": "sign-in"},
        )
        uow.commit()
    if Role.ADMIN in roles or Role.AUDITOR in roles:
        return "\n".join(problems)
    return None
