"""The ``demo``, ``check`` and ``recover`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import EXIT_OK, EXIT_PROBLEM, _location, _read_secret
from app.clock import SystemClock
from app.errors import AppError
from app.messages import describe
from app.security.anchors import Anchor, parse_anchor


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
    if location.is_sqlite:
        key_file = location.sqlite_path.with_name(location.sqlite_path.name + ".audit-key")
        print(f"审计验证密钥（仅供演示，真实数据库只交给审计员）：{key_file}")
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
    audit_key, anchors = _audit_key_and_anchors(args, report)
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
                audit_key=audit_key,
                anchors=anchors,
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


def _audit_key_and_anchors(
    args: argparse.Namespace, report: object
) -> tuple[str | None, list[Anchor]]:
    """The verification key read from ``--audit-key FILE`` and the ``--anchor`` values."""
    from app.check import CheckReport

    assert isinstance(report, CheckReport)
    key: str | None = None
    if args.audit_key:
        try:
            key = Path(args.audit_key).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            report.problems.append(f"无法读取审计验证密钥文件：{args.audit_key}")
            key = "unreadable"
    anchors: list[Anchor] = []
    for text in args.anchor:
        anchor = parse_anchor(text)
        if anchor is None:
            report.problems.append(f"锚点格式不正确（应为 序号:64 位十六进制校验值）：{text}")
        else:
            anchors.append(anchor)
    return key, anchors


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
