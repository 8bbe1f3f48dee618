"""The insider suite (issue 23): colleagues with an account, the workstation and the files.

``Insider`` is what such a person can do outside the program with their own password: unwrap
the data key from the keyring, open the encrypted database with it, run any SQL, recompute the
keyed hash chain and its checkpoints, copy files and put them back.
"""

from __future__ import annotations

import hmac
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.security import audit_chain
from app.security.keyring import Keyring
from app.services.audit import IssuedKey, start_audit_sealing
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.engine import KeyHolder, engine_for
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist, add_user, potential

SIDE_FILES = (".keyring", ".vault", ".audit-checkpoints")


def every_row(conn: Connection) -> bytes:
    """Every row of every table of an SQLite database, ``repr``-ed: what a dump of it shows."""
    tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
    return b"".join(
        repr(conn.exec_driver_sql(f'SELECT * FROM "{t}"').fetchall()).encode() for t in list(tables)
    )


@dataclass
class Office:
    """A database with an archivist (lisi), an approver (wang, 总经理), an auditor (audit), the
    administrator (boss) and the 安全保密员 (baomi)."""

    location: DatabaseLocation
    clock: FixedClock
    admin: SignedIn
    key: IssuedKey  # the auditor's verification key, issued at the auditor's first sign-in

    def sign_in(self, username: str, password: str = PASSWORD) -> SignedIn:
        return sign_in(
            location=self.location, username=username, password=password, clock=self.clock
        )

    @contextmanager
    def session(self, username: str, password: str = PASSWORD) -> Iterator[SignedIn]:
        """Signed in as ``username`` inside, signed out (which seals) after."""
        session = self.sign_in(username, password)
        try:
            yield session
        finally:
            sign_out(session=session, clock=self.clock)

    def work(self, username: str = "lisi", customers: int = 3) -> None:
        """A signed-in session that writes entries, then signs out (which seals)."""
        from app.services.customers import register_customer

        with self.session(username) as session:
            for _ in range(customers):
                self.clock.advance(minutes=1)
                register_customer(session=session, draft=potential(), clock=self.clock)


@pytest.fixture
def office(location: DatabaseLocation, admin: SignedIn, clock: FixedClock) -> Iterator[Office]:
    add_archivist(admin, clock)
    add_user(admin, clock, "audit", [Role.AUDITOR], display_name="周敏")
    # an approver: the 总经理, who signs 机密 use (R31)
    add_user(
        admin, clock, "wang", [Role.APPROVER], ApproverTitle.GENERAL_MANAGER, display_name="王总"
    )
    auditor = sign_in(location=location, username="audit", password=PASSWORD, clock=clock)
    try:
        key = start_audit_sealing(session=auditor, clock=clock)
    finally:
        sign_out(session=auditor, clock=clock)
    yield Office(location, clock, admin, key)


class Insider:
    """Someone with a password, working on the files directly (not through the program)."""

    def __init__(self, location: DatabaseLocation, username: str, password: str) -> None:
        ring = Keyring.load(keyring_store_for(location))
        key = ring.unwrap_with_password(username, password)
        assert key is not None
        self.location = location
        self.data_key = key
        self.engine: Engine = engine_for(location, KeyHolder(key))

    def close(self) -> None:
        self.engine.dispose()

    def sql(self, *statements: str) -> None:
        with self.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    def rechain(self) -> None:
        """Renumber and rehash every entry with the data key; rewrite valid checkpoints."""
        key = audit_chain.chain_key(self.data_key)
        with self.engine.begin() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, seq, occurred_at, actor_id, actor_name, action, object_type, "
                "object_id, purpose, details, workstation FROM audit_entry ORDER BY seq"
            ).fetchall()
            conn.exec_driver_sql("UPDATE audit_entry SET seq = -seq")
            prev = audit_chain.GENESIS
            for n, row in enumerate(rows, start=1):
                content = repr((n, *row[2:11])).encode()
                digest = hmac.digest(key, prev + content, "sha256")
                conn.exec_driver_sql(
                    "UPDATE audit_entry SET seq = ?, prev_hash = ?, entry_hash = ? WHERE id = ?",
                    (n, prev, digest, row[0]),
                )
                prev = digest
            self._rewrite_checkpoints(conn, len(rows), prev)

    def _rewrite_checkpoints(self, conn: Connection, head: int, head_hash: bytes) -> None:
        path = self.location.sqlite_path.with_name(
            self.location.sqlite_path.name + audit_chain.CHECKPOINT_SUFFIX
        )
        cp = audit_chain.make_checkpoint(
            audit_chain.checkpoint_key(self.data_key),
            head,
            head_hash,
            __import__("datetime").datetime(2026, 1, 5, 12, 0),
        )
        line = {"seq": cp.seq, "hash": cp.entry_hash.hex(), "at": cp.at, "mac": cp.mac.hex()}
        path.write_text(json.dumps(line, sort_keys=True) + "\n", encoding="utf-8")


@pytest.fixture
def insider_factory() -> Iterator[list[Insider]]:
    opened: list[Insider] = []
    yield opened
    for insider in opened:
        insider.close()


def open_insider(
    opened: list[Insider], location: DatabaseLocation, username: str, password: str = PASSWORD
) -> Insider:
    insider = Insider(location, username, password)
    opened.append(insider)
    return insider


def copy_files(location: DatabaseLocation, folder: Path) -> None:
    """Copy the database and every side file (what an insider keeps for later)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = location.sqlite_path
    for path in db.parent.glob(db.name + "*"):
        if path.is_file():
            shutil.copy2(path, folder / path.name)


def put_back(location: DatabaseLocation, folder: Path) -> None:
    """Put the copied files back over the live ones (and drop the live write-ahead log)."""
    db = location.sqlite_path
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    for path in folder.iterdir():
        shutil.copy2(path, db.parent / path.name)
