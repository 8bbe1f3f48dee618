"""Audit recorder: appends entries inside the caller's transaction (R35, R40).

Content is serialised canonically (sorted JSON) and each entry is linked into the keyed hash
chain of :mod:`app.security.audit_chain` as it is written: sequence number and HMAC are
assigned under the database's write lock, so concurrent workstations cannot fork the chain.
Personal values must be masked by the caller through :func:`masked_change`.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from app.clock import Clock
from app.domain.accounts import SYSTEM_ACTOR_NAME, Actor
from app.security import audit_chain, seal_store, trusted_time
from app.security.audit_chain import (
    CHECKPOINT_ACTIONS,
    CHECKPOINT_EVERY,
    GENESIS,
    Checkpoint,
    CheckpointLog,
)
from app.security.masking import MASKERS
from app.security.sealing import SEAL_ACTIONS
from app.storage.models import AuditEntry

log = logging.getLogger(__name__)

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


class AuditChain:
    """What a recorder needs to link entries: the chain key, the lock, the checkpoint log."""

    # Arbitrary constant naming the audit chain's advisory lock on PostgreSQL ("ARAU").
    LOCK_ID = 0x41524155

    def __init__(self, data_key: bytes, checkpoints: CheckpointLog, dialect: str) -> None:
        self.key = audit_chain.chain_key(data_key)
        self.data_key = data_key  # for the sealing state (issue 23)
        self.checkpoint_key = audit_chain.checkpoint_key(data_key)
        self.checkpoints = checkpoints
        self.dialect = dialect
        # views already recorded in this signed-in session (one Store per sign-in)
        self.views_seen: set[tuple[object, ...]] = set()

    def lock(self, session: Session) -> None:
        """Serialise chain writers until the transaction ends.

        SQLite: take the database write lock now (a no-op update), so the head read next is the
        latest committed one. PostgreSQL: a transaction-level advisory lock.
        """
        if self.dialect == "sqlite":
            session.execute(text("UPDATE setting SET value = value WHERE 0"))
        elif self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self.LOCK_ID})

    @staticmethod
    def head(session: Session) -> tuple[int, bytes]:
        """``(seq, entry_hash)`` of the newest linked entry (``(0, GENESIS)`` when none)."""
        return AuditChain.recent(session)[0]

    @staticmethod
    def recent(session: Session) -> tuple[tuple[int, bytes], datetime | None]:
        """The head, and the high-water mark of recorded time (``security.trusted_time``)."""
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash, AuditEntry.action, AuditEntry.occurred_at)
            .where(AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq.desc())
            .limit(trusted_time.RECENT)
        ).all()
        if not rows or rows[0][0] is None:
            return (0, GENESIS), None
        mark = trusted_time.mark_from_rows([(r[2], r[3]) for r in rows])
        return (int(rows[0][0]), bytes(rows[0][1] or b"")), mark

    def link(self, entry: AuditEntry, head: tuple[int, bytes]) -> tuple[int, bytes]:
        """Give ``entry`` the next sequence number and its hash; return the new head."""
        seq = head[0] + 1
        content = audit_chain.content_bytes(
            seq,
            audit_chain.time_text(entry.occurred_at),
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.purpose,
            entry.details,
            entry.workstation,
        )
        entry.seq = seq
        entry.prev_hash = head[1]
        entry.entry_hash = audit_chain.entry_hash(self.key, head[1], content)
        return seq, entry.entry_hash

    def checkpoint(self, seq: int, head_hash: bytes, at: datetime) -> Checkpoint:
        """A signed checkpoint of ``(seq, head_hash)``."""
        return audit_chain.make_checkpoint(self.checkpoint_key, seq, head_hash, at)


class AuditRecorder:
    """Adds audit entries to one session; they commit or roll back with the change they record."""

    def __init__(
        self,
        session: Session,
        actor: Actor | None,
        clock: Clock,
        chain: AuditChain | None = None,
    ) -> None:
        self._session = session
        self._actor = actor
        self._clock = clock
        self._chain = chain
        self._head: tuple[int, bytes] | None = None  # known head within this transaction
        self._mark: datetime | None = None  # recorded time (trusted_time), with the head
        self._seal_forced = False  # an action that closes the sealing epoch (SEAL_ACTIONS)
        self._checkpoint_due = False
        self._pending_views: set[tuple[object, ...]] = set()
        if chain is not None:
            event.listen(session, "after_commit", self._forget_head)
            event.listen(session, "after_rollback", self._forget_head)
            event.listen(session, "after_rollback", self._forget_views)

    def _forget_head(self, _session: Session) -> None:
        self._head = None
        self._seal_forced = False

    def _forget_views(self, _session: Session) -> None:
        self._pending_views.clear()

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
        when = at or self._clock.now()
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        entry = AuditEntry(
            occurred_at=when,
            actor_id=who.user_id if who else None,
            actor_name=(actor_name or (who.username if who else SYSTEM_ACTOR_NAME))[:64],
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            purpose=None if purpose is None else purpose[:200],
            details=canonical_details(details or {}),
            workstation=_WORKSTATION,
        )
        if self._chain is not None:
            if self._head is None:
                self._chain.lock(self._session)
                self._head, self._mark = self._chain.recent(self._session)
            if not trusted_time.exempt(action):
                now = self._clock.now()
                trusted_time.check_write_time(now, self._mark)  # before anything is added
                if self._mark is None or now > self._mark:
                    self._mark = now
            if action in SEAL_ACTIONS:
                self._seal_forced = True
            head = self._chain.link(entry, self._head)
            self._session.add(entry)
            self._session.flush()
            self._head = head
            if head[0] % CHECKPOINT_EVERY == 0 or action in CHECKPOINT_ACTIONS:
                self._checkpoint_due = True
        else:
            self._session.add(entry)
            self._session.flush()
        return entry

    def record_many(
        self,
        action: str,
        *,
        object_type: str,
        objects: Sequence[tuple[object, Mapping[str, Any]]],
    ) -> int:
        """Append one entry per ``(object_id, details)`` in one statement (bulk steps).

        The entries are linked into the chain exactly as :meth:`record` links them, one after
        the other; only the insert is shared (5,000 destroyed volumes need not be 5,000
        flushes). Returns how many were written.
        """
        if not objects:
            return 0
        who = self._actor
        when = self._clock.now()
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        entries = [
            AuditEntry(
                occurred_at=when,
                actor_id=who.user_id if who else None,
                actor_name=(who.username if who else SYSTEM_ACTOR_NAME)[:64],
                action=action,
                object_type=object_type,
                object_id=None if object_id is None else str(object_id)[:64],
                purpose=None,
                details=canonical_details(details),
                workstation=_WORKSTATION,
            )
            for object_id, details in objects
        ]
        if self._chain is not None:
            if self._head is None:
                self._chain.lock(self._session)
                self._head, self._mark = self._chain.recent(self._session)
            if not trusted_time.exempt(action):
                trusted_time.check_write_time(when, self._mark)
                if self._mark is None or when > self._mark:
                    self._mark = when
            head = self._head
            first = head[0]
            for entry in entries:
                head = self._chain.link(entry, head)
            if head[0] // CHECKPOINT_EVERY != first // CHECKPOINT_EVERY:
                self._checkpoint_due = True
            self._head = head
        columns = [c.key for c in AuditEntry.__table__.columns if c.key != "id"]
        self._session.execute(
            insert(AuditEntry), [{c: getattr(e, c) for c in columns} for e in entries]
        )
        return len(entries)

    def record_view(
        self,
        action: str,
        *,
        object_type: str,
        object_id: object,
        purpose: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry | None:
        """Record a view once per signed-in session, object and purpose (issue 9).

        Viewing the same record again for the same purpose in the same session adds nothing
        (None is returned); another purpose, another object or a new sign-in is a new entry.
        """
        who = self._actor
        key = (
            who.user_id if who else None,
            action,
            object_type,
            str(object_id),
            " ".join((purpose or "").split()),
        )
        seen = self._chain.views_seen if self._chain is not None else set()
        if key in seen or key in self._pending_views:
            return None
        self._pending_views.add(key)
        return self.record(
            action, object_type=object_type, object_id=object_id, purpose=purpose, details=details
        )

    def checkpoint_due(self) -> Checkpoint | None:
        """The checkpoint to write with this commit, if the entries written call for one."""
        if self._chain is None or not self._checkpoint_due or self._head is None:
            return None
        return self._chain.checkpoint(self._head[0], self._head[1], self._clock.now())

    def commit(self) -> None:
        """Commit the session, writing a due checkpoint with it (table) or after it (file)."""
        cp = self.checkpoint_due()
        chain = self._chain
        if cp is not None and chain is not None and chain.checkpoints.in_transaction:
            chain.checkpoints.append(cp, self._session)
            self._session.flush()
        sealed = self._close_epoch_if_due()
        self._session.commit()
        if sealed and chain is not None and chain.dialect == "sqlite":
            seal_store.fold_wal(self._session.get_bind())  # type: ignore[arg-type]
        self._checkpoint_due = False
        if chain is not None:
            chain.views_seen |= self._pending_views
        self._pending_views = set()
        if cp is not None and chain is not None and not chain.checkpoints.in_transaction:
            try:
                chain.checkpoints.append(cp, None)
            except OSError as exc:  # the entries are committed; the next checkpoint catches up
                log.warning("audit checkpoint not written (%s)", type(exc).__name__)
                self._checkpoint_due = True

    def _close_epoch_if_due(self) -> bool:
        """Seal the open epoch with this commit when it is due (issue 23); True if sealed."""
        chain = self._chain
        if chain is None or self._head is None:
            return False
        state = seal_store.load_state(self._session, chain.data_key)
        if state is None:
            return False  # sealing not started (or its state unreadable: verification says so)
        now = self._clock.now()
        if not seal_store.epoch_due(state, self._head[0], now, self._seal_forced):
            return False
        if seal_store.epoch_sealed(self._session, state.epoch):
            # the stored state was put back to an older one: sealing stops (never overwrites);
            # verification reports the rolled-back state
            log.warning("audit seal state is behind the seals; epoch not closed")
            return False
        seal_store.close_epoch(self._session, chain.data_key, state, self._head, now)
        return True


def seal_unchained(session: Session, chain: AuditChain, clock: Clock) -> int:
    """Link entries written before the chain existed (a database upgraded to it), in id order.

    Only when *no* entry is linked yet: once the chain exists, an unlinked row is a row written
    outside the program and verification reports it instead of sealing it.
    """
    if session.scalar(select(AuditEntry.id).where(AuditEntry.seq.is_not(None)).limit(1)):
        return 0
    chain.lock(session)
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    if not rows:
        return 0
    head: tuple[int, bytes] = (0, GENESIS)
    for entry in rows:
        head = chain.link(entry, head)
    session.flush()
    recorder = AuditRecorder(session, None, clock, chain)
    recorder.record("audit.chain_sealed", object_type="audit", details={"entries": len(rows)})
    recorder.commit()
    return len(rows)
