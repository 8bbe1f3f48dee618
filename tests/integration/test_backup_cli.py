"""``archive-room backup`` / ``verify`` / ``restore`` as a scheduled task would use them."""

from __future__ import annotations

import os
from pathlib import Path

from app.demo import DEMO_PASSWORD
from app.storage import backup as storage
from app.storage.location import DatabaseLocation
from tests.integration.test_demo_and_cli import cli


def test_nightly_backup_then_verify_then_restore_on_the_command_line(
    demo_copy_now: DatabaseLocation, tmp_path: Path
) -> None:
    db = str(demo_copy_now.sqlite_path)
    secret = tmp_path / "backup.pw"
    secret.write_text(DEMO_PASSWORD + "\n", encoding="utf-8")
    os.chmod(secret, 0o644)
    backup = (
        "backup",
        "--db",
        db,
        "--to",
        str(tmp_path / "备份"),
        "--user",
        "admin",
        "--password-file",
        str(secret),
    )
    exposed = cli(*backup)
    assert exposed.returncode == 1 and "其他账户读取" in exposed.stderr
    os.chmod(secret, 0o600)
    done = cli(*backup)
    assert done.returncode == 0, done.stderr
    assert "备份完成并已校验" in done.stdout and "客户 200 位" in done.stdout
    (folder,) = storage.list_folder(tmp_path / "备份")
    ok = cli("verify", str(folder.path), "--user", "admin", stdin=DEMO_PASSWORD + "\n")
    assert ok.returncode == 0 and "认证标记正确" in ok.stdout
    keyless = cli("verify", str(folder.path))
    assert keyless.returncode == 0 and "跳过" in keyless.stdout
    db_copy = folder.path / "database.db"
    raw = bytearray(db_copy.read_bytes())
    raw[len(raw) // 2] ^= 1
    db_copy.write_bytes(bytes(raw))
    bad = cli("verify", str(folder.path))
    assert bad.returncode == 1 and "校验失败" in bad.stderr
    raw[len(raw) // 2] ^= 1
    db_copy.write_bytes(bytes(raw))
    restored = cli(
        "restore",
        str(folder.path),
        "--db",
        db,
        "--user",
        "admin",
        "--yes",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert restored.returncode == 0, restored.stderr
    assert "已恢复到新数据库并校验通过" in restored.stdout and "原数据库已保留为" in restored.stdout
    assert list(demo_copy_now.sqlite_path.parent.glob("demo.db.replaced-*"))
    check = cli("check", "--db", db, "--user", "admin", stdin=DEMO_PASSWORD + "\n")
    assert check.returncode == 0, check.stderr


def test_a_backup_to_an_unwritable_place_is_a_message_not_a_traceback(
    demo_copy_now: DatabaseLocation, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    failed = cli(
        "backup",
        "--db",
        str(demo_copy_now.sqlite_path),
        "--to",
        str(blocker / "x"),
        "--user",
        "admin",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert failed.returncode == 1
    assert "错误：" in failed.stderr and "Traceback" not in failed.stderr


def test_restoring_after_losing_the_database_needs_an_administrator_or_the_recovery_key(
    demo_copy_now: DatabaseLocation, tmp_path: Path
) -> None:
    db = demo_copy_now.sqlite_path
    done = cli(
        "backup",
        "--db",
        str(db),
        "--to",
        str(tmp_path / "b"),
        "--user",
        "admin",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    (folder,) = storage.list_folder(tmp_path / "b")
    lost = tmp_path / "new" / "demo.db"
    lost.parent.mkdir()
    refused = cli(
        "restore",
        str(folder.path),
        "--db",
        str(lost),
        "--user",
        "archivist",
        "--yes",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert refused.returncode == 1 and "恢复备份" in refused.stderr
    ok = cli(
        "restore",
        str(folder.path),
        "--db",
        str(lost),
        "--user",
        "admin",
        "--yes",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert lost.exists() and (tmp_path / "new" / "demo.db.vault").exists()  # from the backup
    check = cli("check", "--db", str(lost), "--user", "admin", stdin=DEMO_PASSWORD + "\n")
    assert check.returncode == 0, check.stderr
