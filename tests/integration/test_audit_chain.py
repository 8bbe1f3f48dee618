"""The audit trail's hash chain: every tampering directly in the database is reported (issue 9)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection

from app.check import CheckReport, check_audit_chain
from app.clock import FixedClock
from app.security.audit_chain import CHECKPOINT_SUFFIX, ChainReport
from app.services.audit import verify_audit_chain
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.engine import KeyHolder, engine_for
from app.storage.location import DatabaseLocation
from app.storage.models import UserAccount
from tests.conftest import ADMIN_PASSWORD
from tests.factories import add_user, as_audit_table_owner, refused_audit, signed_in

COLUMNS = [
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "details",
    "workstation",
    "prev_hash",
    "entry_hash",
]


def write_entries(session: SignedIn, clock: FixedClock, count: int) -> None:
    """``count`` entries of varied content, some several to a transaction."""
    done = 0
    while done < count:
        with session.uow(clock) as uow:
            for _ in range(min(3, count - done)):
                clock.advance(seconds=7)
                uow.audit.record(
                    "customer.reveal",
                    object_type="customer",
                    object_id=done,
                    purpose=f"核对第{done}号",
                    details={"fields": ["phones"], "n": done},
                )
                done += 1
            uow.commit()


@pytest.fixture
def trail(location: DatabaseLocation, admin: SignedIn, clock: FixedClock) -> SignedIn:
    """About 250 entries, the last checkpoint at the head (a sign-out, then a sign-in)."""
    write_entries(admin, clock, 240)
    sign_out(session=admin, clock=clock)
    session = sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    sign_out(session=session, clock=clock)
    return sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)


def verify_inside(session: SignedIn, tamper: Callable[[Connection], object]) -> ChainReport:
    """Apply ``tamper`` in a transaction, verify through the same connection, roll back.

    The tampering is an insider's with the table owner's rights (on PostgreSQL the append-only
    trigger is switched off for it: ``as_audit_table_owner``).
    """
    with session.store.engine.connect() as conn:
        trans = conn.begin()
        try:
            with as_audit_table_owner(conn):
                tamper(conn)
            return verify_audit_chain(session.store, connection=conn)
        finally:
            trans.rollback()


def random_hash(conn: Connection) -> str:
    """SQL for 32 random bytes on the connection's engine."""
    if conn.dialect.name == "postgresql":
        return "sha256(random()::text::bytea)"
    return "randomblob(32)"


def db_argument(location: DatabaseLocation) -> str:
    """What ``--db`` takes for ``location``: the file, or the server's URL."""
    return str(location.sqlite_path) if location.is_sqlite else str(location.url)


def head(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT max(seq) FROM audit_entry").scalar_one())


def test_an_untouched_trail_verifies_with_its_checkpoints(trail: SignedIn) -> None:
    report = verify_audit_chain(trail.store)
    assert report.ok, [b.describe() for b in report.breaks]
    assert report.first_seq == 1
    assert report.checked == report.head_seq > 240
    assert report.checkpoints >= 4


def test_modifying_one_column_of_an_entry_is_reported_at_that_entry(trail: SignedIn) -> None:
    report = verify_inside(
        trail, lambda c: c.exec_driver_sql("UPDATE audit_entry SET purpose = '无' WHERE seq = 57")
    )
    assert not report.ok
    assert report.first_break is not None
    assert (report.first_break.seq, report.first_break.reason) == (57, "modified")
    assert "第 57 条" in report.first_break.describe()


def test_deleting_an_entry_is_reported_where_the_chain_breaks(trail: SignedIn) -> None:
    report = verify_inside(
        trail, lambda c: c.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 99")
    )
    assert report.first_break is not None
    assert (report.first_break.seq, report.first_break.reason) == (100, "missing")


def test_deleting_the_first_entry_is_reported(trail: SignedIn) -> None:
    report = verify_inside(
        trail, lambda c: c.exec_driver_sql("DELETE FROM audit_entry WHERE seq = 1")
    )
    assert report.first_break is not None
    assert report.first_break.reason == "start_unanchored"


def test_reordering_two_entries_is_reported(trail: SignedIn) -> None:
    def swap(conn: Connection) -> None:
        conn.exec_driver_sql("UPDATE audit_entry SET seq = -1 WHERE seq = 20")
        conn.exec_driver_sql("UPDATE audit_entry SET seq = 20 WHERE seq = 21")
        conn.exec_driver_sql("UPDATE audit_entry SET seq = 21 WHERE seq = -1")

    report = verify_inside(trail, swap)
    assert report.first_break is not None
    assert (report.first_break.seq, report.first_break.reason) == (20, "modified")


def test_inserting_an_entry_is_reported(trail: SignedIn) -> None:
    def insert(conn: Connection) -> None:
        conn.exec_driver_sql("UPDATE audit_entry SET seq = seq + 1000000 WHERE seq >= 30")
        conn.exec_driver_sql("UPDATE audit_entry SET seq = seq - 1000000 + 1 WHERE seq >= 1000000")
        conn.exec_driver_sql(
            "INSERT INTO audit_entry (seq, occurred_at, actor_name, action, details, prev_hash,"
            " entry_hash) SELECT 30, occurred_at, actor_name, action, details, entry_hash,"
            f" {random_hash(conn)} FROM audit_entry WHERE seq = 29"
        )

    report = verify_inside(trail, insert)
    assert report.first_break is not None
    assert (report.first_break.seq, report.first_break.reason) == (30, "modified")


def test_a_row_inserted_without_a_sequence_number_is_reported(trail: SignedIn) -> None:
    report = verify_inside(
        trail,
        lambda c: c.exec_driver_sql(
            "INSERT INTO audit_entry (occurred_at, actor_name, action, details)"
            " VALUES ('2026-01-05 09:00:00.000000', 'x', 'auth.sign_in', '{}')"
        ),
    )
    assert [b.reason for b in report.breaks] == ["unsealed"]


def test_truncating_the_tail_is_caught_by_the_checkpoints(trail: SignedIn) -> None:
    def truncate(conn: Connection) -> None:
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq > {head(conn) - 5}")

    report = verify_inside(trail, truncate)
    assert [b.reason for b in report.breaks] == ["truncated"]
    assert "截断" in report.breaks[0].describe()


@pytest.mark.sqlite_only(reason="the checkpoint file beside an embedded database")
def test_an_edited_checkpoint_file_is_reported(trail: SignedIn, location: DatabaseLocation) -> None:
    path = Path(str(location.sqlite_path) + CHECKPOINT_SUFFIX)
    assert path.exists()
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["seq"] += 1
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    report = verify_audit_chain(trail.store)
    assert "checkpoint_forged" in [b.reason for b in report.breaks]


@pytest.mark.sqlite_only(reason="the checkpoint file beside an embedded database")
def test_a_missing_checkpoint_file_is_reported(trail: SignedIn, location: DatabaseLocation) -> None:
    Path(str(location.sqlite_path) + CHECKPOINT_SUFFIX).unlink()
    report = verify_audit_chain(trail.store)
    assert [b.reason for b in report.breaks] == ["checkpoint_missing"]


def _random_tamper(rng: random.Random, top: int) -> Callable[[Connection], None]:
    """One random tampering of the kinds the issue names."""
    kind = rng.choice(["modify", "delete", "reorder", "insert", "truncate"])
    seq = rng.randint(1, top)
    other = rng.choice(
        [s for s in (seq - 1, seq + 1, rng.randint(1, top)) if 1 <= s <= top and s != seq]
    )

    def apply(conn: Connection) -> None:
        if kind == "modify":
            column = rng.choice(COLUMNS)
            if column in ("prev_hash", "entry_hash"):
                value = random_hash(conn)
            elif column in ("seq", "actor_id"):
                value = f"coalesce({column}, 0) + {rng.randint(1, 5) * top}"
            elif column == "occurred_at":
                value = "'2025-01-01 00:00:00.000000'"
            else:
                value = f"coalesce({column}, '') || '{rng.choice(['x', ' ', '0'])}'"
            conn.exec_driver_sql(f"UPDATE audit_entry SET {column} = {value} WHERE seq = {seq}")
        elif kind == "delete":
            conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq = {seq}")
        elif kind == "reorder":
            conn.exec_driver_sql(f"UPDATE audit_entry SET seq = -1 WHERE seq = {seq}")
            conn.exec_driver_sql(f"UPDATE audit_entry SET seq = {seq} WHERE seq = {other}")
            conn.exec_driver_sql(f"UPDATE audit_entry SET seq = {other} WHERE seq = -1")
        elif kind == "insert":
            conn.exec_driver_sql(f"UPDATE audit_entry SET seq = seq + 1000000 WHERE seq >= {seq}")
            conn.exec_driver_sql(
                "UPDATE audit_entry SET seq = seq - 1000000 + 1 WHERE seq >= 1000000"
            )
            conn.exec_driver_sql(
                "INSERT INTO audit_entry (seq, occurred_at, actor_name, action, details,"
                f" workstation, prev_hash, entry_hash) SELECT {seq}, occurred_at, actor_name,"
                f" action, details, workstation, prev_hash, {random_hash(conn)} FROM audit_entry"
                f" WHERE seq = {other if other < seq else seq + 1}"
            )
        else:
            conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq >= {max(2, seq)}")

    return apply


def test_a_thousand_random_tamperings_are_all_detected(trail: SignedIn) -> None:
    rng = random.Random(20261201)
    with trail.store.engine.connect() as conn:
        top = head(conn)
    missed = []
    for n in range(1000):
        report = verify_inside(trail, _random_tamper(rng, top))
        if report.ok:
            missed.append(n)
    assert missed == []


def test_check_names_the_first_broken_entry(trail: SignedIn) -> None:
    with trail.store.engine.begin() as conn, as_audit_table_owner(conn):
        conn.exec_driver_sql("UPDATE audit_entry SET actor_name = 'nobody' WHERE seq = 12")
    report = CheckReport()
    check_audit_chain(trail.store, report)
    assert len(report.problems) == 1
    assert "第 12 条" in report.problems[0]


def test_sign_in_warns_the_administrator_and_records_the_failure(
    trail: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_user(trail, clock, "lisi")
    with trail.store.engine.begin() as conn, as_audit_table_owner(conn):
        conn.exec_driver_sql(
            f"UPDATE audit_entry SET purpose = '改过' WHERE seq = {head(conn) - 3}"
        )
    sign_out(session=trail, clock=clock)
    admin = sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    archivist = sign_in(
        location=location, username="lisi", password="Harbor-Own-Pass-1", clock=clock
    )
    try:
        assert admin.audit_warning is not None and "审计记录" in admin.audit_warning
        assert archivist.audit_warning is None
        with admin.store.engine.connect() as conn:
            failures = conn.exec_driver_sql(
                "SELECT count(*) FROM audit_entry WHERE action = 'audit.verify_failed'"
            ).scalar_one()
        assert failures == 2
    finally:
        sign_out(session=archivist, clock=clock)
        sign_out(session=admin, clock=clock)


def test_a_change_whose_audit_write_fails_is_rolled_back_and_the_chain_still_holds(
    admin: SignedIn, clock: FixedClock
) -> None:
    with refused_audit(admin, "user.create"), pytest.raises(Exception, match="audit refused"):
        add_user(admin, clock, "lisi", password=None)
    with admin.store.new_session() as s:
        assert s.query(UserAccount).filter_by(username="lisi").count() == 0
    add_user(admin, clock, "lisi", password=None)
    assert verify_audit_chain(admin.store).ok


@pytest.mark.sqlite_only(reason="drops the checkpoint file beside an embedded database")
def test_entries_of_a_database_from_before_the_chain_are_sealed_once_at_upgrade(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    key = bytes(admin.store.data_key)
    sign_out(session=admin, clock=clock)
    engine = engine_for(location, KeyHolder(key))
    with engine.begin() as conn:  # as an older version left them
        conn.exec_driver_sql(
            "UPDATE audit_entry SET seq = NULL, prev_hash = NULL, entry_hash = NULL"
        )
    engine.dispose()
    Path(str(location.sqlite_path) + CHECKPOINT_SUFFIX).unlink()
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as session:
        assert session.audit_warning is None
        report = verify_audit_chain(session.store)
        assert report.ok, [b.describe() for b in report.breaks]
        with session.store.engine.connect() as conn:
            sealed = conn.exec_driver_sql(
                "SELECT details FROM audit_entry WHERE action = 'audit.chain_sealed'"
            ).scalar_one()
        assert '"entries":' in sealed


def test_failures_queued_in_the_keyring_join_the_chain_later_without_an_actor(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    from app.errors import WrongCredentials

    sign_out(session=admin, clock=clock)
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="boss", password="wrong-password", clock=clock)
    clock.advance(minutes=5)
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as session:
        with session.store.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT actor_id, details FROM audit_entry WHERE action = 'auth.sign_in_failed'"
            ).one()
        assert row[0] is None and '"source":"keyring"' in row[1]
        assert verify_audit_chain(session.store).ok


def test_archive_room_check_fails_naming_the_edited_entry(demo_copy: DatabaseLocation) -> None:
    from app.demo import DEMO_PASSWORD
    from tests.integration.test_demo_and_cli import cli

    session = sign_in(
        location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=FixedClock()
    )
    with session.store.engine.begin() as conn, as_audit_table_owner(conn):
        conn.exec_driver_sql("UPDATE audit_entry SET purpose = '随便看看' WHERE seq = 7")
    sign_out(session=session, clock=FixedClock())
    result = cli(
        "check", "--db", db_argument(demo_copy), "--user", "admin", stdin=DEMO_PASSWORD + "\n"
    )
    assert result.returncode == 1
    assert "审计链校验失败：第 7 条审计记录" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.sqlite_only(reason="the PostgreSQL layout exercised on SQLite; native on a server")
def test_checkpoints_in_a_table_verify_like_the_file(admin: SignedIn, clock: FixedClock) -> None:
    """The PostgreSQL layout (checkpoints in ``audit_checkpoint``), exercised on SQLite."""
    from sqlalchemy.orm import Session

    from app.security.audit_chain import (
        TableCheckpointLog,
        checkpoint_key,
        make_checkpoint,
        verify_chain,
    )

    store = admin.store
    log = TableCheckpointLog(store.engine, "test#audit_checkpoint")
    head = verify_audit_chain(store)
    with Session(store.engine) as session:
        log.append(
            make_checkpoint(
                checkpoint_key(store.data_key), head.head_seq, head.head_hash, clock.now()
            ),
            session,
        )
        session.commit()
    (cp,), bad = log.read()
    assert bad == 0 and cp.seq == head.head_seq
    assert verify_chain(store.engine, store.data_key, log).ok
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_entry WHERE seq = {head.head_seq}")
    assert [b.reason for b in verify_chain(store.engine, store.data_key, log).breaks] == [
        "truncated"
    ]
