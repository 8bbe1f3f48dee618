"""Archiving old entries into a signed file (there is no "clear log"), and checking one."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain.disposition import HoldRef
from app.errors import FieldError, ValidationFailed
from app.security import audit_chain, trusted_time
from app.security.crypto import derive_subkey
from app.services.audit.chain import ARCHIVE_ACTION
from app.services.audit.export import _clean_purpose
from app.services.audit.two_person import confirm_second_person
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.disposition.holds import (
    holds_covering_customer,
    holds_covering_volumes,
    refuse_if_held,
)
from app.storage.files import atomic_write_bytes
from app.storage.models import AuditEntry, LegalHold
from app.storage.store import Store, UnitOfWork

RETENTION_DEFAULT_DAYS = 3 * 365 + 1  # three years
RETENTION_MIN_DAYS = 184  # half a year and a few days: never less than one inspection cycle
ARCHIVE_FORMAT = "archive-room-audit-archive/1"


@dataclass(frozen=True)
class ArchiveResult:
    """What was archived: entries ``first_seq``–``through_seq`` into ``path``."""

    path: Path
    entries: int
    first_seq: int
    through_seq: int
    sha256: str


def _archive_key(store: Store) -> bytes:
    return derive_subkey(store.root_key, "audit-archive/v1")


def _archive_body(doc: dict[str, Any]) -> bytes:
    return json.dumps(
        {k: v for k, v in doc.items() if k != "signature"},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def archive_audit(
    *,
    session: SignedIn,
    retention_days: int,
    target: Path,
    purpose: str,
    clock: Clock,
    second_username: str,
    second_password: str,
) -> ArchiveResult:
    """Move entries older than ``retention_days`` into a signed file, then out of the table.

    Two persons (issue 23): the auditor, confirmed by a second person's password
    (``two_person.SECOND_PERSON_ROLES``). The cut-off counts back from the *recorded* time
    (the high-water mark of the trail), never from this workstation's clock alone. On
    PostgreSQL the server keeps the trail append-only: the file is written and the archive
    recorded, and the rows stay until the database owner removes them.

    Only a prefix of the chain is archived (entries up to the first one inside the retention),
    so the chain left behind starts where the file ends; the archive's own entry, which is part
    of the chain, records the last archived hash and anchors verification from then on. The
    file is written and synced before the deletion commits; a failed commit leaves the file
    and every entry in place.
    """
    purpose = _clean_purpose(purpose)
    if retention_days < RETENTION_MIN_DAYS:
        raise ValidationFailed(
            [FieldError("retention_days", "retention_min", {"min": RETENTION_MIN_DAYS})]
        )
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.archive")
    second = confirm_second_person(
        session.store, session.actor, second_username, second_password, clock
    )
    with session.uow(clock) as uow:
        uow.claim_writes()
        mark = trusted_time.high_water_mark(uow.session)
        if mark is None:
            raise ValidationFailed([FieldError("retention_days", "nothing_to_archive")])
        trusted_time.check_write_time(clock.now(), mark)
        cutoff = mark - timedelta(days=retention_days)
        first_kept = uow.session.scalar(
            select(AuditEntry.seq)
            .where(AuditEntry.seq.is_not(None), AuditEntry.occurred_at >= cutoff)
            .order_by(AuditEntry.seq)
            .limit(1)
        )
        query = select(AuditEntry).where(AuditEntry.seq.is_not(None))
        done = _archived_through(uow)  # PostgreSQL keeps archived rows: start after them
        if done:
            query = query.where(AuditEntry.seq > done)
        if first_kept is not None:
            query = query.where(AuditEntry.seq < first_kept)
        old = uow.session.scalars(query.order_by(AuditEntry.seq)).all()
        if not old:
            raise ValidationFailed([FieldError("retention_days", "nothing_to_archive")])
        old = _before_holds(uow, list(old))
        doc: dict[str, Any] = {
            "format": ARCHIVE_FORMAT,
            "database_id": uow.settings.raw().get("database_id"),
            "created_at": audit_chain.time_text(clock.now()),
            "created_by": session.actor.username,
            "purpose": purpose,
            "cutoff": audit_chain.time_text(cutoff),
            "first_seq": old[0].seq,
            "through_seq": old[-1].seq,
            "through_hash": (old[-1].entry_hash or b"").hex(),
            "entries": [
                {
                    "seq": e.seq,
                    "occurred_at": audit_chain.time_text(e.occurred_at),
                    "actor_id": e.actor_id,
                    "actor_name": e.actor_name,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "purpose": e.purpose,
                    "details": e.details,
                    "workstation": e.workstation,
                    "prev_hash": (e.prev_hash or b"").hex(),
                    "entry_hash": (e.entry_hash or b"").hex(),
                }
                for e in old
            ],
        }
        doc["signature"] = hmac.digest(
            _archive_key(session.store), _archive_body(doc), "sha256"
        ).hex()
        payload = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode()
        digest = hashlib.sha256(payload).hexdigest()
        atomic_write_bytes(target, payload)
        keep_rows = uow.store.engine.dialect.name == "postgresql"  # append-only on the server
        if not keep_rows:
            for e in old:
                uow.session.delete(e)
            uow.session.flush()
        uow.audit.record(
            ARCHIVE_ACTION,
            object_type="audit",
            purpose=purpose,
            details={
                "first_seq": doc["first_seq"],
                "through_seq": doc["through_seq"],
                "through_hash": doc["through_hash"],
                "entries": len(old),
                "retention_days": retention_days,
                "file_sha256": digest,
                "file_name": target.name,
                "confirmed_by": second.username,
                "cutoff": doc["cutoff"],
                "rows_kept": keep_rows,
            },
        )
        uow.commit()
    return ArchiveResult(target, len(old), int(doc["first_seq"]), int(doc["through_seq"]), digest)


def _before_holds(uow: UnitOfWork, old: list[AuditEntry]) -> list[AuditEntry]:
    """The prefix of ``old`` before the first entry about a held customer or volume (R46).

    A hold stops audit archiving for everything in its scope; only a prefix of the chain can
    be archived, so archiving stops at the first such entry. Nothing left: HoldInForce.
    """
    if not uow.session.scalar(select(LegalHold.id).where(LegalHold.state == "active").limit(1)):
        return old
    volumes = holds_covering_volumes(
        uow, {int(e.object_id) for e in old if e.object_type == "volume" and e.object_id}
    )
    customers: dict[int, list[HoldRef]] = {}
    for cid in {int(e.object_id) for e in old if e.object_type == "customer" and e.object_id}:
        found = holds_covering_customer(uow, cid)
        if found:
            customers[cid] = found
    for n, e in enumerate(old):
        oid = int(e.object_id) if e.object_id else 0
        refs = (volumes if e.object_type == "volume" else customers).get(oid, [])
        if e.object_type in ("volume", "customer") and refs:
            if n == 0:
                refuse_if_held(refs)
            return old[:n]
    return old


def _archived_through(uow: UnitOfWork) -> int:
    """The last seq an earlier archive took (0: none)."""
    through = 0
    query = select(AuditEntry.details).where(AuditEntry.action == ARCHIVE_ACTION)
    for details in uow.session.scalars(query):
        through = max(through, int(json.loads(details).get("through_seq", 0)))
    return through


def verify_audit_archive(*, session: SignedIn, data: bytes, clock: Clock) -> int:
    """Check an archive file's signature and its chain; return the number of entries.

    Raises ValidationFailed (``file``, ``archive_invalid``) when anything does not match.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
    bad = ValidationFailed([FieldError("file", "archive_invalid")])
    try:
        doc = json.loads(data)
        signature = bytes.fromhex(doc["signature"])
        entries = doc["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad from exc
    expected = hmac.digest(_archive_key(session.store), _archive_body(doc), "sha256")
    if doc.get("format") != ARCHIVE_FORMAT or not hmac.compare_digest(signature, expected):
        raise bad
    key = audit_chain.chain_key(session.store.root_key)
    prev: bytes | None = None
    for e in entries:
        stored_prev = bytes.fromhex(e["prev_hash"])
        if prev is not None and stored_prev != prev:
            raise bad
        content = audit_chain.content_bytes(
            e["seq"],
            e["occurred_at"],
            e["actor_id"],
            e["actor_name"],
            e["action"],
            e["object_type"],
            e["object_id"],
            e["purpose"],
            e["details"],
            e["workstation"],
        )
        if audit_chain.entry_hash(key, stored_prev, content).hex() != e["entry_hash"]:
            raise bad
        prev = bytes.fromhex(e["entry_hash"])
    return len(entries)
