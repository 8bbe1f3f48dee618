"""Hardening: keyring updates never lost, closed stores, lockout everywhere, typed driver errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.clock import FixedClock
from app.errors import (
    AccountLocked,
    DatabaseBusy,
    DiskFull,
    SessionEnded,
    ValidationFailed,
    WrongCredentials,
)
from app.security.keyring import Keyring
from app.services import users
from app.services.auth import (
    SignedIn,
    check_password_with_lockout,
    sign_in,
    sign_out,
)
from app.storage.engine import map_driver_error
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry, Customer
from tests.conftest import ADMIN_PASSWORD
from tests.factories import add_archivist, change_to_new_password


def test_a_stale_keyring_copy_never_undoes_another_change(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    uid = add_archivist(admin, clock)
    stale = Keyring.load(admin.store.keyring_store)  # what a slow sign-in elsewhere read earlier
    otp = users.reset_password(session=admin, user_id=uid, clock=clock)
    # the slow sign-in now fails and counts its failure: it must not write its stale copy back
    with pytest.raises(WrongCredentials):
        check_password_with_lockout(stale.store, "lisi", "wrong-Guess-123", clock)
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="lisi", password="Harbor-Own-Pass-1", clock=clock)
    sign_out(
        session=sign_in(location=location, username="lisi", password=otp.password, clock=clock),
        clock=clock,
    )


def test_disabled_account_cannot_be_reset_and_enabled_account_cannot_be_enabled(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    uid = add_archivist(admin, clock)
    with pytest.raises(ValidationFailed) as info:
        users.enable_user(session=admin, user_id=uid, clock=clock)
    assert [e.reason for e in info.value.errors] == ["not_disabled"]
    users.disable_user(session=admin, user_id=uid, clock=clock)
    with pytest.raises(ValidationFailed) as info:
        users.reset_password(session=admin, user_id=uid, clock=clock)
    assert [e.reason for e in info.value.errors] == ["disabled"]
    assert not admin.store.keyring().has_user("lisi")
    with pytest.raises(ValidationFailed):
        users.enable_user(session=admin, user_id=admin.actor.user_id, clock=clock)


def test_wrong_old_password_counts_towards_the_lock(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            change_to_new_password(admin, clock, "guess-Wrong-1")
    with pytest.raises(AccountLocked):
        change_to_new_password(admin, clock, "guess-Wrong-1")
    with pytest.raises(AccountLocked):  # even the right one, while locked
        change_to_new_password(admin, clock, ADMIN_PASSWORD)


def test_signed_out_store_can_no_longer_read_or_reconnect(
    admin: SignedIn, clock: FixedClock
) -> None:
    engine = admin.store.engine
    sign_out(session=admin, clock=clock)
    with pytest.raises(SessionEnded):
        admin.uow(clock)
    with pytest.raises(SessionEnded):
        admin.store.cipher  # noqa: B018
    with pytest.raises(SessionEnded), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    with pytest.raises(SessionEnded):
        users.list_users(session=admin, clock=clock)


@pytest.mark.sqlite_only
def test_queued_events_from_the_keyring_are_checked_before_auditing(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    ring = admin.store.keyring()
    label = ring.label_for("boss")
    doc = json.loads(location.keyring_path.read_text())
    future = (clock.now() + timedelta(days=400)).isoformat()
    doc["events"] = [
        {"label": label, "kind": "bogus", "at": clock.now().isoformat()},
        {"label": label, "kind": "failed", "at": future},
        {"label": "nonsense"},
    ]
    location.keyring_path.write_text(json.dumps(doc))
    sign_out(session=admin, clock=clock)
    session = sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    with session.store.new_session() as s:
        rows = s.query(AuditEntry).filter(AuditEntry.details.like('%"source":"keyring"%')).all()
    assert [r.action for r in rows] == ["auth.sign_in_failed"]
    assert rows[0].actor_id is None and rows[0].actor_name == "boss"
    assert rows[0].occurred_at.replace(tzinfo=None) <= clock.now().replace(tzinfo=None)
    assert json.loads(location.keyring_path.read_text())["events"] == []
    sign_out(session=session, clock=clock)


@pytest.mark.sqlite_only
def test_driver_errors_become_messages_a_user_can_act_on(location: DatabaseLocation) -> None:
    assert isinstance(
        map_driver_error(sqlcipher3.OperationalError("database is locked"), location), DatabaseBusy
    )
    assert isinstance(
        map_driver_error(sqlcipher3.OperationalError("database or disk is full"), location),
        DiskFull,
    )
    assert map_driver_error(sqlcipher3.OperationalError("no such table: x"), location) is None
    assert map_driver_error(sqlcipher3.IntegrityError("UNIQUE constraint failed"), location) is None


def test_sql_parameters_never_appear_in_error_text(admin: SignedIn, clock: FixedClock) -> None:
    values = {
        "row_key": "r1",
        "number": "KH1",
        "key_id": "k1",
        "updated_at": clock.now(),
        "party": "person",
        "kind": "general",
        "category": "个人",
        "status": "registered",
        "importance": "normal",
        "name": "张秘密",
        "id_number_bidx": b"same",
        "remarks": "",
        "created_at": clock.now(),
    }
    with admin.uow(clock) as uow:
        uow.session.add(Customer(**values))
        uow.commit()
    with pytest.raises(IntegrityError) as info, admin.uow(clock) as uow:
        uow.session.add(Customer(**{**values, "row_key": "r2", "number": "KH2"}))
        uow.commit()
    assert "张秘密" not in str(info.value)


def test_check_on_a_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ui.launch", "check", "--db", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "不是数据库文件" in result.stderr and "Traceback" not in result.stderr
