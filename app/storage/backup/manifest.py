"""What a backup is: its files and sums, the signed manifest, progress sinks, constants."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.clock import as_utc
from app.errors import (
    BackupCancelled,
)
from app.security import crypto

FORMAT = "archive-room-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_NAME = "database.db"
PREFIX = "archive-backup-"
PARTIAL = ".partial-"
CHUNK = 4 * 1024 * 1024
SEGMENT = 64 * 1024 * 1024  # verified in parallel, one thread per segment
VAULT_FILE_PURPOSE = "customer-key-vault-file/v1"  # as in app.security.vault
TAG_PURPOSE = "backup-manifest/v1"
# Sidecars copied when they exist (another area may add its own, e.g. audit checkpoints).
OPTIONAL_SIDECARS = (".audit-checkpoints",)

Progress = Callable[[int, int], None]


class Sink(Protocol):
    """Progress and cancel for long copies (``ui.tasks.ProgressSink`` fits)."""

    def report(self, done: int, total: int) -> None:
        """Tell how far the work is (bytes)."""

    def is_cancelled(self) -> bool:
        """True once a cancel was asked for."""


class NullSink:
    """No progress shown, never cancelled."""

    def report(self, done: int, total: int) -> None:
        """Ignore progress."""

    def is_cancelled(self) -> bool:
        """Never cancelled."""
        return False


@dataclass
class _Meter:
    sink: Sink
    total: int
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, n: int) -> None:
        with self.lock:  # verification hashes segments on several threads
            self.done += n
            done = min(self.done, self.total)
        self.sink.report(done, self.total)
        if self.sink.is_cancelled():
            raise BackupCancelled()


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup."""

    path: str  # relative, with "/"
    kind: str  # database | keyring | vault | blob | sidecar
    size: int
    sha256: str  # of the whole file (``sha256sum`` gives the same)
    segments: tuple[str, ...] = ()  # SHA-256 of each SEGMENT bytes, for files above SEGMENT

    def as_json(self) -> dict[str, Any]:
        """The manifest form."""
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.segments:
            out["segments"] = list(self.segments)
        return out

    def spans(self) -> list[tuple[int, int, str]]:
        """``(offset, length, expected SHA-256)`` of each part verification hashes on its own."""
        if not self.segments:
            return [(0, self.size, self.sha256)]
        return [
            (n * SEGMENT, min(SEGMENT, self.size - n * SEGMENT), expected)
            for n, expected in enumerate(self.segments)
        ]


@dataclass(frozen=True)
class Sums:
    """Size and SHA-256 sums of one file, computed while it was written or read."""

    size: int
    sha256: str
    segments: tuple[str, ...]

    def entry(self, path: str, kind: str) -> FileEntry:
        """The manifest entry for this file."""
        return FileEntry(path, kind, self.size, self.sha256, self.segments)


class _Hasher:
    """Whole-file SHA-256 plus one SHA-256 per SEGMENT (verification runs them in parallel)."""

    def __init__(self) -> None:
        self.whole = hashlib.sha256()
        self.part = hashlib.sha256()
        self.part_len = 0
        self.parts: list[str] = []
        self.size = 0

    def update(self, buf: bytes) -> None:
        self.whole.update(buf)
        self.size += len(buf)
        view = memoryview(buf)
        while view:
            take = min(len(view), SEGMENT - self.part_len)
            self.part.update(view[:take])
            self.part_len += take
            view = view[take:]
            if self.part_len == SEGMENT:
                self.parts.append(self.part.hexdigest())
                self.part, self.part_len = hashlib.sha256(), 0

    def sums(self) -> Sums:
        if self.size <= SEGMENT:
            return Sums(self.size, self.whole.hexdigest(), ())
        parts = list(self.parts)
        if self.part_len:
            parts.append(self.part.hexdigest())
        return Sums(self.size, self.whole.hexdigest(), tuple(parts))


@dataclass(frozen=True)
class Manifest:
    """What a backup holds; ``body`` is what the tag authenticates."""

    body: dict[str, Any]
    tag: str

    @property
    def created_at(self) -> datetime:
        """When the snapshot was taken (UTC)."""
        return as_utc(datetime.fromisoformat(str(self.body["created_at"])))

    @property
    def database_id(self) -> str:
        """The database the backup belongs to."""
        return str(self.body["database_id"])

    @property
    def files(self) -> list[FileEntry]:
        """Every file listed."""
        return [
            FileEntry(
                str(f["path"]),
                str(f["kind"]),
                int(f["size"]),
                str(f["sha256"]),
                tuple(str(x) for x in f.get("segments", ())),
            )
            for f in self.body["files"]
        ]

    @property
    def counts(self) -> dict[str, int]:
        """Row counts at the snapshot."""
        return {k: int(v) for k, v in self.body["counts"].items()}

    @property
    def audit_head(self) -> dict[str, Any]:
        """The last audit entry at the snapshot."""
        return dict(self.body["audit_head"])

    @property
    def total_bytes(self) -> int:
        """Sum of the file sizes."""
        return sum(f.size for f in self.files)


@dataclass
class VerifyResult:
    """Outcome of checking a backup folder."""

    manifest: Manifest
    tag_checked: bool
    vault_expired: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every sum (and the tag, if checked) matched."""
        return not self.problems


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def manifest_tag(data_key: bytes, body: dict[str, Any]) -> str:
    """HMAC-SHA256 of the canonical manifest body under a subkey of the data key."""
    key = crypto.derive_subkey(data_key, TAG_PURPOSE)
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def vault_file_key(data_key: bytes) -> bytes:
    """The SQLCipher key of the vault file (derived like ``CustomerKeyVault.beside``)."""
    return crypto.derive_subkey(data_key, VAULT_FILE_PURPOSE)
