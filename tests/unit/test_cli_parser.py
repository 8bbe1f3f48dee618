"""The command-line parser: commands that unlock a keyring take ``--user`` or ``--recovery-key``."""

from __future__ import annotations

import argparse

import pytest

from app.cli.parser import build_parser

UNLOCKING = {
    "check": (["--db", "archive.db"], "以该用户解锁后做完整校验", "用恢复密钥解锁后做完整校验"),
    "verify": (["archive-backup-1"], "用该用户的密码解开备份中的钥匙环", "用恢复密钥解开"),
    "restore": (["archive-backup-1"], "系统管理员的用户名", "用恢复密钥解锁"),
}


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub: argparse.ArgumentParser = commands.choices[command]
    return sub


@pytest.mark.parametrize("command", sorted(UNLOCKING))
def test_unlocking_commands_take_a_user_or_the_recovery_key(command: str) -> None:
    rest, _user_help, _key_help = UNLOCKING[command]
    plain = build_parser().parse_args([command, *rest])
    assert (plain.user, plain.recovery_key) == (None, False)
    by_user = build_parser().parse_args([command, *rest, "--user", "admin"])
    assert (by_user.user, by_user.recovery_key) == ("admin", False)
    by_key = build_parser().parse_args([command, *rest, "--recovery-key"])
    assert (by_key.user, by_key.recovery_key) == (None, True)


@pytest.mark.parametrize("command", sorted(UNLOCKING))
def test_each_command_says_what_the_user_and_the_key_unlock(command: str) -> None:
    _rest, user_help, key_help = UNLOCKING[command]
    options = {
        option: action
        for action in _subparser(command)._actions
        for option in action.option_strings
    }
    assert options["--user"].metavar == "NAME"
    assert user_help in (options["--user"].help or "")
    assert options["--recovery-key"].nargs == 0  # a flag: the key itself is never an argument
    assert key_help in (options["--recovery-key"].help or "")
