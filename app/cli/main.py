"""The entry point: logging, the command table, errors as messages, the GUI hand-off."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.cli.backup import cmd_backup, cmd_restore, cmd_verify
from app.cli.commands import cmd_check, cmd_demo, cmd_recover
from app.cli.common import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, _location
from app.cli.imports import cmd_import
from app.cli.parser import build_parser
from app.cli.pg_setup import cmd_pg_setup
from app.clock import SystemClock
from app.errors import AppError
from app.messages import describe
from app.paths import user_log_dir
from app.storage.files import os_error_to_app
from app.storage.location import DatabaseLocation

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
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {
        "demo": cmd_demo,
        "check": cmd_check,
        "recover": cmd_recover,
        "backup": cmd_backup,
        "verify": cmd_verify,
        "restore": cmd_restore,
        "import": cmd_import,
        "pg-setup": cmd_pg_setup,
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
