"""Command line: GUI, ``demo``, ``check``, ``recover``, ``backup``, ``verify``, ``restore``."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app import __version__
from app.clock import SystemClock
from app.errors import AppError, PasswordFileExposed
from app.messages import describe
from app.paths import default_database_path, user_log_dir
from app.storage.files import os_error_to_app
from app.storage.location import DatabaseLocation

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-room",
        description="档案室：客户档案管理（不带子命令时打开图形界面）",
    )
    parser.add_argument("--version", action="version", version=f"archive-room {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"数据库文件或 postgresql+psycopg:// 地址（默认：{default_database_path()}）",
    )
    parser.add_argument(
        "--demo", action="store_true", help="在临时目录生成演示数据库并打开图形界面"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")

    demo = sub.add_parser("demo", help="生成演示数据库（无界面）并列出演示账户")
    demo.add_argument("--db", required=True, metavar="PATH|URL", help="要创建的数据库")
    demo.add_argument(
        "--size",
        choices=["small", "large"],
        default="small",
        help="small：200 位客户；large：100 万位客户（用于性能测试）",
    )

    check = sub.add_parser("check", help="校验数据库：文件、钥匙环、完整性、结构版本")
    check.add_argument("--db", required=True, metavar="PATH|URL", help="要校验的数据库")
    check.add_argument(
        "--user", metavar="NAME", help="以该用户解锁后做完整校验（密码从终端或标准输入读取）"
    )
    check.add_argument(
        "--recovery-key",
        action="store_true",
        help="用恢复密钥解锁后做完整校验（从终端或标准输入读取）",
    )
    check.add_argument(
        "--remove-orphan-files",
        action="store_true",
        help="删除电子文件文件夹中无记录对应的文件（附加时程序中断留下的）",
    )

    recover = sub.add_parser("recover", help="忘记密码时用恢复密钥为用户设置新密码")
    recover.add_argument("--db", required=True, metavar="PATH|URL")
    recover.add_argument("--user", required=True, metavar="NAME", help="要恢复的用户名")

    backup = sub.add_parser(
        "backup", help="备份数据库（含钥匙环、密钥库和电子文件），写完即校验；可用于计划任务"
    )
    backup.add_argument("--db", metavar="PATH", help="要备份的数据库（默认：用户数据文件夹中的）")
    backup.add_argument("--to", metavar="DIR", help="备份文件夹（默认：程序中设置的备份位置）")
    backup.add_argument("--user", required=True, metavar="NAME", help="执行备份的系统管理员")
    backup.add_argument(
        "--password-file",
        metavar="FILE",
        help="从该文件第一行读取密码（计划任务用；文件须只有本账户可读）",
    )

    verify = sub.add_parser("verify", help="校验一个备份：逐个文件核对 SHA-256 和清单认证标记")
    verify.add_argument("backup", metavar="BACKUP_DIR", help="备份文件夹（archive-backup-…）")
    verify.add_argument("--user", metavar="NAME", help="用该用户的密码解开备份中的钥匙环")
    verify.add_argument("--recovery-key", action="store_true", help="用恢复密钥解开")

    restore = sub.add_parser(
        "restore", help="从备份恢复到新数据库，校验并显示内容后再切换；当前数据库改名保留"
    )
    restore.add_argument("backup", metavar="BACKUP_DIR", help="备份文件夹（archive-backup-…）")
    restore.add_argument(
        "--db", metavar="PATH", help="要恢复到的数据库位置（默认：用户数据文件夹中的）"
    )
    restore.add_argument("--user", metavar="NAME", help="系统管理员的用户名")
    restore.add_argument("--recovery-key", action="store_true", help="用恢复密钥解锁")
    restore.add_argument("--yes", action="store_true", help="不再询问，校验通过后直接切换")
    return parser


def _read_secret(prompt: str) -> str:
    """Read a secret from the terminal without echo, or one line from piped input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _location(value: str | None) -> DatabaseLocation:
    return DatabaseLocation.parse(value if value else default_database_path())


def cmd_demo(args: argparse.Namespace) -> int:
    """Build a demo database and print its sign-ins."""
    from app.demo import DEMO_PASSWORD, build_demo
    from app.domain.roles import ROLE_LABELS, TITLE_LABELS

    location = _location(args.db)

    def progress(done: int, total: int) -> None:
        if total >= 10_000:
            print(f"\r已生成 {done}/{total} 位客户", end="", file=sys.stderr, flush=True)

    accounts = build_demo(location=location, clock=SystemClock(), size=args.size, progress=progress)
    if args.size == "large":
        print(file=sys.stderr)
    print(f"演示数据库已创建：{location.display()}")
    print(f"所有演示账户的密码：{DEMO_PASSWORD}")
    for a in accounts:
        roles = "、".join(ROLE_LABELS[r] for r in a.roles)
        title = f"（{TITLE_LABELS[a.title]}）" if a.title else ""
        print(f"  {a.username:<12} {a.display_name}  {roles}{title}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Verify the store; exit non-zero on any problem."""
    from app.check import CheckReport, check_structure, check_with_key

    location = _location(args.db)
    report = CheckReport()
    keyring = check_structure(location, report)
    if keyring is not None:
        data_key = None
        if args.recovery_key:
            data_key = keyring.unwrap_with_recovery_key(_read_secret("恢复密钥："))
            if data_key is None:
                report.problems.append("恢复密钥不正确或不属于此数据库。")
        else:
            user = args.user
            if user is None and sys.stdin is not None and sys.stdin.isatty():
                user = input("用户名（直接回车则只检查文件结构）：").strip() or None
            if user:
                from app.services.auth import check_password_with_lockout

                try:
                    data_key = check_password_with_lockout(
                        keyring.store, user, _read_secret("密码："), SystemClock()
                    )
                except AppError as exc:  # wrong password or locked: counted like a sign-in
                    report.problems.append("无法解锁做完整校验：" + describe(exc))
            else:
                report.skipped.append(
                    "解密后的完整性、结构与审计链检查"
                    "（未提供用户：用 --user NAME 或 --recovery-key 解锁）"
                )
        if data_key is not None:
            check_with_key(
                location,
                keyring,
                data_key,
                SystemClock(),
                report,
                remove_orphan_files=args.remove_orphan_files,
            )
    for line in report.passed:
        print(f"通过  {line}")
    for line in report.skipped:
        print(f"跳过  {line}")
    for line in report.problems:
        print(f"问题  {line}", file=sys.stderr)
    print(
        "校验通过。" if report.ok else "校验失败：发现问题，见上。",
        file=None if report.ok else sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_PROBLEM


def cmd_recover(args: argparse.Namespace) -> int:
    """Reset a user's password with the recovery key."""
    from app.services.auth import recover_access

    location = _location(args.db)
    key = _read_secret("恢复密钥：")
    new = _read_secret("新密码：")
    confirm = _read_secret("再次输入新密码：")
    recover_access(
        location=location,
        recovery_key=key,
        username=args.user,
        new_password=new,
        confirm=confirm,
        clock=SystemClock(),
    )
    print(f"已为用户 {args.user} 设置新密码。此操作已记入审计记录。")
    return EXIT_OK


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


def _backup_key(args: argparse.Namespace, keyring_path: Path) -> bytes:
    """Unwrap the data key from a keyring file with the recovery key or a user's password."""
    from app.errors import RecoveryKeyInvalid, WrongCredentials
    from app.security.keyring import FileKeyringStore, Keyring

    ring = Keyring.load(FileKeyringStore(keyring_path))
    if args.recovery_key:
        key = ring.unwrap_with_recovery_key(_read_secret("恢复密钥："))
        if key is None:
            raise RecoveryKeyInvalid()
    else:
        key = ring.unwrap_with_password(args.user, _read_secret("密码："))
        if key is None:
            raise WrongCredentials(
                max_failures=ring.lockout.max_failures, minutes=ring.lockout.lock_minutes
            )
    ring.verify(key)
    return key


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every sum of a backup (and its tag when unlocked)."""
    from app.clock import format_local
    from app.storage import backup as storage

    folder = Path(args.backup).expanduser().resolve()
    key = None
    if args.user or args.recovery_key:
        key = _backup_key(args, folder / (storage.DB_NAME + ".keyring"))
    progress = _StderrProgress("正在校验")
    try:
        result = storage.verify_folder(folder, data_key=key, now=SystemClock().now(), sink=progress)
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
        from app.errors import BackupUnsupported

        raise BackupUnsupported()
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
        key = _backup_key(args, ring if ring.exists() else folder / (storage.DB_NAME + ".keyring"))
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


GuiRunner = Callable[..., int]


def configure_logging() -> None:
    """Warnings to stderr; details to a rotating file in the user log folder (no personal data)."""
    root = logging.getLogger()
    if root.handlers:
        return  # already configured (tests, embedding)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    root.setLevel(logging.WARNING)
    try:
        folder = user_log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            folder / "archive-room.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return  # a read-only profile must not stop the app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def cmd_gui(args: argparse.Namespace, run_gui: GuiRunner | None) -> int:
    """Open the GUI (on a new temporary demo database with ``--demo``)."""
    if run_gui is None:
        print("此安装不含图形界面。", file=sys.stderr)
        return EXIT_USAGE
    if args.demo:
        from app.demo import build_demo

        folder = Path(tempfile.mkdtemp(prefix="archive-room-demo-"))
        location = DatabaseLocation.parse(folder / "demo.db")
        print(f"正在生成演示数据库：{location.display()}", file=sys.stderr)
        accounts = build_demo(location=location, clock=SystemClock())
        return run_gui(location, demo_accounts=accounts)
    return run_gui(_location(args.db))


def main(argv: list[str] | None = None, run_gui: GuiRunner | None = None) -> int:
    """Run the command line; ``run_gui`` opens the GUI (passed by ``ui.launch``: no Qt in app)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    if os.name == "posix":
        os.umask(0o077)  # databases, WAL, vault, logs and printed PDFs: readable by this user only
    configure_logging()
    parser = _parser()
    args = parser.parse_args(argv)
    commands = {
        "demo": cmd_demo,
        "check": cmd_check,
        "recover": cmd_recover,
        "backup": cmd_backup,
        "verify": cmd_verify,
        "restore": cmd_restore,
    }
    try:
        command = commands.get(args.command)
        return command(args) if command else cmd_gui(args, run_gui)
    except AppError as exc:
        print(f"错误：{describe(exc)}", file=sys.stderr)
        return EXIT_PROBLEM
    except BrokenPipeError:
        return EXIT_OK  # output piped into a program that stopped reading (e.g. head)
    except OSError as exc:
        path = exc.filename or getattr(args, "db", "") or ""
        print(f"错误：{describe(os_error_to_app(exc, path))}（{exc.strerror}）", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
