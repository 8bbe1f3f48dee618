"""Command line: ``archive-room`` (GUI), ``demo``, ``check``, ``recover``."""

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
from app.errors import AppError
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
    commands = {"demo": cmd_demo, "check": cmd_check, "recover": cmd_recover}
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
