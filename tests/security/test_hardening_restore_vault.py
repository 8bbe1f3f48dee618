"""Insider: restore under a signed-in colleague, a missing/foreign/garbage vault, a planted backup.

Each test replays what was reproduced on a demo database before the fix: a restore switched the
files under another instance (its writes went to the file set aside), a missing vault was made
anew empty and ``check`` passed, a restore without a vault purged every customer, a planted
backup folder with an unauthenticated manifest chose the vault, a symlink in a backup passed
verification, a full disk was "not this program's database".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlcipher3

from app.check import CheckReport, check_structure, check_with_key
from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import (
    BackupDamaged,
    DatabaseInUse,
    DiskFull,
    VaultForeign,
    VaultMissing,
)
from app.messages import describe
from app.security.keyring import FileKeyringStore, Keyring
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.backup import (
    prepare_restore,
    run_backup,
    switch_to_restored,
    verify_backup,
)
from app.services.customers import register_customer, reveal_customer
from app.storage import backup as storage
from app.storage.engine import _key_pragma, classify_open_error
from app.storage.location import DatabaseLocation
from app.storage.sessions import holders, sessions_dir
from tests.conftest import make_setup_request
from tests.factories import PASSWORD, VALID_ID, add_archivist, person, sign_in_as, signed_in


@pytest.fixture
def customer(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[int]:
    """One customer registered by ``lisi`` (signed out again)."""
    add_archivist(admin, clock, "lisi")
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    cid = register_customer(session=session, draft=person(), clock=clock).customer_id
    sign_out(session=session, clock=clock)
    yield cid


def _vault(location: DatabaseLocation) -> Path:
    return location.sqlite_path.with_name(location.sqlite_path.name + ".vault")


def _check(location: DatabaseLocation, clock: FixedClock) -> CheckReport:
    report = CheckReport()
    ring = check_structure(location, report)
    assert ring is not None
    key = ring.unwrap_with_password("lisi", PASSWORD)
    assert key is not None
    check_with_key(location, ring, key, clock, report)
    return report


# --- restore while another instance is signed in ----------------------------------------------
def _reveal_refused(
    location: DatabaseLocation, clock: FixedClock, customer: int, error: type[Exception]
) -> None:
    """lisi signs in; revealing the customer raises ``error``."""
    with signed_in(location, "lisi", PASSWORD, clock) as session, pytest.raises(error):
        reveal_customer(session=session, customer_id=customer, purpose="核对", clock=clock)


def test_restore_refuses_while_another_session_holds_the_database_and_says_who(
    admin: SignedIn, customer: int, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "b").path)
    other = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    with pytest.raises(DatabaseInUse) as refused:
        prepare_restore(session=admin, clock=clock, backup=backup)
    assert "lisi@" in describe(refused.value) and "退出登录" in describe(refused.value)
    sign_out(session=other, clock=clock)
    summary = prepare_restore(session=admin, clock=clock, backup=backup)
    # a colleague signs in meanwhile: the switch refuses too, nothing is moved
    late = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    sign_out(session=admin, clock=clock)
    with pytest.raises(DatabaseInUse):
        switch_to_restored(
            db=location.sqlite_path, staged=Path(summary.staged_path), now=clock.now()
        )
    assert not list(location.sqlite_path.parent.glob("*.replaced-*"))
    sign_out(session=late, clock=clock)
    assert switch_to_restored(
        db=location.sqlite_path, staged=Path(summary.staged_path), now=clock.now()
    )


def test_a_lease_left_by_a_crashed_session_is_stale_and_removed(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    folder = sessions_dir(location.sqlite_path)
    crashed = folder / "0123456789abcdef0123456789abcdef.lease"
    crashed.write_text(json.dumps({"user": "ghost", "host": "pc-7", "pid": 1}))
    assert holders(location.sqlite_path, mine=admin.store.lease) == []  # nobody holds its lock
    assert not crashed.exists()
    sign_out(session=admin, clock=clock)
    assert not list(folder.glob("*.lease"))  # sign-out removes the session's own lease


# --- the vault: missing, foreign, garbage ------------------------------------------------------
def test_a_missing_vault_is_an_error_not_a_new_empty_vault_and_check_reports_it(
    admin: SignedIn, customer: int, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    vault = _vault(location)
    vault.unlink()
    _reveal_refused(location, clock, customer, VaultMissing)
    assert not vault.exists()  # not silently made anew
    report = _check(location, clock)
    assert not report.ok and any("密钥库文件不见了" in p for p in report.problems)


@pytest.mark.parametrize("kind", ["foreign", "garbage", "empty"])
def test_a_foreign_or_garbage_vault_is_an_error_and_check_reports_it(
    admin: SignedIn,
    customer: int,
    location: DatabaseLocation,
    clock: FixedClock,
    tmp_path: Path,
    kind: str,
) -> None:
    sign_out(session=admin, clock=clock)
    vault = _vault(location)
    if kind == "foreign":  # the vault of another database, a real SQLCipher file
        other = DatabaseLocation.parse(tmp_path / "other" / "archive.db")
        other.sqlite_path.parent.mkdir()
        from app.services.setup import initialize_database

        made = initialize_database(location=other, request=make_setup_request(), clock=clock)
        _ = made.session.store.vault
        sign_out(session=made.session, clock=clock)
        shutil.copyfile(_vault(other), vault)
    elif kind == "garbage":
        vault.write_bytes(os.urandom(64 * 1024))
    else:
        vault.write_bytes(b"")
    _reveal_refused(location, clock, customer, VaultForeign)
    report = _check(location, clock)
    assert not report.ok and any("密钥库文件已损坏，或不属于" in p for p in report.problems)


def test_check_passes_with_the_right_vault(
    admin: SignedIn, customer: int, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    report = _check(location, clock)
    assert report.ok, report.problems
    assert any("客户密钥库校验通过：1 把密钥" in p for p in report.passed)


def test_restore_without_any_vault_refuses_instead_of_purging_customers(
    admin: SignedIn, customer: int, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "b").path)
    _vault(location).unlink()
    clock.advance(days=31)  # the backup's vault copy is past its window (R8): not used
    with pytest.raises(VaultMissing):
        prepare_restore(session=admin, clock=clock, backup=backup)
    assert not list(location.sqlite_path.parent.glob("*.restored-*"))


# --- the manifest is authenticated before anything in it is used ------------------------------
def test_a_planted_backup_with_an_unauthenticated_manifest_cannot_choose_the_vault(
    admin: SignedIn, customer: int, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    genuine = Path(run_backup(session=admin, clock=clock, target=tmp_path / "b").path)
    planted = genuine.with_name(storage.PREFIX + "29991231-235959")
    shutil.copytree(genuine, planted)
    doc = json.loads((planted / storage.MANIFEST).read_text())
    doc["body"]["created_at"] = (clock.now() + timedelta(days=1)).isoformat()
    (planted / storage.MANIFEST).write_text(json.dumps(doc))
    (planted / "database.db.vault").write_bytes(os.urandom(8192))  # would purge everyone
    # verification stops at the tag: nothing of the planted file list is used
    report = verify_backup(session=admin, clock=clock, path=planted)
    assert report.problems == ["清单的认证标记不符：清单被改动，或备份不属于此数据库"]
    with pytest.raises(BackupDamaged):
        prepare_restore(session=admin, clock=clock, backup=planted)
    _vault(location).unlink()
    summary = prepare_restore(session=admin, clock=clock, backup=genuine)
    assert summary.vault_source == "backup" and summary.erased_customers == 0


def test_a_symlink_in_a_backup_folder_is_refused_by_verification(
    admin: SignedIn, customer: int, clock: FixedClock, tmp_path: Path
) -> None:
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "b").path)
    ring = backup / "database.db.keyring"
    elsewhere = tmp_path / "elsewhere.keyring"
    shutil.move(ring, elsewhere)
    ring.symlink_to(elsewhere)  # same bytes, so every sum still matches
    report = verify_backup(session=admin, clock=clock, path=backup)
    assert not report.ok and any("符号链接 database.db.keyring" in p for p in report.problems)
    with pytest.raises(BackupDamaged):
        prepare_restore(session=admin, clock=clock, backup=backup)


# --- SQLCipher settings, a full disk -----------------------------------------------------------
def _run_like_the_program(
    admin: SignedIn, location: DatabaseLocation, command: str, env: dict[str, str] | None = None
) -> list[str]:
    """Start a process as the program does (``harden``), open the database and the vault in
    it; answer ``[dumpable, core limit, memory security of the database, of the vault]``."""
    vault = _vault(location)
    _ = admin.store.vault
    code = (
        f"import sys; from ui.launch import harden; harden(['{command}']); "
        "import resource, ctypes; from pathlib import Path; "
        "from app.storage.engine import connect_sqlcipher; "
        "from app.security.vault import vault_file_key; "
        f"key = bytes.fromhex('{admin.store.data_key.hex()}'); "
        f"db = connect_sqlcipher(Path(r'{location.sqlite_path}'), key); "
        f"v = connect_sqlcipher(Path(r'{vault}'), vault_file_key(key)); "
        "dumpable = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0); "  # PR_GET_DUMPABLE
        "print(dumpable, resource.getrlimit(resource.RLIMIT_CORE)[0], "
        "*[c.execute('PRAGMA cipher_memory_security').fetchone()[0] for c in (db, v)])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, **(env or {})},
    )
    return done.stdout.split()


def test_the_program_cannot_be_dumped_or_read_by_other_processes(
    admin: SignedIn, location: DatabaseLocation
) -> None:
    """Not dumpable (no core file; another process of the same account cannot ptrace it or
    read /proc/<pid>/mem), core limit 0; SQLCipher's memory security off unless asked for
    (it is process-wide, sticky, and makes bulk writes several times slower)."""
    assert _run_like_the_program(admin, location, "check") == ["0", "0", "0", "0"]
    asked = {"ARCHIVE_ROOM_MEMORY_SECURITY": "1"}
    assert _run_like_the_program(admin, location, "check", asked) == ["0", "0", "1", "1"]
    # the synthetic demo builder runs without any of it
    assert _run_like_the_program(admin, location, "demo")[0] == "1"


def test_a_full_disk_is_reported_as_a_full_disk(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    """SQLite's own SQLITE_FULL (here: the page limit reached) is not "not our database"."""
    path = location.sqlite_path
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(_key_pragma(admin.store.data_key))
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlcipher3.OperationalError) as full:
        conn.execute("CREATE TABLE filler (x)")
        conn.execute("INSERT INTO filler VALUES (zeroblob(1000000))")
    conn.close()
    error = classify_open_error(full.value, path)
    assert isinstance(error, DiskFull)
    assert "磁盘空间不足" in describe(error)


def test_the_keyring_of_a_backup_has_no_failed_attempts_or_disabled_slots(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    other = sign_in_as(admin, location, clock, "wang", [Role.ARCHIVIST])
    sign_out(session=other, clock=clock)
    with pytest.raises(Exception):  # noqa: B017 (a wrong password: counted in the keyring)
        sign_in(location=location, username="wang", password="wrong-Password-9", clock=clock)
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "b").path)
    ring = Keyring.load(FileKeyringStore(backup / "database.db.keyring"))
    ring.verify(admin.store.data_key)
    assert ring.doc["attempts"] == {} and ring.has_user("wang")
    assert VALID_ID.encode() not in (backup / "database.db.keyring").read_bytes()
