"""Process-wide protections for a program run that handles real data (keys, personal data).

What a colleague with the same operating-system account, or a copy of the disk, could take from
a running program is its memory: by attaching a debugger, reading ``/proc/<pid>/mem``, or from a
core dump written when it crashes. :func:`protect_memory` closes those doors:

* core dumps off (``RLIMIT_CORE`` 0, POSIX), and on Linux the process marked not dumpable
  (``prctl(PR_SET_DUMPABLE, 0)``): no core file, and no other process of the same account may
  ptrace it or read its memory (only root can);
* SQLCipher's ``cipher_memory_security`` (every allocation locked against swapping and wiped
  when freed) only when ``ARCHIVE_ROOM_MEMORY_SECURITY=1``: it is process-wide and cannot be
  turned off again, and it makes bulk writes several times slower (a 100,000-row import:
  docs/performance.md), while the pages the cache holds stay in memory either way and the
  8 MiB a process may lock by default cannot hold them. Encrypted swap is the remedy for swap
  (docs/deployment.md).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

log = logging.getLogger(__name__)

MEMORY_SECURITY_ENV = "ARCHIVE_ROOM_MEMORY_SECURITY"
_PR_SET_DUMPABLE = 4


def protect_memory() -> list[str]:
    """Apply what this platform offers; return the names of the protections applied."""
    applied: list[str] = []
    if os.name == "posix" and _no_core_dump():
        applied.append("no-core-dump")
    if sys.platform.startswith("linux") and _not_dumpable():
        applied.append("not-dumpable")
    if os.environ.get(MEMORY_SECURITY_ENV) == "1":
        from app.storage.engine import enable_memory_security

        enable_memory_security()
        applied.append("sqlcipher-memory-security")
    return applied


def _no_core_dump() -> bool:
    """POSIX: no core file on a crash (``RLIMIT_CORE`` 0); True when it took (else a warning)."""
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        log.warning("core dumps could not be turned off (%s)", type(exc).__name__)
        return False
    return True


def _not_dumpable() -> bool:
    """Linux: ``prctl(PR_SET_DUMPABLE, 0)``; True when it took (else a warning, with errno)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library the interpreter runs on
        prctl = libc.prctl
    except (OSError, AttributeError):
        log.warning("prctl is not available: the process stays dumpable")
        return False
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_DUMPABLE) failed (errno %d)", ctypes.get_errno())
        return False
    return True
