"""The ``backup``, ``verify`` and ``restore`` commands (for scheduled tasks and recovery)."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    _location,
    _password,
    _print_counts,
    _read_secret,
    _size,
    _StderrProgress,
)
from app.clock import SystemClock
from app.paths import default_database_path

if TYPE_CHECKING:
    from app.security.keyring import Keyring, KeyringStore
    from app.storage.location import DatabaseLocation


def cmd_backup(args: argparse.Namespace) -> int:
    """Sign in, write a verified backup, rotate, sign out (for a scheduled task)."""
    from app.clock import format_local
    from app.services.auth import sign_in, sign_out
    from app.services.backup import run_backup

    location = _location(args.db)
    clock = SystemClock()
    session = sign_in(location=location, username=args.user, password=_password(args), clock=clock)
    progress = _StderrProgress("正在备份")
    try:
        report = run_backup(session=session, clock=clock, target=args.to, sink=progress)
    finally:
        progress.finish()
        sign_out(session=session, clock=clock)
    print(f"备份完成并已校验：{report.path}")
    print(f"  时间 {format_local(report.created_at)}，共 {_size(report.total_bytes)}")
    _print_counts(report.counts)
    if report.removed_backups or report.expired_vault_copies:
        print(
            f"  轮换：删除旧备份 {report.removed_backups} 个，"
            f"销毁过期的密钥库副本 {report.expired_vault_copies} 个"
        )
    return EXIT_OK


def _attempt_counter(ring: Keyring, db: Path | None, folder: Path) -> KeyringStore:
    """Where a password typed for a backup's keyring is counted (issue 23: lockout applies).

    The live database's keyring when there is one (a guess against a backup spends the same
    budget as one at the sign-in window); otherwise a small attempts file beside the backup
    folder, started from the backup's keyring without its slots (a backup itself is never
    written: its files are checked against the manifest).
    """
    from app.security.keyring import FileKeyringStore

    if db is not None:
        live = db.with_name(db.name + ".keyring")
        if live.exists():
            return FileKeyringStore(live)
    store = FileKeyringStore(folder.parent / "archive-backup.attempts")
    with store.locked():
        if not store.exists():
            doc = copy.deepcopy(ring.doc)
            doc["body"]["slots"] = {}
            doc["attempts"], doc["events"], doc["mac"] = {}, [], ""
            store.save(doc)
    return store


def _backup_key(
    args: argparse.Namespace, keyring_path: Path, *, db: Path | None, folder: Path
) -> bytes:
    """Unwrap the data key from a keyring file with the recovery key or a user's password.

    A password goes through the same lockout as a sign-in (``services.auth``).
    """
    from app.errors import RecoveryKeyInvalid
    from app.security.keyring import FileKeyringStore, Keyring
    from app.services.auth import unwrap_with_lockout

    ring = Keyring.load(FileKeyringStore(keyring_path))
    if args.recovery_key:
        key = ring.unwrap_with_recovery_key(_read_secret("恢复密钥："))
        if key is None:
            raise RecoveryKeyInvalid()
    else:
        counter = _attempt_counter(ring, db, folder)
        key = unwrap_with_lockout(ring, args.user, _read_secret("密码："), SystemClock(), counter)
    ring.verify(key)
    return key


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every sum of a backup (and its tag when unlocked)."""
    from app.clock import format_local
    from app.storage import backup as storage

    folder = Path(args.backup).expanduser().resolve()
    key = None
    if args.user or args.recovery_key:
        given = _location(args.db) if args.db else None
        db = (
            default_database_path()
            if given is None
            else (given.sqlite_path if given.is_sqlite else None)  # a server: counted beside
        )
        key = _backup_key(args, folder / (storage.DB_NAME + ".keyring"), db=db, folder=folder)
    progress = _StderrProgress("正在校验")
    try:
        result = storage.verify_pg_folder(  # a PostgreSQL dump is also read by pg_restore
            folder, data_key=key, now=SystemClock().now(), sink=progress
        )
    finally:
        progress.finish()
    m = result.manifest
    print(f"备份：{folder}")
    print(f"  时间 {format_local(m.created_at)}，{len(m.files)} 个文件，共 {_size(m.total_bytes)}")
    _print_counts(m.counts)
    if result.vault_expired:
        print("  密钥库副本已按保留期限销毁（恢复时使用当前的密钥库）")
    if not result.ok:
        for line in result.problems:
            print(f"问题  {line}", file=sys.stderr)
        print("校验失败：该备份已损坏或被改动，不能用于恢复。", file=sys.stderr)
        return EXIT_PROBLEM
    if not result.tag_checked:
        print("跳过  清单认证标记（用 --user NAME 或 --recovery-key 解锁后才能校验）")
    print("校验通过：每个文件的 SHA-256 都与清单一致" + ("，清单认证标记正确。" if key else "。"))
    return EXIT_OK


def _require_admin(db: Path, key: bytes, username: str) -> None:
    """Restoring without a current database: the user must be an administrator in the backup."""
    from app.errors import PermissionDenied
    from app.storage import backup as storage

    conn = storage._connect(db, key)
    try:
        found = conn.execute(
            "SELECT 1 FROM user_account u JOIN user_role r ON r.user_id = u.id "
            "WHERE u.username_key = ? AND r.role = 'admin' AND NOT u.disabled",
            (username.strip().casefold(),),
        ).fetchone()
    finally:
        conn.close()
    if found is None:
        raise PermissionDenied(action="恢复备份")


def _restore_pg(args: argparse.Namespace, location: DatabaseLocation) -> int:
    """PostgreSQL: restore into the NEW database ``--into`` on the same server; never switch.

    With the live database reachable, an administrator signs in to it (its keyring and vault
    are the newest); with ``--recovery-key`` (a new server, the live database lost) the
    backup's keyring is unlocked and the newest vault copy in the backup folder is used.
    """
    from app.clock import format_local
    from app.services.auth import sign_in, sign_out
    from app.services.backup import prepare_restore, stage_pg_restore
    from app.storage import backup as storage

    if not args.into:
        print(
            "错误：PostgreSQL 数据库只能恢复到新的数据库，请用 --into NAME 指定其名称。",
            file=sys.stderr,
        )
        return EXIT_USAGE
    folder = Path(args.backup).expanduser().resolve()
    clock = SystemClock()
    progress = _StderrProgress("正在恢复并校验")
    try:
        if args.recovery_key:
            from app.security.keyring import FileKeyringStore, Keyring

            key = _backup_key(args, folder / (storage.DB_NAME + ".keyring"), db=None, folder=folder)
            ring = Keyring.load(FileKeyringStore(folder / (storage.DB_NAME + ".keyring")))
            assert location.url is not None
            summary = stage_pg_restore(
                url=location.url,
                into=args.into,
                data_key=key,
                ring=ring,
                backup=folder,
                now=clock.now(),
                actor_name="（恢复密钥）",
                live=False,
                sink=progress,
            )
        else:
            if not args.user:
                print(
                    "错误：请用 --user NAME（系统管理员）或 --recovery-key 解锁。", file=sys.stderr
                )
                return EXIT_USAGE
            session = sign_in(
                location=location, username=args.user, password=_read_secret("密码："), clock=clock
            )
            try:
                summary = prepare_restore(
                    session=session, clock=clock, backup=folder, into=args.into, sink=progress
                )
            finally:
                sign_out(session=session, clock=clock)
    finally:
        progress.finish()
    print(f"已恢复到新数据库并校验通过：{summary.staged_path}")
    print(f"  备份时间 {format_local(summary.backup_created_at)}，结构版本 {summary.schema}")
    _print_counts(summary.counts)
    if summary.erased_customers:
        print(f"  {summary.erased_customers} 位客户在备份之后已被删除：其受保护信息不会恢复。")
    print("当前数据库未改变。确认无误后，把各工作站的数据库地址改为上述新数据库。")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore into a new database, verify, show it, then switch (the current one is kept)."""
    from app.clock import format_local
    from app.services.auth import database_exists, sign_in, sign_out
    from app.services.backup import (
        discard_staged,
        prepare_restore,
        stage_restore,
        switch_to_restored,
    )
    from app.storage import backup as storage

    location = _location(args.db)
    if not location.is_sqlite:
        return _restore_pg(args, location)
    db = location.sqlite_path
    folder = Path(args.backup).expanduser().resolve()
    clock = SystemClock()
    progress = _StderrProgress("正在恢复并校验")
    if database_exists(location) and args.user and not args.recovery_key:
        session = sign_in(
            location=location, username=args.user, password=_read_secret("密码："), clock=clock
        )
        try:
            summary = prepare_restore(session=session, clock=clock, backup=folder, sink=progress)
        finally:
            progress.finish()
            sign_out(session=session, clock=clock)
    else:
        if not args.recovery_key and not args.user:
            print("错误：请用 --user NAME（系统管理员）或 --recovery-key 解锁。", file=sys.stderr)
            return EXIT_USAGE
        ring = db.with_name(db.name + ".keyring")
        source = ring if ring.exists() else folder / (storage.DB_NAME + ".keyring")
        key = _backup_key(args, source, db=db, folder=folder)
        if args.user and not args.recovery_key:
            _require_admin(folder / storage.DB_NAME, key, args.user)
        try:
            summary = stage_restore(
                db=db,
                data_key=key,
                backup=folder,
                now=clock.now(),
                sink=progress,
                actor_name=args.user or "（恢复密钥）",
            )
        finally:
            progress.finish()
    print(f"已恢复到新数据库并校验通过：{summary.staged_path}")
    print(f"  备份时间 {format_local(summary.backup_created_at)}，结构版本 {summary.schema}")
    _print_counts(summary.counts)
    head = summary.audit_head
    print(
        f"  审计记录末条：编号 {head.get('last_id')}，{head.get('last_action', '')}，"
        f"{head.get('last_at', '')}"
    )
    if summary.erased_customers:
        print(
            f"  {summary.erased_customers} 位客户在备份之后已被删除：其受保护信息和"
            f"电子文件（{summary.skipped_files} 个）不会恢复（密钥已销毁）。"
        )
    if summary.vault_source == "none":
        print("  警告：找不到密钥库，客户的受保护信息和电子文件将无法解密。", file=sys.stderr)
    answer = "y" if args.yes else ""
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            print("未切换（非交互运行请加 --yes）。恢复出的数据库保留在上述位置。")
            return EXIT_OK
        answer = input("切换到恢复的数据库？当前数据库将改名保留。[y/N] ").strip().lower()
    if answer not in ("y", "yes", "是"):
        discard_staged(Path(summary.staged_path))
        print("未切换，恢复出的数据库已删除；当前数据库未改变。")
        return EXIT_OK
    kept = switch_to_restored(db=db, staged=Path(summary.staged_path), now=clock.now())
    print(f"已切换：{db} 现在是恢复的数据库。")
    if kept is not None:
        print(f"原数据库已保留为：{kept}")
    return EXIT_OK
