"""Backup, verification and restore on real encrypted databases (R43, R8): no mocks."""

from __future__ import annotations

import io
import json
import random
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from app.clock import FixedClock
from app.errors import (
    BackupDamaged,
    BackupTargetFailed,
    PermissionDenied,
)
from app.messages import describe
from app.services import catalogue as item_files
from app.services.auth import SignedIn, sign_out
from app.services.backup import (
    get_backup_status,
    list_backups,
    prepare_restore,
    run_backup,
    switch_to_restored,
    update_backup_settings,
    verify_backup,
)
from app.services.customers import register_customer, reveal_customer
from app.storage import backup as storage
from app.storage.backup import manifest as backup_manifest
from app.storage.location import DatabaseLocation
from app.storage.models import ArchiveItem, AuditEntry, Customer, ItemFile, Volume
from tests.factories import PASSWORD, add_item, erase_customer, person, signed_in
from tests.integration.test_item_files import make_pdf

OTHER_ID = "110105194912310038"


def _head(session: SignedIn, clock: FixedClock) -> tuple[int, str]:
    with session.uow(clock) as uow:
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None
        return last.id, last.action


def _counts(session: SignedIn, clock: FixedClock) -> dict[str, int]:
    with session.uow(clock) as uow:
        return {
            "customers": uow.session.scalar(select(func.count()).select_from(Customer)) or 0,
            "volumes": uow.session.scalar(select(func.count()).select_from(Volume)) or 0,
            "files": uow.session.scalar(select(func.count()).select_from(ItemFile)) or 0,
        }


def register_two(session: SignedIn, clock: FixedClock) -> tuple[int, int]:
    """Two customers: ``person()`` (张三丰) and 李四光 (ID ``OTHER_ID``, no phones or accounts)."""
    first = register_customer(session=session, draft=person(), clock=clock).customer_id
    second = register_customer(
        session=session,
        draft=person(name="李四光", id_number=OTHER_ID, phones=(), bank_accounts=()),
        clock=clock,
    ).customer_id
    return first, second


@pytest.fixture
def populated(archivist: SignedIn, clock: FixedClock) -> dict[str, int]:
    """Two customers, one with a volume, an item and an attached PDF."""
    first, second = register_two(archivist, clock)
    item = add_item(archivist, clock, first)
    file_id = item_files.attach_file(
        session=archivist,
        item_id=item,
        source=io.BytesIO(make_pdf(2)),
        file_name="合同.pdf",
        clock=clock,
    )
    return {"first": first, "second": second, "item": item, "file": file_id}


def _backup(admin: SignedIn, clock: FixedClock, folder: Path) -> Path:
    return Path(run_backup(session=admin, clock=clock, target=folder).path)


def test_backup_verify_restore_round_trip_equals_the_original(
    admin: SignedIn,
    archivist: SignedIn,
    populated: dict[str, int],
    location: DatabaseLocation,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    before = reveal_customer(
        session=archivist, customer_id=populated["first"], purpose="备份测试", clock=clock
    )
    pdf = item_files.open_file(
        session=archivist, file_id=populated["file"], purpose="核对", clock=clock
    )
    counts_before = _counts(archivist, clock)
    head_before = _head(archivist, clock)
    backup = _backup(admin, clock, tmp_path / "backups")
    manifest = storage.read_manifest(backup)
    assert manifest.audit_head["last_id"] == head_before[0]
    assert manifest.audit_head["last_action"] == head_before[1]
    # the sidecar is the audit chain's checkpoint file (issue 9): truncation stays detectable
    assert {f.kind for f in manifest.files} == {"database", "keyring", "vault", "blob", "sidecar"}
    assert any(f.path.endswith(".audit-checkpoints") for f in manifest.files)
    assert verify_backup(session=admin, clock=clock, path=backup).ok
    # the copy is encrypted: no plain SQLite header, no personal value anywhere in the folder
    for path in backup.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert not raw.startswith(b"SQLite format 3")
            assert "张三丰".encode() not in raw and b"11010519491231002X" not in raw
    # later work, then restore: a new database beside the current one, verified, summarised
    clock.advance(hours=2)
    register_customer(
        session=archivist,
        draft=person(name="王五", id_number="110105199003070017", phones=(), bank_accounts=()),
        clock=clock,
    )
    sign_out(session=archivist, clock=clock)  # a restore waits for the others to sign out
    summary = prepare_restore(session=admin, clock=clock, backup=backup)
    staged = Path(summary.staged_path)
    assert staged.exists() and staged != location.sqlite_path
    assert summary.counts["customers"] == counts_before["customers"]
    assert summary.counts["volumes"] == counts_before["volumes"]
    assert summary.counts["files"] == counts_before["files"]
    assert summary.audit_head == manifest.audit_head
    assert summary.erased_customers == 0 and summary.vault_source == "current"
    sign_out(session=archivist, clock=clock)
    sign_out(session=admin, clock=clock)
    kept = switch_to_restored(db=location.sqlite_path, staged=staged, now=clock.now())
    assert kept is not None and kept.exists()  # the database replaced is kept
    with signed_in(location, "lisi", PASSWORD, clock) as restored:
        assert _counts(restored, clock) == counts_before
        after = reveal_customer(
            session=restored, customer_id=populated["first"], purpose="恢复核对", clock=clock
        )
        assert (after.id_number, after.phones, after.bank_accounts, after.birth_date) == (
            before.id_number,
            before.phones,
            before.bank_accounts,
            before.birth_date,
        )
        assert (
            item_files.open_file(
                session=restored, file_id=populated["file"], purpose="恢复核对", clock=clock
            )
            == pdf
        )
        with restored.uow(clock) as uow:
            actions = [e.action for e in uow.session.scalars(select(AuditEntry)).all()]
            assert "backup.restore" in actions
            problems = uow.session.execute(text("PRAGMA integrity_check")).scalar()
            assert problems == "ok"


def test_one_changed_byte_anywhere_in_a_backup_is_refused(
    admin: SignedIn,
    archivist: SignedIn,
    populated: dict[str, int],
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    sign_out(session=archivist, clock=clock)  # a restore waits for the others to sign out
    backup = _backup(admin, clock, tmp_path / "backups")
    files = [p for p in sorted(backup.rglob("*")) if p.is_file()]
    assert len(files) >= 5  # database, keyring, vault, a blob, manifest
    rng = random.Random(20261201)
    positions = [(f, rng.randrange(f.stat().st_size)) for f in files for _ in range(6)]
    positions += [(f, 0) for f in files] + [(f, f.stat().st_size - 1) for f in files]
    for path, offset in positions:
        original = path.read_bytes()
        damaged = bytearray(original)
        damaged[offset] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(damaged))
        try:
            report = verify_backup(session=admin, clock=clock, path=backup)
            assert not report.ok, (path.name, offset)
            with pytest.raises(BackupDamaged) as refused:
                prepare_restore(session=admin, clock=clock, backup=backup)
            assert "已拒绝使用" in describe(refused.value)
        finally:
            path.write_bytes(original)
    assert verify_backup(session=admin, clock=clock, path=backup).ok
    assert not list(admin.store.location.sqlite_path.parent.glob("*.restored-*"))


def test_a_missing_or_extra_file_in_a_backup_is_refused(
    admin: SignedIn, populated: dict[str, int], clock: FixedClock, tmp_path: Path
) -> None:
    backup = _backup(admin, clock, tmp_path / "backups")
    (backup / "extra.txt").write_text("x")
    assert not verify_backup(session=admin, clock=clock, path=backup).ok
    (backup / "extra.txt").unlink()
    blob = next((backup / "database.db.files").iterdir())
    moved = tmp_path / "blob"
    shutil.move(blob, moved)
    report = verify_backup(session=admin, clock=clock, path=backup)
    assert not report.ok and any("缺少文件" in p for p in report.problems)


def test_a_customer_deleted_after_the_backup_stays_deleted_after_restoring_it(
    admin: SignedIn,
    archivist: SignedIn,
    populated: dict[str, int],
    location: DatabaseLocation,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    backup = _backup(admin, clock, tmp_path / "backups")
    clock.advance(days=1)
    # the first customer's archive is destroyed (R44, stand-in: rows removed), then both go (R8)
    with archivist.uow(clock) as uow:
        blob = uow.session.get(ItemFile, populated["file"]).blob_name  # type: ignore[union-attr]
        uow.session.execute(delete(ItemFile))
        uow.session.execute(delete(ArchiveItem))
        uow.session.execute(delete(Volume))
        uow.commit()
    item_files.remove_blobs_after_commit(archivist.store, [blob])
    for cid in (populated["first"], populated["second"]):
        erase_customer(archivist, cid, clock)
    sign_out(session=archivist, clock=clock)  # a restore waits for the others to sign out
    summary = prepare_restore(session=admin, clock=clock, backup=backup)
    assert summary.erased_customers == 2 and summary.skipped_files == 1
    staged = Path(summary.staged_path)
    assert not (staged.with_name(staged.name + ".files") / str(blob)).exists()
    sign_out(session=archivist, clock=clock)
    sign_out(session=admin, clock=clock)
    switch_to_restored(db=location.sqlite_path, staged=staged, now=clock.now())
    with signed_in(location, "lisi", PASSWORD, clock) as restored:
        # the first still has volumes in the backup (archives leave only by destruction, R44):
        # kept and anonymised as the live erasure does (issue 18: its name a pseudonym, its
        # protected values gone); the second is purged at restore, row and all
        from app.errors import PurposeRefused

        with pytest.raises(PurposeRefused):
            reveal_customer(
                session=restored, customer_id=populated["first"], purpose="试图恢复", clock=clock
            )
        from app.services.customers import search_customers
        from app.storage.models import Customer

        with restored.uow(clock) as uow:
            assert uow.session.get(Customer, populated["second"]) is None
            first = uow.session.get(Customer, populated["first"])
            assert first is not None and first.name.startswith("匿名客户")
            assert first.id_number_enc is None and first.anonymised_at is not None
        found = search_customers(session=restored, query="李四光", clock=clock)
        assert populated["second"] not in {r.id for r in found.rows}  # nor in the index
        assert found.total == 0
        with pytest.raises(Exception) as no_file:
            item_files.open_file(
                session=restored, file_id=populated["file"], purpose="试图恢复", clock=clock
            )
        assert type(no_file.value).__name__ in {"CustomerUnreadable", "FileMissing"}
    # and the backup's own vault copy is destroyed once the window has passed
    clock.advance(days=31)
    with signed_in(location, "boss", "Correct-Horse-42", clock) as admin2:
        run_backup(session=admin2, clock=clock, target=tmp_path / "backups")
        assert not (backup / "database.db.vault").exists()
        rows = {
            r.name: r
            for r in list_backups(session=admin2, clock=clock, target=tmp_path / "backups")
        }
        assert rows[backup.name].vault_state == "expired"
        assert verify_backup(session=admin2, clock=clock, path=backup).ok  # expiry is by design


def test_backup_while_another_connection_writes_is_consistent(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    """Writes during the copy: the backup holds some prefix of them, whole transactions only."""
    with admin.uow(clock) as uow:
        uow.session.execute(text("CREATE TABLE pair_a (n INTEGER PRIMARY KEY)"))
        uow.session.execute(text("CREATE TABLE pair_b (n INTEGER PRIMARY KEY)"))
        uow.commit()
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with archivist.uow(clock) as uow:
                uow.session.execute(text("INSERT INTO pair_a VALUES (:n)"), {"n": n})
                uow.session.execute(text("INSERT INTO pair_b VALUES (:n)"), {"n": n})
                uow.commit()

    key = admin.store.data_key
    seen: list[int] = []
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(4):
            backup = _backup(admin, clock, tmp_path / "b")  # rotation keeps only the newest
            conn = storage._connect(backup / "database.db", key)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                a = conn.execute("SELECT count(*), coalesce(max(n), 0) FROM pair_a").fetchone()
                b = conn.execute("SELECT count(*), coalesce(max(n), 0) FROM pair_b").fetchone()
                assert a == b and a[0] == a[1]
                seen.append(a[0])
            finally:
                conn.close()
    finally:
        stop.set()
        thread.join()
    assert seen == sorted(seen) and seen[-1] > 0


def test_a_target_removed_mid_backup_gives_a_clear_message_and_the_database_stays_usable(
    admin: SignedIn,
    archivist: SignedIn,
    populated: dict[str, int],
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    target = tmp_path / "usb"

    class PullTheStick:
        def report(self, done: int, total: int) -> None:
            if done > 0 and target.exists():
                shutil.rmtree(target)

        def is_cancelled(self) -> bool:
            return False

    with pytest.raises(BackupTargetFailed) as failed:
        run_backup(session=admin, clock=clock, target=target, sink=PullTheStick())
    message = describe(failed.value)
    assert "数据库没有受到影响" in message
    register_customer(
        session=archivist,
        draft=person(name="赵六", id_number="110105199003070017", phones=(), bank_accounts=()),
        clock=clock,
    )
    with admin.uow(clock) as uow:
        assert uow.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        failures = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "backup.failed")
        ).all()
        assert len(failures) == 1
    assert not get_backup_status(session=admin, clock=clock).last_at


def test_cancel_leaves_no_partial_backup(
    admin: SignedIn, populated: dict[str, int], clock: FixedClock, tmp_path: Path
) -> None:
    from app.errors import BackupCancelled

    class CancelAtOnce:
        def report(self, done: int, total: int) -> None:
            pass

        def is_cancelled(self) -> bool:
            return True

    with pytest.raises(BackupCancelled):
        run_backup(session=admin, clock=clock, target=tmp_path / "b", sink=CancelAtOnce())
    assert list((tmp_path / "b").iterdir()) == []


def test_rotation_keeps_the_configured_daily_weekly_monthly_backups(
    admin: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    update_backup_settings(
        session=admin,
        changes={"backup_keep_daily": 3, "backup_keep_weekly": 2, "backup_keep_monthly": 0},
        clock=clock,
    )
    target = tmp_path / "b"
    for _ in range(20):
        run_backup(session=admin, clock=clock, target=target)
        clock.advance(days=1)
    rows = list_backups(session=admin, clock=clock, target=target)
    # 3 newest days plus the newest of two ISO weeks (one of them already among the days)
    assert 3 <= len(rows) <= 5
    assert all(r.same_database for r in rows)


def test_only_the_administrator_backs_up_and_the_status_warns_when_overdue(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied):
        run_backup(session=archivist, clock=clock, target=tmp_path / "b")
    assert get_backup_status(session=archivist, clock=clock).overdue
    run_backup(session=admin, clock=clock, target=tmp_path / "b")
    status = get_backup_status(session=archivist, clock=clock)
    assert not status.overdue and status.last_verified_at == clock.now()
    clock.advance(hours=25)
    assert get_backup_status(session=archivist, clock=clock).overdue


def test_the_manifest_is_readable_json_without_personal_values(
    admin: SignedIn, populated: dict[str, int], clock: FixedClock, tmp_path: Path
) -> None:
    backup = _backup(admin, clock, tmp_path / "b")
    doc = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert set(doc) == {"body", "tag"} and len(doc["tag"]) == 64
    assert doc["body"]["counts"]["customers"] == 2


def test_large_files_are_checked_segment_by_segment_and_a_change_in_any_segment_is_refused(
    admin: SignedIn,
    populated: dict[str, int],
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backup_manifest, "SEGMENT", 64 * 1024)  # so this small database has many
    backup = _backup(admin, clock, tmp_path / "b")
    entry = next(f for f in storage.read_manifest(backup).files if f.kind == "database")
    assert len(entry.segments) == -(-entry.size // (64 * 1024)) > 3
    db = backup / "database.db"
    original = db.read_bytes()
    for offset in (0, 64 * 1024 + 7, len(original) - 1):
        damaged = bytearray(original)
        damaged[offset] ^= 0x40
        db.write_bytes(bytes(damaged))
        report = verify_backup(session=admin, clock=clock, path=backup)
        assert not report.ok and "SHA-256" in report.problems[0]
    db.write_bytes(original)
    assert verify_backup(session=admin, clock=clock, path=backup).ok
