"""What every command shares: exit codes, reading secrets, the database location, output."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.errors import PasswordFileExposed
from app.paths import default_database_path
from app.storage.location import DatabaseLocation

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _read_secret(prompt: str) -> str:
    """Read a secret from the terminal without echo, or one line from piped input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _location(value: str | None) -> DatabaseLocation:
    return DatabaseLocation.parse(value if value else default_database_path())


def _password(args: argparse.Namespace) -> str:
    path = getattr(args, "password_file", None)
    if path:
        file = Path(path)
        if os.name == "posix" and file.stat().st_mode & 0o077:
            raise PasswordFileExposed(path=str(file))
        return file.read_text(encoding="utf-8").splitlines()[0] if file.stat().st_size else ""
    return _read_secret("密码：")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MiB"


def _print_counts(counts: dict[str, int]) -> None:
    print(
        f"  客户 {counts.get('customers', 0)} 位，案卷 {counts.get('volumes', 0)} 卷，"
        f"卷内文件 {counts.get('items', 0)} 件，电子文件 {counts.get('files', 0)} 个，"
        f"用户 {counts.get('users', 0)} 个，审计记录 {counts.get('audit_entries', 0)} 条"
    )


class _StderrProgress:
    """Progress on the terminal for long copies (nothing when not a terminal)."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._last = -1
        self._tty = sys.stderr.isatty()

    def report(self, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        if self._tty and percent != self._last:
            self._last = percent
            print(f"\r{self._label} {percent}%", end="", file=sys.stderr, flush=True)

    def is_cancelled(self) -> bool:
        return False

    def finish(self) -> None:
        if self._tty and self._last >= 0:
            print(file=sys.stderr)
