"""The audit trail's keyed hash chain and its checkpoints (R35, R40; issue 9).

Every entry carries a sequence number ``seq`` (1, 2, 3 … without gaps) and
``entry_hash = HMAC-SHA256(chain key, prev_hash || content)``, where ``prev_hash`` is the
previous entry's hash (32 zero bytes before the first) and ``content`` is :func:`content_bytes`
of the stored columns. The chain key is derived from the database key (HKDF), so whoever edits
the database without it cannot recompute a hash: an edited, deleted, reordered or inserted row
breaks the chain at that row.

Cutting off the tail leaves a valid but shorter chain; *checkpoints* catch that. A checkpoint is
``(seq, entry_hash)`` of the head at some moment, MAC'd under its own subkey, appended to a small
file beside the database (``<db>.audit-checkpoints``, one JSON line each; PostgreSQL: the
``audit_checkpoint`` table). Verification requires every checkpoint to match the entry with its
``seq``, so the chain can never again be shorter than the last checkpoint.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from app.security.crypto import derive_subkey
from app.storage.files import append_line
from app.storage.models import AuditCheckpoint, AuditEntry

GENESIS = bytes(32)  # "previous hash" of the first entry
CHECKPOINT_SUFFIX = ".audit-checkpoints"
CHECKPOINT_EVERY = 100  # besides sign-in, sign-out and archiving (CHECKPOINT_ACTIONS)
CHECKPOINT_ACTIONS = frozenset(
    {"auth.sign_in", "auth.sign_out", "audit.archive", "audit.chain_sealed", "system.setup"}
)
RECENT_ENTRIES = 2_000  # verified at every sign-in
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_BATCH = 20_000
MAX_BREAKS = 100  # listed per verification; the first one is what matters


def chain_key(data_key: bytes) -> bytes:
    """The HMAC key of the entry chain (HKDF from the database key)."""
    return derive_subkey(data_key, "audit-chain/v1")


def checkpoint_key(data_key: bytes) -> bytes:
    """The HMAC key of checkpoints (a separate subkey: a checkpoint is never an entry)."""
    return derive_subkey(data_key, "audit-checkpoint/v1")


def time_text(value: datetime | str) -> str:
    """The canonical form of an entry's time: UTC, microseconds (as SQLite stores it)."""
    if isinstance(value, str):  # read raw from SQLite: already in this form
        return value if len(value) == 26 else time_text(datetime.fromisoformat(value))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime(_TIME_FORMAT)


def content_bytes(
    seq: int,
    occurred_at: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    purpose: str | None,
    details: str,
    workstation: str | None,
) -> bytes:
    """Unambiguous bytes of an entry's stored columns (``repr`` of str/int/None is exact)."""
    return repr(
        (
            seq,
            occurred_at,
            actor_id,
            actor_name,
            action,
            object_type,
            object_id,
            purpose,
            details,
            workstation,
        )
    ).encode()


def entry_hash(key: bytes, prev_hash: bytes, content: bytes) -> bytes:
    """HMAC-SHA256 over the previous hash and the content."""
    return hmac.digest(key, prev_hash + content, "sha256")


# --- checkpoints ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at one moment."""

    seq: int
    entry_hash: bytes
    at: str
    mac: bytes

    def signed_bytes(self) -> bytes:
        """What the checkpoint MAC covers."""
        return f"audit-checkpoint\x1f{self.seq}\x1f{self.entry_hash.hex()}\x1f{self.at}".encode()


def make_checkpoint(key: bytes, seq: int, head_hash: bytes, at: datetime) -> Checkpoint:
    """Return a signed checkpoint of ``(seq, head_hash)``."""
    unsigned = Checkpoint(seq, head_hash, time_text(at), b"")
    return Checkpoint(
        seq, head_hash, unsigned.at, hmac.digest(key, unsigned.signed_bytes(), "sha256")
    )


def checkpoint_valid(key: bytes, cp: Checkpoint) -> bool:
    """True when ``cp`` carries a correct MAC."""
    return hmac.compare_digest(hmac.digest(key, cp.signed_bytes(), "sha256"), cp.mac)


class CheckpointLog(Protocol):
    """Where checkpoints are kept (append-only)."""

    description: str

    def append(self, cp: Checkpoint, session: Session | None) -> None:
        """Add one checkpoint (``session``: the open transaction, for table logs)."""
        ...

    def read(self) -> tuple[list[Checkpoint], int]:
        """All checkpoints, and the number of lines that could not be parsed."""
        ...

    @property
    def in_transaction(self) -> bool:
        """True when :meth:`append` writes inside the database transaction."""
        ...


class FileCheckpointLog:
    """Checkpoints as JSON lines in ``<db>.audit-checkpoints`` (opened for appending only)."""

    in_transaction = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def append(self, cp: Checkpoint, session: Session | None = None) -> None:
        """Append one line and fsync it (after the entries' transaction committed)."""
        line = json.dumps(
            {"seq": cp.seq, "hash": cp.entry_hash.hex(), "at": cp.at, "mac": cp.mac.hex()},
            sort_keys=True,
        )
        append_line(self.path, line)

    def read(self) -> tuple[list[Checkpoint], int]:
        """Parse the file (missing: no checkpoints)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return [], 0
        out: list[Checkpoint] = []
        bad = 0
        for raw in text.splitlines():
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                out.append(
                    Checkpoint(
                        int(data["seq"]),
                        bytes.fromhex(data["hash"]),
                        str(data["at"]),
                        bytes.fromhex(data["mac"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                bad += 1
        return out, bad


class TableCheckpointLog:
    """Checkpoints in the ``audit_checkpoint`` table (PostgreSQL: no file beside a server)."""

    in_transaction = True

    def __init__(self, engine: Engine, description: str) -> None:
        self._engine = engine
        self.description = description

    def append(self, cp: Checkpoint, session: Session | None) -> None:
        """Insert the row in the entries' own transaction."""
        assert session is not None
        session.add(AuditCheckpoint(seq=cp.seq, entry_hash=cp.entry_hash, at=cp.at, mac=cp.mac))

    def read(self) -> tuple[list[Checkpoint], int]:
        """All rows in insertion order."""
        with Session(self._engine) as session:
            rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
            return [Checkpoint(r.seq, r.entry_hash, r.at, r.mac) for r in rows], 0


# --- verification ---------------------------------------------------------------------------
@dataclass
class ChainBreak:
    """The first place where the chain does not hold."""

    seq: int | None  # the entry's sequence number (None: a row without one)
    entry_id: int | None
    reason: str  # modified | missing | inserted | unsealed | truncated | checkpoint_*

    def describe(self) -> str:
        """A Chinese sentence for reports and warnings."""
        where = f"第 {self.seq} 条" if self.seq is not None else "一条无序号的"
        ident = f"（记录编号 {self.entry_id}）" if self.entry_id is not None else ""
        from app.messages import AUDIT_BREAKS

        template = AUDIT_BREAKS.get(self.reason, AUDIT_BREAKS["other"])
        return template.format(where=where, ident=ident, seq=self.seq, reason=self.reason)


@dataclass
class ChainReport:
    """Result of a verification."""

    checked: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: bytes = GENESIS
    checkpoints: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain holds."""
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        """The first problem found (by position in the chain)."""
        return self.breaks[0] if self.breaks else None


Row = tuple[Any, ...]
_COLUMNS = (
    AuditEntry.id,
    AuditEntry.seq,
    AuditEntry.occurred_at,
    AuditEntry.actor_id,
    AuditEntry.actor_name,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.purpose,
    AuditEntry.details,
    AuditEntry.workstation,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)
_RAW_SQL = (
    "SELECT id, seq, occurred_at, actor_id, actor_name, action, object_type, object_id, "
    "purpose, details, workstation, prev_hash, entry_hash FROM audit_entry"
)


Source = Engine | Connection


def _connect(source: Source) -> Any:
    """A connection context: a new one from an engine, or the given one (kept open)."""
    return source.connect() if isinstance(source, Engine) else nullcontext(source)


def _rows(engine: Source, since_seq: int | None) -> Iterator[Row]:
    """Entries in chain order, then any row without a sequence number.

    SQLite is read with raw SQL (times as stored text: the canonical form); other databases
    through SQLAlchemy Core (times as datetimes, formatted by :func:`time_text`).
    """
    raw = engine.dialect.name == "sqlite"
    with _connect(engine) as conn:
        if raw:
            # the DBAPI cursor itself: plain tuples, no Row objects (a third of the time)
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                where = "WHERE seq IS NOT NULL" + (" AND seq >= ?" if since_seq else "")
                params: tuple[Any, ...] = (since_seq,) if since_seq else ()
                cursor.execute(f"{_RAW_SQL} {where} ORDER BY seq", params)
                while batch := cursor.fetchmany(_BATCH):
                    yield from batch
                cursor.execute(f"{_RAW_SQL} WHERE seq IS NULL ORDER BY id")
                yield from cursor.fetchall()
            finally:
                cursor.close()
        else:
            query = select(*_COLUMNS).where(AuditEntry.seq.is_not(None))
            if since_seq:
                query = query.where(AuditEntry.seq >= since_seq)
            result = conn.execution_options(yield_per=_BATCH).execute(
                query.order_by(AuditEntry.seq)
            )
            for row in result:
                yield _canonical_row(tuple(row))
            for row in conn.execute(
                select(*_COLUMNS).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id)
            ):
                yield _canonical_row(tuple(row))


def _canonical_row(row: Row) -> Row:
    """A row as SQLite hands it back: the time as canonical text, hashes as bytes."""
    return (
        row[0],
        row[1],
        time_text(row[2]),
        *row[3:11],
        None if row[11] is None else bytes(row[11]),
        None if row[12] is None else bytes(row[12]),
    )


def verify_chain(
    engine: Source,
    data_key: bytes,
    checkpoints: CheckpointLog | None,
    *,
    since_seq: int | None = None,
    anchors: Callable[[], dict[int, bytes]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Walk the chain (from ``since_seq``: the recent part only) and the checkpoints.

    ``anchors`` returns ``{first kept seq: expected prev_hash}`` of archived ranges (the chain
    may start after seq 1 only where an archive entry in the chain says so).
    """
    key = chain_key(data_key)
    report = ChainReport()
    prev_seq: int | None = None
    prev_hash = GENESIS
    digest = hmac.digest
    breaks = report.breaks
    checked = 0
    known_anchors = anchors() if anchors is not None and since_seq is None else {}
    for row in _rows(engine, since_seq):
        eid, seq = row[0], row[1]
        if seq is None:
            if len(breaks) < MAX_BREAKS:
                breaks.append(ChainBreak(None, eid, "unsealed"))
            continue
        stored_prev = row[11] if isinstance(row[11], bytes) else b""
        stored = row[12] if isinstance(row[12], bytes) else b""
        reason: str | None = None
        if prev_seq is None:
            report.first_seq = seq
            if since_seq is not None:
                prev_hash = stored_prev  # the recent part starts from what is stored
            elif seq != 1:
                prev_hash = known_anchors.get(seq, b"")
                if prev_hash != stored_prev:
                    reason = "start_unanchored"
                    prev_hash = stored_prev
        elif seq != prev_seq + 1:
            reason = "inserted" if seq == prev_seq else "missing"
        checked += 1
        # row[1:11] is (seq, time text, actor id, name, action, object, id, purpose, details,
        # workstation): exactly what content_bytes serialises
        content = repr(row[1:11]).encode()
        if reason is None and (
            stored_prev != prev_hash or digest(key, prev_hash + content, "sha256") != stored
        ):
            reason = "modified"
        if reason is not None and len(breaks) < MAX_BREAKS:
            breaks.append(ChainBreak(seq, eid, reason))
        if progress is not None and checked % 100_000 == 0:
            progress(checked)
        prev_seq = seq
        prev_hash = stored
    report.checked = checked
    report.head_seq = prev_seq or 0
    report.head_hash = prev_hash
    if checkpoints is not None:
        _check_checkpoints(engine, data_key, checkpoints, report, since_seq)
    return report


def _check_checkpoints(
    engine: Source,
    data_key: bytes,
    log: CheckpointLog,
    report: ChainReport,
    since_seq: int | None,
) -> None:
    key = checkpoint_key(data_key)
    cps, bad = log.read()
    report.checkpoints = len(cps)
    if bad or any(not checkpoint_valid(key, cp) for cp in cps):
        report.breaks.append(ChainBreak(None, None, "checkpoint_forged"))
    valid = [cp for cp in cps if checkpoint_valid(key, cp)]
    if not valid:
        if report.head_seq > 0 and since_seq is None:
            report.breaks.append(ChainBreak(None, None, "checkpoint_missing"))
        return
    top = max(valid, key=lambda c: c.seq)
    if top.seq > report.head_seq:
        report.breaks.append(ChainBreak(top.seq, None, "truncated"))
    wanted = {cp.seq: cp.entry_hash for cp in valid if cp.seq <= report.head_seq}
    if since_seq is not None:
        wanted = {s: h for s, h in wanted.items() if s >= since_seq}
    if not wanted:
        return
    found = dict(_hashes_at(engine, list(wanted)))
    for seq in sorted(wanted):
        if seq < (report.first_seq or 1):
            continue  # archived (the archive's own entry anchors the start)
        stored = found.get(seq)
        if stored is None or stored[1] != wanted[seq]:
            report.breaks.append(
                ChainBreak(seq, stored[0] if stored else None, "checkpoint_mismatch")
            )
            break


def _hashes_at(engine: Source, seqs: list[int]) -> Iterable[tuple[int, tuple[int, bytes]]]:
    with _connect(engine) as conn:
        for start in range(0, len(seqs), 500):
            part = seqs[start : start + 500]
            rows = conn.execute(
                select(AuditEntry.seq, AuditEntry.id, AuditEntry.entry_hash).where(
                    AuditEntry.seq.in_(part)
                )
            )
            for seq, eid, h in rows:
                yield seq, (eid, bytes(h) if h is not None else b"")
