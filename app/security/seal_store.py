"""Where seals and the current epoch key live, and how an epoch is closed (issue 23).

The current epoch key is stored encrypted under a subkey of the data key (so a copy of the
file or a PostgreSQL dump without the data key does not give it away) in the single row of
``audit_seal_state``. Closing an epoch writes its seal and overwrites that row with the next
key in the transaction that also commits the entries: entries, seal and key move together or
not at all. On SQLite the overwrite runs with ``secure_delete`` on, and the write-ahead log is
folded in and truncated after the commit, so the old key is not left in free pages or old log
frames of the live file (copies made earlier, backups included, still hold the key of their
time: docs/security.md says what that allows).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.clock import as_utc
from app.security import sealing
from app.security.audit_chain import time_text
from app.security.crypto import DecryptionFailed, derive_subkey, open_sealed, seal
from app.storage.models import AuditEntry, AuditSeal, AuditSealState

log = logging.getLogger(__name__)

STATE_ROW = 1


def state_key(data_key: bytes) -> bytes:
    """The key that encrypts the stored epoch key."""
    return derive_subkey(data_key, "audit-seal-state/v1")


def _aad(epoch: int) -> bytes:
    return f"audit_seal_state/{epoch}".encode()


@dataclass
class SealState:
    """The decrypted current state."""

    epoch: int
    key: bytes
    opened_at: str
    opened_seq: int


def load_state(session: Session, data_key: bytes) -> SealState | None:
    """The current epoch and its key (None: sealing not started, or the row is unreadable)."""
    row = session.get(AuditSealState, STATE_ROW)
    if row is None:
        return None
    try:
        key = open_sealed(state_key(data_key), bytes(row.sealed_key), _aad(row.epoch))
    except DecryptionFailed:
        log.warning("audit seal state unreadable")
        return None
    return SealState(row.epoch, key, row.opened_at, row.opened_seq)


def epoch_sealed(session: Session, epoch: int) -> bool:
    """True when ``epoch`` already has a seal (the state was wound back)."""
    return session.get(AuditSeal, epoch) is not None


def sealing_started(session: Session) -> bool:
    """True once a verification key was issued for this database."""
    return session.get(AuditSealState, STATE_ROW) is not None


def _write_state(session: Session, data_key: bytes, state: SealState) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))
    row = session.get(AuditSealState, STATE_ROW)
    sealed = seal(state_key(data_key), state.key, _aad(state.epoch))
    if row is None:
        session.add(
            AuditSealState(
                id=STATE_ROW,
                epoch=state.epoch,
                sealed_key=sealed,
                opened_at=state.opened_at,
                opened_seq=state.opened_seq,
            )
        )
    else:
        row.epoch = state.epoch
        row.sealed_key = sealed
        row.opened_at = state.opened_at
        row.opened_seq = state.opened_seq


def close_epoch(
    session: Session,
    data_key: bytes,
    state: SealState,
    head: tuple[int, bytes],
    now: datetime,
) -> SealState:
    """Seal ``state``'s epoch up to ``head``, store the next key; return the new state."""
    at = time_text(now)
    first = state.opened_seq + 1
    last = head[0]
    session.add(
        AuditSeal(
            epoch=state.epoch,
            first_seq=first,
            last_seq=last,
            head_hash=head[1],
            closed_at=at,
            mac=sealing.seal_mac(state.key, state.epoch, first, last, head[1], at),
        )
    )
    nxt = SealState(state.epoch + 1, sealing.evolve(state.key), at, last)
    _write_state(session, data_key, nxt)
    session.flush()
    return nxt


def epoch_due(state: SealState, head_seq: int, now: datetime, forced: bool) -> bool:
    """True when the open epoch should be closed with this commit."""
    if head_seq <= state.opened_seq:
        return False  # nothing new since the epoch began
    if forced or head_seq - state.opened_seq >= sealing.EPOCH_ENTRIES:
        return True
    try:
        opened = datetime.fromisoformat(state.opened_at).replace(tzinfo=UTC)
    except ValueError:
        return True
    return as_utc(now) - opened >= timedelta(seconds=sealing.EPOCH_SECONDS)


def start(
    session: Session, data_key: bytes, head: tuple[int, bytes], first_seq: int, now: datetime
) -> bytes:
    """Draw the verification key, seal epoch 0 up to ``head`` and keep only ``S1``.

    Returns ``S0``: the caller hands it to the auditor; it is never stored.
    """
    seed = sealing.new_seed()
    state0 = SealState(0, seed, time_text(now), first_seq - 1)
    close_epoch(session, data_key, state0, head, now)
    return seed


def read_seals(engine: Engine | Session) -> list[sealing.SealRow]:
    """Every stored seal, by epoch."""
    query = select(AuditSeal).order_by(AuditSeal.epoch)
    if isinstance(engine, Session):
        rows = engine.scalars(query).all()
        return [_row(r) for r in rows]
    with Session(engine) as session:
        return [_row(r) for r in session.scalars(query).all()]


def _row(r: AuditSeal) -> sealing.SealRow:
    return sealing.SealRow(
        r.epoch, r.first_seq, r.last_seq, bytes(r.head_hash), r.closed_at, bytes(r.mac)
    )


def read_state_raw(session: Session, data_key: bytes) -> tuple[int, bytes] | None:
    """``(epoch, key)`` as stored, for the verifier (None: no row or undecryptable)."""
    state = load_state(session, data_key)
    return None if state is None else (state.epoch, state.key)


def hashes_at(session: Session, seqs: list[int]) -> dict[int, bytes]:
    """``entry_hash`` of the entries with these sequence numbers (those present)."""
    out: dict[int, bytes] = {}
    for start_ in range(0, len(seqs), 500):
        part = seqs[start_ : start_ + 500]
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.seq.in_(part))
        )
        for seq, h in rows:
            if seq is not None:
                out[int(seq)] = bytes(h or b"")
    return out


def fold_wal(engine: Engine) -> bool:
    """SQLite: move the log into the file and truncate it; True when done.

    Best effort: another connection reading or writing may hold it up, and the next seal
    tries again. The checkpoint runs on the driver connection outside any transaction: the
    unit of work's engine begins with ``BEGIN IMMEDIATE``, and a checkpoint inside the write
    lock it holds itself can never truncate the log (it reported "busy" every time).
    """
    if engine.dialect.name != "sqlite":
        return False
    try:
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                cursor.close()
    except Exception as exc:  # the next seal tries again
        log.info("write-ahead log not folded after a seal (%s)", type(exc).__name__)
        return False
    if busy:
        log.info("write-ahead log not folded after a seal (in use)")
    return not busy
