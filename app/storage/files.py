"""Safe file writes: temp file in the same folder, fsync, atomic rename; OS errors typed."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from app.errors import DiskFull, StorageError, StorageReadOnly


def os_error_to_app(exc: OSError, path: Path | str) -> StorageError:
    """Map an OSError to the typed error a user can act on."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(path=str(path))
    if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageReadOnly(path=str(path))
    return StorageReadOnly(path=str(path))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    folder = path.parent
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(folder)
    except OSError as exc:
        raise os_error_to_app(exc, path) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def append_line(path: Path, line: str) -> None:
    """Append ``line`` and a newline to ``path`` (created 0600) and fsync it before returning."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some filesystems cannot fsync a folder
            os.fsync(fd)
    finally:
        os.close(fd)
