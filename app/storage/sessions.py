"""Who has an embedded database open: one lease file per session in ``<db>.sessions/``.

A signed-in session writes a small JSON file naming its user, workstation and process and keeps
an exclusive lock on it for as long as it is open (flock on POSIX, msvcrt on Windows). A lease
whose lock can be taken belongs to a session that ended without signing out (crash, power
loss): it is stale and removed. Restore and key rotation, which replace or re-encrypt the
files under everyone's feet, refuse while any other lease is held, and say whose it is.

The file holds a user name and a host name, never customer data; its name is random.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from app.clock import as_utc
from app.errors import DatabaseInUse

SESSIONS_SUFFIX = ".sessions"


@dataclass(frozen=True)
class Holder:
    """Another session on the database."""

    user: str
    host: str
    pid: int
    started_at: str

    def describe(self) -> str:
        """``user@host`` as shown in messages."""
        return f"{self.user}@{self.host}"


def sessions_dir(db: Path) -> Path:
    """The folder of lease files of ``db``."""
    return db.with_name(db.name + SESSIONS_SUFFIX)


def _try_lock(handle: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class Lease:
    """This session's lease; held until :meth:`release`."""

    def __init__(self, path: Path, handle: IO[bytes]) -> None:
        self.path = path
        self._handle: IO[bytes] | None = handle

    @property
    def held(self) -> bool:
        """True until released."""
        return self._handle is not None

    def release(self) -> None:
        """Remove the lease file and drop the lock."""
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            self._handle.close()
        self._handle = None


def take_lease(db: Path, user: str, now: datetime) -> Lease | None:
    """Register a session of ``user`` on ``db``; None when the folder cannot be written."""
    folder = sessions_dir(db)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.lease"
        handle = open(path, "w+b")  # noqa: SIM115 (held for the session's life)
    except OSError:
        return None  # a read-only medium: nothing can be restored over it either
    if not _try_lock(handle):  # pragma: no cover - a fresh random name
        handle.close()
        return None
    info = {
        "user": user,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": as_utc(now).isoformat(timespec="seconds"),
    }
    try:
        handle.write(json.dumps(info, ensure_ascii=False).encode())
        handle.flush()
    except OSError:  # pragma: no cover - disk full right now
        pass
    return Lease(path, handle)


def holders(db: Path, *, mine: Lease | None = None) -> list[Holder]:
    """The other live sessions on ``db``; stale leases found on the way are removed."""
    folder = sessions_dir(db)
    if not folder.is_dir():
        return []
    found: list[Holder] = []
    for path in sorted(folder.glob("*.lease")):
        if mine is not None and path == mine.path:
            continue
        try:
            handle = open(path, "r+b")  # noqa: SIM115
        except FileNotFoundError:
            continue  # released meanwhile
        except OSError:
            found.append(Holder("?", "?", 0, ""))  # cannot even look: count it as held
            continue
        with handle:
            if _try_lock(handle):  # nobody holds it: the session ended without signing out
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            try:
                data = json.loads(handle.read().decode("utf-8") or "{}")
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                data = {}
        found.append(
            Holder(
                user=str(data.get("user", "?")),
                host=str(data.get("host", "?")),
                pid=int(data.get("pid", 0) or 0),
                started_at=str(data.get("started_at", "")),
            )
        )
    return found


def require_alone(db: Path, *, mine: Lease | None = None) -> None:
    """Raise DatabaseInUse naming the other sessions on ``db``, if any."""
    others = holders(db, mine=mine)
    if others:
        names = "、".join(dict.fromkeys(h.describe() for h in others))
        raise DatabaseInUse(path=str(db), holders=names)
