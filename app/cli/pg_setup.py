"""``archive-room pg-setup``: roles, database, tables and grants on a PostgreSQL server."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import EXIT_OK


def add_pg_setup_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``pg-setup`` command's arguments."""
    from app.storage.pg_setup import DEFAULT_APP_ROLE, DEFAULT_OWNER

    setup = sub.add_parser(
        "pg-setup",
        help="在 PostgreSQL 服务器上建立数据库、属主角色和程序登录角色（最小权限），"
        "密码写入仅本账户可读的 .pgpass",
    )
    setup.add_argument(
        "--url",
        required=True,
        metavar="URL",
        help="有建角色、建库权限的管理账户地址，如 postgresql://postgres@dbserver/postgres"
        "（不在本机的服务器默认 sslmode=verify-full）",
    )
    setup.add_argument(
        "--database", default="archive", metavar="NAME", help="数据库名（默认 archive）"
    )
    setup.add_argument("--owner", default=DEFAULT_OWNER, metavar="ROLE", help="表结构属主角色")
    setup.add_argument("--app-role", default=DEFAULT_APP_ROLE, metavar="ROLE", help="程序登录角色")
    setup.add_argument(
        "--pgpass", metavar="FILE", help="密码文件（默认 PGPASSFILE 或 ~/.pgpass；权限 0600）"
    )
    setup.add_argument("--new-passwords", action="store_true", help="为已有的角色重新生成密码")


def cmd_pg_setup(args: argparse.Namespace) -> int:
    """Set the server up and say what the workstations use (never a password)."""
    from app.storage.pg_setup import setup_server

    result = setup_server(
        url=args.url,
        database=args.database,
        owner=args.owner,
        app_role=args.app_role,
        pgpass=Path(args.pgpass).expanduser() if args.pgpass else None,
        new_passwords=args.new_passwords,
    )
    if result.created:
        print("已建立：" + "、".join(result.created))
    print(f"数据库 {result.database}：属主 {result.owner}，程序登录角色 {result.app_role}")
    print(
        f"  {result.app_role} 不能修改表结构，对审计表只能查询和追加"
        "（服务器的权限和触发器双重限制）。"
    )
    if result.passwords_set:
        print(
            f"  已为 {'、'.join(result.passwords_set)} 生成随机密码，写入 {result.pgpass}"
            "（仅本账户可读，权限 0600；不会显示在屏幕上）。"
        )
        print("  其他工作站：把该文件中对应的行安全地复制到各自用户的 .pgpass（权限 0600）。")
    print(f"各工作站使用的数据库地址：{result.app_url}")
    return EXIT_OK
