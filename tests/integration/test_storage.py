"""Migrations, bad databases and keyrings, audit atomicity: on real encrypted files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import (
    DatabaseAlreadyExists,
    DatabaseCorrupt,
    DatabaseMissing,
    DatabaseTooNew,
    ForeignDatabase,
    KeyringDamaged,
    KeyringMissing,
    PermissionDenied,
    StorageReadOnly,
    ValidationFailed,
)
from app.security import crypto
from app.services import users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.settings import get_settings, update_security_settings
from app.services.setup import initialize_database
from app.storage import migrate
from app.storage.engine import sqlcipher_engine
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry, UserAccount
from tests.conftest import ADMIN_PASSWORD, make_setup_request
from tests.factories import add_user, refused_audit, set_roles


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrate_from_empty_creates_every_table_at_head(tmp_path: Path) -> None:
    engine = sqlcipher_engine(tmp_path / "empty.db", crypto.random_key())
    try:
        assert migrate.upgrade(engine) is True
        assert migrate.upgrade(engine) is False  # idempotent
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            tables = set(inspect(conn).get_table_names())
            assert {
                "setting",
                "user_account",
                "user_role",
                "audit_entry",
                "customer",
                "volume",
            } <= tables
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
    assert not (tmp_path / "empty.db").read_bytes().startswith(b"SQLite format 3")


def _refused_untouched(
    admin: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    sql: str,
    error: type[Exception],
) -> pytest.ExceptionInfo[Exception]:
    """Run ``sql`` on the database, sign out; signing in again raises ``error`` and leaves the
    file as it was. Returns what was raised."""
    with admin.store.engine.begin() as conn:
        conn.execute(text(sql))
    sign_out(session=admin, clock=clock)
    before = sha(location.sqlite_path)
    with pytest.raises(error) as info:
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    assert sha(location.sqlite_path) == before
    return info


@pytest.mark.sqlite_only
def test_database_from_a_newer_version_is_refused_untouched(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    from_the_future = "UPDATE alembic_version SET version_num = 'f9999_future'"
    info = _refused_untouched(admin, location, clock, from_the_future, DatabaseTooNew)
    assert info.value.params["revision"] == "f9999_future"
    assert not list(location.sqlite_path.parent.glob("*.before-upgrade-*"))


@pytest.mark.sqlite_only
def test_unstamped_database_with_tables_is_not_touched(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    _refused_untouched(admin, location, clock, "DELETE FROM alembic_version", ForeignDatabase)


@pytest.mark.sqlite_only
def test_database_at_head_is_not_copied_and_copies_are_exact(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    copies: list[str] = []
    assert migrate.upgrade(admin.store.engine, backup=copies.append) is False
    assert copies == []
    sign_out(session=admin, clock=clock)
    target = migrate.copy_before_upgrade(location.sqlite_path, migrate.head_revision(), clock.now())
    assert target.name.startswith("archive.db.before-upgrade-")
    assert sha(target) == sha(location.sqlite_path)
    assert sha(target.with_name(target.name + ".keyring")) == sha(location.keyring_path)


def test_missing_database_is_reported(tmp_path: Path, clock: FixedClock) -> None:
    with pytest.raises(DatabaseMissing):
        sign_in(
            location=DatabaseLocation.parse(tmp_path / "none.db"),
            username="a",
            password="b",
            clock=clock,
        )


def _move_keyring(location: DatabaseLocation) -> None:
    location.keyring_path.rename(location.keyring_path.with_suffix(".moved"))


def _overwrite_database(location: DatabaseLocation) -> None:
    location.sqlite_path.write_bytes(os.urandom(4096 * 4))


def _truncate_database(location: DatabaseLocation) -> None:
    data = location.sqlite_path.read_bytes()
    location.sqlite_path.write_bytes(data[: len(data) // 2 + 100])


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (_move_keyring, KeyringMissing),
        (_overwrite_database, ForeignDatabase),
        (_truncate_database, DatabaseCorrupt),
    ],
    ids=["missing_keyring", "not_our_database", "truncated_database"],
)
def test_a_missing_or_damaged_file_is_reported(
    admin: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    damage: Callable[[DatabaseLocation], None],
    error: type[Exception],
) -> None:
    sign_out(session=admin, clock=clock)
    damage(location)
    with pytest.raises(error):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)


@pytest.mark.sqlite_only
def test_tampered_keyring_is_reported_not_replaced(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    doc = json.loads(location.keyring_path.read_text())
    doc["body"]["lockout"]["max_failures"] = 999
    location.keyring_path.write_text(json.dumps(doc))
    with pytest.raises(KeyringDamaged):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    # the authenticated part is left as found (only the unauthenticated attempt count moves:
    # issue 23 counts every attempt before the password is tried)
    after = json.loads(location.keyring_path.read_text())
    assert (after["body"], after["mac"]) == (doc["body"], doc["mac"])


def test_keyring_swapped_from_another_database_is_refused(
    tmp_path: Path, clock: FixedClock
) -> None:
    a = DatabaseLocation.parse(tmp_path / "a.db")
    b = DatabaseLocation.parse(tmp_path / "b.db")
    for loc in (a, b):
        sign_out(
            session=initialize_database(
                location=loc, request=make_setup_request(), clock=clock
            ).session,
            clock=clock,
        )
    shutil.copy2(b.keyring_path, a.keyring_path)
    with pytest.raises((ForeignDatabase, KeyringDamaged)):
        sign_in(location=a, username="boss", password=ADMIN_PASSWORD, clock=clock)


@pytest.mark.sqlite_only
def test_setup_never_overwrites_an_existing_database(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    before = sha(location.keyring_path)
    with pytest.raises(DatabaseAlreadyExists):
        initialize_database(location=location, request=make_setup_request(), clock=clock)
    assert sha(location.keyring_path) == before


def read_only_folder(tmp_path: Path) -> Path:
    """A folder nobody may create files in (root ignores modes, but not sysfs)."""
    if os.geteuid() == 0:
        return Path("/sys/archive-room-test")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return folder


def test_read_only_folder_gives_a_clear_error(tmp_path: Path, clock: FixedClock) -> None:
    folder = read_only_folder(tmp_path)
    with pytest.raises(StorageReadOnly) as info:
        initialize_database(
            location=DatabaseLocation.parse(folder / "x.db"),
            request=make_setup_request(),
            clock=clock,
        )
    assert str(folder) in info.value.params["path"]


@pytest.mark.sqlite_only
def test_audit_failure_rolls_back_the_change(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    keyring_before = sha(location.keyring_path)
    with refused_audit(admin, "user.create"), pytest.raises(Exception, match="audit refused"):
        add_user(admin, clock, "lisi", password=None)
    with admin.store.new_session() as s:
        assert s.query(UserAccount).filter_by(username="lisi").count() == 0
    assert sha(location.keyring_path) == keyring_before


@pytest.mark.sqlite_only
def test_failed_password_change_leaves_the_keyring_alone(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    keyring_before = json.loads(location.keyring_path.read_text())["body"]
    with admin.store.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_user AFTER UPDATE OF password_changed_at ON user_account "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    with pytest.raises(Exception, match="refused"):
        from app.services.auth import change_password

        change_password(
            session=admin,
            old_password=ADMIN_PASSWORD,
            new_password="Another-Pass-77",
            confirm="Another-Pass-77",
            clock=clock,
        )
    assert json.loads(location.keyring_path.read_text())["body"] == keyring_before


@pytest.mark.sqlite_only
def test_security_settings_are_validated_audited_and_reach_the_keyring(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    with pytest.raises(PermissionDenied):  # the 安全保密员 sets the policy (issue 23)
        update_security_settings(session=admin, changes={"idle_lock_minutes": 5}, clock=clock)
    with pytest.raises(ValidationFailed) as info:
        update_security_settings(
            session=officer,
            changes={"lockout_max_failures": 0, "idle_lock_minutes": "x"},
            clock=clock,
        )
    assert {e.field for e in info.value.errors} == {"lockout_max_failures", "idle_lock_minutes"}
    update_security_settings(
        session=officer, changes={"lockout_max_failures": 3, "idle_lock_minutes": 5}, clock=clock
    )
    assert get_settings(session=admin, clock=clock).security.idle_lock_minutes == 5
    assert json.loads(location.keyring_path.read_text())["body"]["lockout"]["max_failures"] == 3
    with admin.store.new_session() as s:
        entry = s.query(AuditEntry).filter_by(action="settings.update").one()
    assert json.loads(entry.details)["lockout_max_failures"] == {"before": 5, "after": 3}


@pytest.mark.sqlite_only
def test_every_write_in_this_issue_leaves_an_audit_entry(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    otp = add_user(admin, clock, "lisi", password=None)
    uid = next(u.id for u in users.list_users(session=admin, clock=clock) if u.username == "lisi")
    set_roles(officer, clock, uid, [Role.ARCHIVIST, Role.APPROVER], ApproverTitle.DEPT_HEAD)
    users.reset_password(session=admin, user_id=uid, clock=clock)
    users.disable_user(session=admin, user_id=uid, clock=clock)
    users.enable_user(session=admin, user_id=uid, clock=clock)
    update_security_settings(session=officer, changes={"idle_lock_minutes": 20}, clock=clock)
    with admin.store.new_session() as s:
        got = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    wanted = {"user.create", "user.set_roles", "user.reset_password", "user.disable"}
    wanted |= {"user.enable", "settings.update", "keys.rotate", "keys.rotation_deferred"}
    assert [a for a in got if a in wanted][-8:] == [
        "user.create",
        "user.set_roles",  # the grant the administrator asked for, confirmed by the 安全保密员
        "user.set_roles",
        "user.reset_password",
        "user.disable",
        # disabling an account replaces the data key (issue 23); the 安全保密员 is signed in
        # here, so the rotation waits for the next sign-in
        "keys.rotation_deferred",
        "user.enable",
        "settings.update",
    ]
    assert otp.password not in location.keyring_path.read_text()


@pytest.mark.sqlite_only
def test_new_database_and_keyring_are_private_to_the_owner(
    admin: SignedIn, location: DatabaseLocation
) -> None:
    assert stat.S_IMODE(location.sqlite_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(location.keyring_path.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_older_database_is_copied_then_upgraded(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    """A newer app version (simulated: our migrations plus one more) upgrades today's database."""
    head = migrate.head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "x0002_test_column.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = 'x0002'\ndown_revision = '{head}'\nbranch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('setting') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.Text(), nullable=True))\n\n\n"
        "def downgrade():\n    pass\n"
    )
    sign_out(session=admin, clock=clock)
    session = sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    from app.storage.store import backup_before_upgrade, checkpoint

    checkpoint(session.store.engine)
    before = sha(location.sqlite_path)
    hook = backup_before_upgrade(session.store.engine, location, clock)
    assert migrate.upgrade(session.store.engine, backup=hook, scripts=scripts) is True
    copies = sorted(location.sqlite_path.parent.glob(f"archive.db.before-upgrade-{head}-*"))
    copies = [c for c in copies if not c.name.endswith((".keyring", ".audit-checkpoints"))]
    assert len(copies) == 1
    assert copies[0].with_name(copies[0].name + ".keyring").exists()
    assert copies[0].with_name(copies[0].name + ".audit-checkpoints").exists()
    assert sha(copies[0]) == before  # the copy is the database as it was before the upgrade
    with session.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == "x0002"
        assert "note" in {c["name"] for c in inspect(conn).get_columns("setting")}
    sign_out(session=session, clock=clock)
    # this version (which does not know x0002) now refuses the upgraded database, untouched
    after = sha(location.sqlite_path)
    with pytest.raises(DatabaseTooNew):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    assert sha(location.sqlite_path) == after


def test_head_constant_matches_the_migration_scripts() -> None:
    assert migrate.head_revision() == migrate.HEAD


@pytest.mark.sqlite_only
def test_opening_a_current_database_does_not_load_alembic(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    code = (
        "import sys\n"
        "from app.clock import FixedClock\n"
        "from app.services.auth import sign_in, sign_out\n"
        "from app.storage.location import DatabaseLocation\n"
        f"s = sign_in(location=DatabaseLocation.parse({str(location.sqlite_path)!r}), "
        f"username='boss', password={ADMIN_PASSWORD!r}, clock=FixedClock())\n"
        "sign_out(session=s, clock=FixedClock())\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
