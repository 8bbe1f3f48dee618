"""The argument parser: the GUI options and one sub-command per task."""

from __future__ import annotations

import argparse

from app import __version__
from app.cli.imports import add_import_parser
from app.cli.pg_setup import add_pg_setup_parser
from app.paths import default_database_path


def build_parser() -> argparse.ArgumentParser:
    """The ``archive-room`` parser: the GUI options and the sub-commands."""
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
    _add_unlock_arguments(
        check,
        user_help="以该用户解锁后做完整校验（密码从终端或标准输入读取）",
        key_help="用恢复密钥解锁后做完整校验（从终端或标准输入读取）",
    )
    check.add_argument(
        "--audit-key",
        metavar="FILE",
        help="审计验证密钥文件（审计员保管的；演示数据库为 <db>.audit-key）：逐期核对审计封印",
    )
    check.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="审计员记下的审计链头（可多次给出）：审计链不得早于或不同于它",
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
    backup.add_argument(
        "--db",
        metavar="PATH|URL",
        help="要备份的数据库（默认：用户数据文件夹中的；PostgreSQL 地址用 pg_dump 备份）",
    )
    backup.add_argument("--to", metavar="DIR", help="备份文件夹（默认：程序中设置的备份位置）")
    backup.add_argument("--user", required=True, metavar="NAME", help="执行备份的系统管理员")
    backup.add_argument(
        "--password-file",
        metavar="FILE",
        help="从该文件第一行读取密码（计划任务用；文件须只有本账户可读）",
    )

    verify = sub.add_parser("verify", help="校验一个备份：逐个文件核对 SHA-256 和清单认证标记")
    verify.add_argument("backup", metavar="BACKUP_DIR", help="备份文件夹（archive-backup-…）")
    _add_unlock_arguments(
        verify, user_help="用该用户的密码解开备份中的钥匙环", key_help="用恢复密钥解开"
    )
    verify.add_argument(
        "--db",
        metavar="PATH",
        help="该备份所属的数据库（密码错误次数计入其钥匙环的锁定计数；默认：用户数据文件夹中的）",
    )

    restore = sub.add_parser(
        "restore", help="从备份恢复到新数据库，校验并显示内容后再切换；当前数据库改名保留"
    )
    restore.add_argument("backup", metavar="BACKUP_DIR", help="备份文件夹（archive-backup-…）")
    restore.add_argument(
        "--db",
        metavar="PATH|URL",
        help="要恢复到的数据库位置（默认：用户数据文件夹中的；PostgreSQL：当前数据库的地址）",
    )
    _add_unlock_arguments(restore, user_help="系统管理员的用户名", key_help="用恢复密钥解锁")
    restore.add_argument("--yes", action="store_true", help="不再询问，校验通过后直接切换")
    restore.add_argument(
        "--into",
        metavar="NAME",
        help="PostgreSQL：恢复到服务器上的这个新数据库（不会覆盖当前数据库）",
    )
    add_import_parser(sub)
    add_pg_setup_parser(sub)
    return parser


def _add_unlock_arguments(
    command: argparse.ArgumentParser, *, user_help: str, key_help: str
) -> None:
    """The two ways a command unlocks a keyring: ``--user NAME`` (a password) or ``--recovery-key``.

    Both secrets are read from the terminal or standard input, never from the command line.
    """
    command.add_argument("--user", metavar="NAME", help=user_help)
    command.add_argument("--recovery-key", action="store_true", help=key_help)
