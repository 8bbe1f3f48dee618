"""Backups of a PostgreSQL database (issue 22 point 6): pg_dump without the vault, restore
into a new database, crypto-erasure across every copy. Runs against the throwaway server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from app.clock import FixedClock
from app.server_errors import RestoreTargetExists
from app.services.auth import SignedIn, sign_out
from app.services.backup import (
    get_backup_status,
    list_backups,
    prepare_restore,
    run_backup,
    stage_pg_restore,
    verify_backup,
)
from app.services.customers import register_customer, reveal_customer
from app.storage import backup as storage
from app.storage.backup import pg as pgb
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry, Customer
from tests.engines import PgServer
from tests.factories import PASSWORD, erase_customer, person, signed_in
from tests.integration.test_backup import OTHER_ID, register_two

pytestmark = pytest.mark.postgresql_only


def _key_id(session: SignedIn, clock: FixedClock, customer_id: int) -> str:
    with session.uow(clock) as uow:
        row = uow.session.get(Customer, customer_id)
        assert row is not None
        return str(row.key_id)


@dataclass
class Restores:
    """The live database of a test and the new databases it restores into beside it."""

    server: PgServer
    live: DatabaseLocation
    names: list[str] = field(default_factory=list)

    @property
    def live_url(self) -> str:
        assert self.live.url is not None
        return self.live.url

    @property
    def live_name(self) -> str:
        return pgb.database_name(self.live_url)

    def new_name(self, suffix: str) -> str:
        """``<live name>_<suffix>``: a database to restore into, dropped after the test."""
        name = f"{self.live_name}_{suffix}"
        self.names.append(name)
        return name

    def location_of(self, name: str) -> DatabaseLocation:
        """Database ``name`` on the live database's server."""
        from sqlalchemy.engine import make_url

        url = make_url(self.live_url).set(database=name).render_as_string(hide_password=False)
        return DatabaseLocation.parse(url)


@pytest.fixture
def restores(pg_server: PgServer, location: DatabaseLocation) -> Iterator[Restores]:
    """The test's live database; what it restores into is dropped afterwards."""
    restores = Restores(pg_server, location)
    yield restores
    for name in restores.names:
        pg_server.drop(name)


def test_pg_backup_is_a_dump_without_the_vault_and_restores_into_a_new_database(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, tmp_path: Path, restores: Restores
) -> None:
    first, _second = register_two(archivist, clock)
    before = reveal_customer(session=archivist, customer_id=first, purpose="备份测试", clock=clock)
    report = run_backup(session=admin, clock=clock, target=tmp_path / "backups")
    backup = Path(report.path)
    manifest = storage.read_manifest(backup)
    assert manifest.body["engine"] == "postgresql"
    assert {f.path: f.kind for f in manifest.files} == {
        "database.dump": "database",
        "database.db.vault": "vault",
        "database.db.keyring": "keyring",
    }
    assert manifest.counts["customers"] == 2 and manifest.body["vault_keys"] >= 2
    assert manifest.body["audit_checkpoints"] >= 0
    with admin.uow(clock) as uow:
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "backup.create"
        assert manifest.audit_head["last_id"] == last.id - 1  # the snapshot came before it
    # the dump is pg_dump's custom format, with every table's rows except the vault's
    # sealed under the data key: nothing of the clear dump (names included) is on the medium
    raw = (backup / "database.dump").read_bytes()
    assert raw.startswith(b"ARCHIVE-ROOM-SEALED-DUMP/1\n") and b"PGDMP" not in raw
    assert b"11010519491231002X" not in raw and OTHER_ID.encode() not in raw
    assert "李四光".encode() not in raw and b"customer" not in raw
    entries = pgb.dump_contents(backup / "database.dump", admin.store.data_key)
    data = [e for e in entries if "TABLE DATA" in e]
    assert any(" customer " in e for e in data) and any(" audit_checkpoint " in e for e in data)
    assert not any(" vault_key " in e for e in data)
    assert any("TABLE public vault_key" in e for e in entries)  # the empty table is defined
    # the vault copy beside it holds the keys (wrapped), under the same file key as on SQLite
    vault_ids = {
        k for k, _w, _c in pgb.read_vault_file(backup / "database.db.vault", admin.store.data_key)
    }
    assert _key_id(admin, clock, first) in vault_ids
    assert verify_backup(session=admin, clock=clock, path=backup).ok
    status = get_backup_status(session=admin, clock=clock)
    assert status.supported and status.last_verified_at is not None and not status.overdue
    # a changed byte is refused
    damaged = tmp_path / "damaged"
    import shutil

    shutil.copytree(backup, damaged)
    with (damaged / "database.dump").open("r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 1]))
    assert not verify_backup(session=admin, clock=clock, path=damaged).ok
    shutil.rmtree(damaged)
    # later work, then restore into a NEW database: the live one is left as it is
    clock.advance(hours=2)
    register_customer(
        session=archivist,
        draft=person(name="王五", id_number="110105199003070017", phones=(), bank_accounts=()),
        clock=clock,
    )
    with pytest.raises(RestoreTargetExists):
        prepare_restore(session=admin, clock=clock, backup=backup, into=restores.live_name)
    into = restores.new_name("restored")
    summary = prepare_restore(session=admin, clock=clock, backup=backup, into=into)
    assert summary.counts["customers"] == 2 and summary.vault_source == "current"
    assert summary.erased_customers == 0 and summary.audit_head == manifest.audit_head
    with pytest.raises(RestoreTargetExists):  # never over an existing database either
        prepare_restore(session=admin, clock=clock, backup=backup, into=into)
    with archivist.uow(clock) as uow:  # the live database still has its three
        assert uow.session.scalar(select(func.count()).select_from(Customer)) == 3
    with signed_in(restores.location_of(into), "lisi", PASSWORD, clock) as restored:
        after = reveal_customer(
            session=restored, customer_id=first, purpose="恢复核对", clock=clock
        )
        assert (after.id_number, after.phones, after.bank_accounts) == (
            before.id_number,
            before.phones,
            before.bank_accounts,
        )
        with restored.uow(clock) as uow:
            actions = [e.action for e in uow.session.scalars(select(AuditEntry)).all()]
            assert "backup.restore" in actions
            assert uow.session.scalar(select(func.count()).select_from(Customer)) == 2
        from app.services.audit import verify_audit_chain

        assert verify_audit_chain(restored.store).ok


def test_an_older_dump_restored_after_a_deletion_gives_none_of_the_customer_s_values(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, tmp_path: Path, restores: Restores
) -> None:
    first, second = register_two(archivist, clock)
    gone_key = _key_id(archivist, clock, second)
    folder = tmp_path / "backups"
    old = Path(run_backup(session=admin, clock=clock, target=folder).path)
    clock.advance(days=1)
    erase_customer(archivist, second, clock)  # R8: requested, approved, carried out
    # 1. restored through the app: the live vault lacks the key, the customer is purged
    into = restores.new_name("r1")
    summary = prepare_restore(session=admin, clock=clock, backup=old, into=into)
    assert summary.erased_customers == 1
    with signed_in(restores.location_of(into), "lisi", PASSWORD, clock) as restored:
        with restored.uow(clock) as uow:
            assert uow.session.get(Customer, second) is None
        assert reveal_customer(session=restored, customer_id=first, purpose="核对", clock=clock)
    # 2. the dump alone, opened with the data key and restored without the app's vault
    #    handling (an insider with the key): the vault table is empty
    raw_name = restores.new_name("raw")
    pgb.restore_dump(restores.live_url, raw_name, old / "database.dump", admin.store.data_key)
    with psycopg.connect(restores.server.url_for(raw_name, driver="postgresql")) as conn:
        assert conn.execute("SELECT count(*) FROM vault_key").fetchone()[0] == 0
        row = conn.execute("SELECT key_id, id_number_enc FROM customer WHERE id = %s", (second,))
        key_id, sealed = row.fetchone()
        assert key_id == gone_key and sealed is not None  # ciphertext only, its key elsewhere
    # 3. the vault copy of the old backup still has the key inside its window; after the window
    #    rotation destroys it, and no copy anywhere holds the key any more
    data_key = admin.store.data_key
    assert gone_key in {k for k, _w, _c in pgb.read_vault_file(old / "database.db.vault", data_key)}
    clock.advance(days=31)
    run_backup(session=admin, clock=clock, target=folder)
    assert not (old / "database.db.vault").exists()
    rows = {r.name: r for r in list_backups(session=admin, clock=clock, target=folder)}
    assert rows[old.name].vault_state == "expired"
    assert verify_backup(session=admin, clock=clock, path=old).ok  # expiry is by design
    for vault in folder.glob("*/database.db.vault"):
        assert gone_key not in {k for k, _w, _c in pgb.read_vault_file(vault, data_key)}
    # 4. the old dump restored without the live database (a new server): the newest vault
    #    copy is used, the customer's values are not readable, the row is purged
    into2 = restores.new_name("r2")
    summary = stage_pg_restore(
        url=restores.live_url,
        into=into2,
        data_key=data_key,
        ring=admin.store.keyring(),
        backup=old,
        now=clock.now(),
        actor_name="boss",
        live=False,
    )
    assert summary.vault_source == "backup" and summary.erased_customers == 1
    with psycopg.connect(restores.server.url_for(into2, driver="postgresql")) as conn:
        assert (
            conn.execute("SELECT count(*) FROM customer WHERE id = %s", (second,)).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM vault_key WHERE key_id = %s", (gone_key,)
            ).fetchone()[0]
            == 0
        )


def test_backup_verify_restore_of_a_server_database_on_the_command_line(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, restores: Restores
) -> None:
    import os

    from tests.conftest import ADMIN_PASSWORD
    from tests.integration.test_demo_and_cli import cli

    register_two(archivist, clock)
    url = restores.live_url
    secret = tmp_path / "backup.pw"
    secret.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    target = tmp_path / "备份"
    done = cli(
        "backup", "--db", url, "--to", str(target), "--user", "boss",
        "--password-file", str(secret),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "备份完成并已校验" in done.stdout and "客户 2 位" in done.stdout
    (folder,) = storage.list_folder(target)
    ok = cli(
        "verify", str(folder.path), "--db", url, "--user", "boss",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert ok.returncode == 0 and "认证标记正确" in ok.stdout, ok.stderr
    into = restores.new_name("cli")
    restore = ("restore", str(folder.path), "--db", url, "--user", "boss")
    no_name = cli(*restore, stdin=ADMIN_PASSWORD + "\n")
    assert no_name.returncode != 0 and "--into" in no_name.stderr
    made = cli(*restore, "--into", into, stdin=ADMIN_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert "已恢复到新数据库并校验通过" in made.stdout and "当前数据库未改变" in made.stdout
    again = cli(*restore, "--into", into, stdin=ADMIN_PASSWORD + "\n")
    assert again.returncode != 0 and "恢复只能写入新的数据库" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_dump_made_before_a_key_rotation_restores_under_today_s_key(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, tmp_path: Path, restores: Restores
) -> None:
    from app.services.keys import rotate_data_key

    first, _second = register_two(archivist, clock)
    before = reveal_customer(session=archivist, customer_id=first, purpose="核对", clock=clock)
    old = Path(run_backup(session=admin, clock=clock, target=tmp_path / "backups").path)
    sign_out(session=archivist, clock=clock)
    rotate_data_key(session=admin, clock=clock)
    assert verify_backup(session=admin, clock=clock, path=old).ok  # under its earlier key
    into = restores.new_name("rotated")
    summary = prepare_restore(session=admin, clock=clock, backup=old, into=into)
    assert summary.erased_customers == 0
    with signed_in(restores.location_of(into), "lisi", PASSWORD, clock) as restored:
        after = reveal_customer(session=restored, customer_id=first, purpose="核对", clock=clock)
        assert after.id_number == before.id_number
