"""Insider: a disabled archivist keeps an old backup's keyring and their old password.

Before key rotation, their old slot unwrapped the one data key, which opened the live database
and vault as well as every backup. Disabling an account (or recording a suspected leak) now
replaces the data key: the old key opens neither the live database nor the live vault, the
live keyring has no slot for them, backups made afterwards carry only active slots, and what
was readable before (customers, blind-index search, the audit chain, old backups) still is.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import DatabaseInUse, PermissionDenied, StorageError, WrongCredentials
from app.security import crypto
from app.security.keyring import FileKeyringStore, Keyring
from app.security.rekey import opens_with
from app.security.vault import vault_file_key
from app.services import incidents, keys, users
from app.services.audit import verify_audit_chain
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.backup import prepare_restore, run_backup, verify_backup
from app.services.customers import register_customer, reveal_customer, search_customers
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import (
    PASSWORD,
    VALID_ID,
    add_archivist,
    loss_incident,
    person,
    sign_in_as,
    signed_in,
)


def _old_key(keyring_file: Path, username: str, password: str) -> bytes | None:
    return Keyring.load(FileKeyringStore(keyring_file)).unwrap_with_password(username, password)


def _world(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> tuple[int, int, Path]:
    """lisi (to be disabled) and zhao (stays) are archivists; a customer; a backup."""
    lisi = add_archivist(admin, clock, "lisi")
    add_archivist(admin, clock, "zhao")
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    customer = register_customer(session=session, draft=person(), clock=clock).customer_id
    sign_out(session=session, clock=clock)
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "backups").path)
    return lisi, customer, backup


def test_a_disabled_account_with_an_old_backup_keyring_opens_nothing_live(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    lisi, customer, backup = _world(admin, location, clock, tmp_path)
    db = location.sqlite_path
    vault = db.with_name(db.name + ".vault")
    old_ring = backup / "database.db.keyring"
    old_key = _old_key(old_ring, "lisi", PASSWORD)
    assert old_key is not None and opens_with(db, old_key)  # the attack before rotation

    users.disable_user(session=admin, user_id=lisi, clock=clock)  # rotates (admin alone)

    # the old backup's slot + old password still give the old key ...
    assert _old_key(old_ring, "lisi", PASSWORD) == old_key
    # ... which opens neither the live database nor the live vault
    assert not opens_with(db, old_key)
    assert not opens_with(vault, vault_file_key(old_key))
    # the live keyring has no slot for lisi; putting the old keyring back does not help
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    live_ring = location.keyring_path.read_bytes()
    shutil.copyfile(old_ring, location.keyring_path)
    with pytest.raises(StorageError):
        sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    location.keyring_path.write_bytes(live_ring)
    # no copy of the old key's wraps is left in the live files
    ring = Keyring.load(FileKeyringStore(location.keyring_path))
    assert ring.key_version == 2 and "previous" not in ring.body
    assert not ring.has_user("lisi") and ring.has_user("zhao") and ring.has_user("boss")

    # everyone else carries on: values, exact search (blind index), audit chain
    with signed_in(location, "zhao", PASSWORD, clock) as zhao:
        detail = reveal_customer(session=zhao, customer_id=customer, purpose="核对", clock=clock)
        assert detail.id_number == VALID_ID
        assert [r.id for r in search_customers(session=zhao, query=VALID_ID, clock=clock).rows] == [
            customer
        ]
        assert register_customer(
            session=zhao,
            draft=person(name="王五", id_number="110105199003070017", phones=(), bank_accounts=()),
            clock=clock,
        ).customer_id
    assert verify_audit_chain(admin.store).ok
    with admin.store.new_session() as s:
        details = s.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "keys.rotate")
        ).all()
    assert len(details) == 1 and '"reason":"user.disable"' in details[0]


def test_backups_after_rotation_carry_only_active_slots_and_old_backups_still_restore(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    lisi, _customer, old_backup = _world(admin, location, clock, tmp_path)
    users.disable_user(session=admin, user_id=lisi, clock=clock)
    clock.advance(minutes=5)
    new_backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "later").path)
    doc = json.loads((new_backup / "database.db.keyring").read_text())
    ring = Keyring.load(FileKeyringStore(new_backup / "database.db.keyring"))
    assert not ring.has_user("lisi") and ring.has_user("zhao")
    assert doc["attempts"] == {} and doc["events"] == []
    assert ring.unwrap_with_password("lisi", PASSWORD) is None
    # the administrator restores a backup made before the rotation with today's password:
    # the keyring keeps earlier keys sealed under the current one, the copy takes today's key
    assert verify_backup(session=admin, clock=clock, path=old_backup).ok
    summary = prepare_restore(session=admin, clock=clock, backup=old_backup)
    staged = Path(summary.staged_path)
    assert summary.counts["customers"] == 1 and summary.vault_source == "current"
    assert opens_with(staged, admin.store.data_key)


def test_a_suspected_leak_rotates_and_a_busy_database_defers_to_the_next_sign_in(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    archivist = sign_in_as(admin, location, clock, "lisi", [Role.ARCHIVIST])
    first = Keyring.load(FileKeyringStore(location.keyring_path)).key_version
    # the factories' incident, reported as a suspected leak: the kind that makes a rotation due
    draft = replace(loss_incident(clock), kind="leak", title="疑似泄露")
    incidents.record_incident(session=archivist, draft=draft, clock=clock)  # admin signed in
    ring = Keyring.load(FileKeyringStore(location.keyring_path))
    assert ring.key_version == first and ring.body.get("rotation_due") == "incident.leak"
    sign_out(session=archivist, clock=clock)
    sign_out(session=admin, clock=clock)
    # the first sign-in that finds the database free runs it
    with signed_in(location, "lisi", PASSWORD, clock) as again:
        ring = Keyring.load(FileKeyringStore(location.keyring_path))
        assert ring.key_version == first + 1 and "rotation_due" not in ring.body
        incidents.record_incident(session=again, draft=draft, clock=clock)  # alone: at once
        assert Keyring.load(FileKeyringStore(location.keyring_path)).key_version == first + 2
        with pytest.raises(PermissionDenied):  # rotating on demand is the administrator's
            keys.rotate_data_key(session=again, clock=clock)


def test_rotation_refuses_while_another_session_holds_the_database_and_names_it(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    other = sign_in_as(admin, location, clock, "lisi", [Role.ARCHIVIST])
    with pytest.raises(DatabaseInUse) as refused:
        keys.rotate_data_key(session=admin, clock=clock)
    assert "lisi@" in refused.value.params["holders"]
    sign_out(session=other, clock=clock)
    report = keys.rotate_data_key(session=admin, clock=clock)
    assert report.key_version == 2 and report.dropped_accounts == []


def test_a_rotation_interrupted_after_the_keyring_is_finished_at_the_next_sign_in(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock, "lisi")
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    customer = register_customer(session=session, draft=person(), clock=clock).customer_id
    sign_out(session=session, clock=clock)
    old_key = admin.store.data_key
    new_key = crypto.random_key()
    with admin.store.keyring_for_update() as ring:  # step 1 done, then the power goes
        names = {ring.label_for(n) for n in ("boss", "lisi")}
        ring.rotate(old_key, new_key, names)
        ring.save()
    admin.store.close()
    db = location.sqlite_path
    assert opens_with(db, old_key) and not opens_with(db, new_key)
    with signed_in(location, "lisi", PASSWORD, clock) as session:
        assert opens_with(db, new_key) and not opens_with(db, old_key)
        detail = reveal_customer(session=session, customer_id=customer, purpose="核对", clock=clock)
        assert detail.id_number == VALID_ID
    assert "previous" not in Keyring.load(FileKeyringStore(location.keyring_path)).body


def test_old_style_slots_are_dropped_and_a_new_recovery_key_is_issued(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    """Slots made before key pairs cannot be re-sealed without their password."""
    add_archivist(admin, clock, "lisi")
    key = admin.store.data_key
    with admin.store.keyring_for_update() as ring:  # turn both into version-1 slots
        for label, slot in ring.body["slots"].items():
            keep = {ring.label_for(n) for n in ("boss", "baomi", "shenji")}  # the 三员 (issue 23)
            if label not in keep:
                slot.pop("v"), slot.pop("public"), slot.pop("private")
        ring.seal(key)
        ring.save()
    report = keys.rotate_data_key(session=admin, clock=clock)
    assert report.dropped_accounts == ["lisi"] and report.new_recovery_key is not None
    from app.services.auth import recover_access

    sign_out(session=admin, clock=clock)
    recover_access(
        location=location,
        recovery_key=report.new_recovery_key,
        username="lisi",
        new_password="Another-Pass-2026",
        confirm="Another-Pass-2026",
        clock=clock,
    )
    sign_out(
        session=sign_in(
            location=location, username="lisi", password="Another-Pass-2026", clock=clock
        ),
        clock=clock,
    )


def test_an_old_style_slot_is_remade_at_sign_in_and_then_follows_rotations(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    """A keyring from before this release: the slot gets a key pair at its owner's sign-in."""
    import base64
    import os

    add_archivist(admin, clock, "lisi")
    key = admin.store.data_key
    with admin.store.keyring_for_update() as ring:  # the version-1 layout, as written before
        label = ring.label_for("lisi")
        salt = os.urandom(16)
        params = crypto.KdfParams(memory_kib=8192, time_cost=1, parallelism=1)
        kek = crypto.derive_password_key(PASSWORD, salt, params)
        ring.body["slots"][label] = {
            "kind": "user",
            "salt": base64.b64encode(salt).decode(),
            "kdf": {"alg": "argon2id", **params.as_dict()},
            "wrapped": base64.b64encode(crypto.seal(kek, key, ring._aad(label))).decode(),
        }
        ring.seal(key)
        ring.save()
    assert Keyring.load(FileKeyringStore(location.keyring_path)).has_legacy_slot("lisi")
    sign_out(
        session=sign_in(location=location, username="lisi", password=PASSWORD, clock=clock),
        clock=clock,
    )
    ring = Keyring.load(FileKeyringStore(location.keyring_path))
    assert not ring.has_legacy_slot("lisi") and ring.slot_params("lisi") == params
    assert keys.rotate_data_key(session=admin, clock=clock).dropped_accounts == []
    sign_out(
        session=sign_in(location=location, username="lisi", password=PASSWORD, clock=clock),
        clock=clock,
    )
