"""An opened, unlocked database: engine, keys and keyring, and units of work over them."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.changes import Changes
from app.errors import DatabaseUnavailable, ForeignDatabase, SessionEnded, StorageError
from app.security.audit import AuditChain, AuditRecorder, seal_unchained
from app.security.crypto import BlindIndex, FieldCipher
from app.security.keyring import Keyring, KeyringStore
from app.security.vault import CustomerKeyVault
from app.storage import migrate
from app.storage.engine import (
    KeyHolder,
    classify_open_error,
    connection_lost_reason,
    engine_for,
    write_engine,
)
from app.storage.keyring_store import checkpoint_log_for
from app.storage.location import DatabaseLocation
from app.storage.models import Setting
from app.storage.sessions import Lease, take_lease
from app.storage.settings import SettingsRepository

log = logging.getLogger(__name__)


# Told what each committed unit of work changed, with the database it changed (``display()``):
# the GUI's change bus (issue 21). Every store of the process reports here, so a write by an
# approver signed in at the desk reaches the operator's window too. Called in the committing
# thread.
CHANGE_LISTENERS: list[Callable[[str, Changes], None]] = []


class Store:
    """An unlocked database. Holds the data key in memory until :meth:`close`."""

    def __init__(
        self,
        location: DatabaseLocation,
        engine: Engine,
        key: KeyHolder,
        keyring_store: KeyringStore,
        root: bytes | None = None,
    ) -> None:
        self.location = location
        self.engine = engine
        self._key = key
        self.keyring_store = keyring_store
        # what was derived once (blind indexes, field and audit keys) comes from the first data
        # key, which survives key rotation (app.security.keyring, root)
        self._root: bytes | None = root if root is not None else key.key
        self._cipher: FieldCipher | None = FieldCipher(self._root)
        self._blind_index: BlindIndex | None = BlindIndex(self._root)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Units of work that write begin with the write lock (SQLite: BEGIN IMMEDIATE;
        # PostgreSQL: an advisory lock), so a second workstation waits its turn instead of
        # failing at once or handing out a counter's number twice.
        self._write_sessions = sessionmaker(write_engine(engine), expire_on_commit=False)
        self._vault: CustomerKeyVault | None = None
        self.lease: Lease | None = None
        self.audit_checkpoints = checkpoint_log_for(location, engine)
        self._audit_chain: AuditChain | None = AuditChain(
            self._root, self.audit_checkpoints, engine.dialect.name
        )

    def take_lease(self, user: str, now: datetime) -> None:
        """Register this session beside an embedded database (app.storage.sessions)."""
        if self.location.is_sqlite and self.lease is None:
            self.lease = take_lease(self.location.sqlite_path, user, now)

    @property
    def root_key(self) -> bytes:
        """The derivation root (the first data key; unchanged by key rotation)."""
        if self._root is None:
            raise SessionEnded()
        return self._root

    def replace_key(self, new_key: bytes) -> None:
        """Use ``new_key`` from now on (after a rotation re-encrypted the files)."""
        if self._vault is not None:
            self._vault.close()
            self._vault = None
        self.engine.dispose()
        self._key._key = new_key  # the engine's creator reads the holder on each connect

    @property
    def change_token(self) -> str:
        """This store's name in change notifications (its own commits are not news to it)."""
        token: str | None = getattr(self, "_change_token", None)
        if token is None:
            import secrets

            token = self._change_token = secrets.token_hex(8)
        return token

    def report_changes(self, changes: Changes) -> None:
        """Tell every listener what a committed unit of work on this database changed."""
        where = self.location.display()
        for listener in list(CHANGE_LISTENERS):
            try:
                listener(where, changes)
            except Exception:  # a listener's failure never undoes a committed write
                log.exception("change listener failed")

    @property
    def audit_chain(self) -> AuditChain:
        """The audit chain's keys and lock (entries are linked as they are written)."""
        if self._audit_chain is None:
            raise SessionEnded()
        return self._audit_chain

    @property
    def vault(self) -> CustomerKeyVault:
        """The per-customer key vault (opened on first use)."""
        if self.closed:
            raise SessionEnded()
        if self._vault is None:
            if self.location.is_sqlite:
                self._vault = CustomerKeyVault.beside(self.location.sqlite_path, self.data_key)
            else:
                # PostgreSQL: the vault table on the server; backups leave its rows out of the
                # dump and copy it apart (app/storage/backup/pg.py, docs/deployment.md).
                self._vault = CustomerKeyVault(self.engine, self.data_key)
        return self._vault

    @property
    def closed(self) -> bool:
        """True after :meth:`close` (sign-out): nothing can be read or written any more."""
        return self._cipher is None

    @property
    def data_key(self) -> bytes:
        """The raw data key (only for re-wrapping keyring slots)."""
        return self._key.key

    @property
    def cipher(self) -> FieldCipher:
        """Field encryption under this store's key."""
        if self._cipher is None:
            raise SessionEnded()
        return self._cipher

    @property
    def blind_index(self) -> BlindIndex:
        """Blind index under this store's key."""
        if self._blind_index is None:
            raise SessionEnded()
        return self._blind_index

    def keyring(self) -> Keyring:
        """Load the current keyring and check it belongs to this key."""
        ring = Keyring.load(self.keyring_store)
        ring.verify(self.data_key)
        return ring

    @contextmanager
    def keyring_for_update(self) -> Iterator[Keyring]:
        """Lock the keyring, load the current version and check it; the caller saves."""
        with self.keyring_store.locked():
            yield self.keyring()

    def unit_of_work(self, actor: Actor | None, clock: Clock, *, write: bool = True) -> UnitOfWork:
        """Return a new unit of work acting as ``actor``.

        ``write=False``: the transaction begins as a plain read (SQLite: deferred), for work that
        only reads; a write in it may then fail at once with "busy" under a concurrent writer.
        """
        if self.closed:
            raise SessionEnded()
        return UnitOfWork(self, actor, clock, write=write)

    def new_session(self, *, write: bool = False) -> Session:
        """Return a plain session (queries only, unless ``write``: then it takes the write lock)."""
        if self.closed:
            raise SessionEnded()
        return self._write_sessions() if write else self._sessions()

    def close(self) -> None:
        """Release connections and forget the key (new connections fail from now on).

        Objects a bulk import froze out of the collector's sight (``gc_paused``) are given
        back to it and collected, so nothing of the session lingers in a frozen cycle.
        """
        if gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()
        self._cipher = None
        self._blind_index = None
        self._audit_chain = None
        self._root = None
        if self.lease is not None:
            self.lease.release()
        if self._vault is not None:
            self._vault.close()
            self._vault = None
        self._key.forget()
        self.engine.dispose()


class UnitOfWork:
    """One transaction: rolls back unless :meth:`commit` is called."""

    session: Session
    audit: AuditRecorder
    settings: SettingsRepository

    def __init__(
        self, store: Store, actor: Actor | None, clock: Clock, *, write: bool = True
    ) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.write = write
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self.store.new_session(write=self.write)
        self.audit = AuditRecorder(self.session, self.actor, self.clock, self.store.audit_chain)
        self.settings = SettingsRepository(self.session)
        self._committed = False
        self._tables: set[str] = set()
        event.listen(self.session, "after_flush", self._note_flush)
        event.listen(self.session, "do_orm_execute", self._note_statement)
        return self

    def _note_flush(self, session: Session, _context: Any) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(obj, "__table__", None)
            if table is not None:
                self._tables.add(str(table.name))

    def _note_statement(self, state: Any) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            name = getattr(table, "name", None)
            if name:
                self._tables.add(str(name))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def claim_writes(self) -> None:
        """Take the write lock now, as the transaction's first statement.

        SQLite (WAL) cannot turn a read transaction into a write one once another connection
        has committed since it began; a transaction that reads and then writes (a counter)
        starts with this so it waits its turn instead of failing. A writing unit of work
        already begins with ``BEGIN IMMEDIATE``: then this only makes the intent explicit.
        No-op elsewhere.
        """
        if self.store.location.is_sqlite:
            self.session.execute(text("UPDATE setting SET value = value WHERE 0"))

    def commit(self) -> None:
        """Make the work durable (PostgreSQL: other desks hear of it once it is committed)."""
        try:
            if not self.store.location.is_sqlite:
                self._notify_other_desks()
            self.audit.commit()  # the session's commit, with any due audit checkpoint
        except OperationalError as exc:
            raise storage_error(exc, self.store.location) from exc
        self._committed = True
        changes = Changes.from_tables(self._tables)
        self._tables = set()
        if changes:
            self.store.report_changes(changes)

    def _notify_other_desks(self) -> None:
        """Queue a NOTIFY of the kinds written so far; the server sends it at commit."""
        self.session.flush()
        changes = Changes.from_tables(self._tables)
        if changes:
            from app.storage.change_feed import CHANNEL, payload

            self.session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload(self.store.change_token, changes)},
            )

    def rollback(self) -> None:
        """Discard the work."""
        self.session.rollback()


def storage_error(exc: DatabaseError, location: DatabaseLocation) -> StorageError | Exception:
    """Map a driver error during work to a typed error."""
    if location.is_sqlite:
        text_ = str(exc.orig).lower() if exc.orig is not None else ""
        if "full" in text_:
            from app.errors import DiskFull

            return DiskFull(path=str(location.sqlite_path))
        return classify_open_error(exc.orig or exc, location.sqlite_path)
    return DatabaseUnavailable(detail=connection_lost_reason(str(exc.orig)))


def read_database_id(engine: Engine) -> str | None:
    """Return the database id stamped at setup (None when absent)."""
    import json

    with Session(engine) as session:
        row = session.scalar(select(Setting).where(Setting.key == "database_id"))
    return None if row is None else str(json.loads(row.value))


def integrity_problems(engine: Engine) -> list[str]:
    """Run SQLite's integrity and foreign-key checks; return problems found."""
    problems: list[str] = []
    with engine.connect() as conn:
        rows = conn.execute(text("PRAGMA integrity_check")).fetchall()
        problems += [str(r[0]) for r in rows if str(r[0]) != "ok"]
        fk = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
        problems += [f"foreign key: {r[0]} row {r[1]}" for r in fk]
    return problems


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file (before copying it)."""
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def backup_before_upgrade(
    engine: Engine, location: DatabaseLocation, clock: Clock
) -> Callable[[str], None]:
    """Return the hook that copies a SQLite database (WAL folded in) aside before an upgrade."""

    def backup(revision: str) -> None:
        if location.is_sqlite:
            checkpoint(engine)
            migrate.copy_before_upgrade(location.sqlite_path, revision, clock.now())

    return backup


def seal_legacy_entries(
    engine: Engine,
    location: DatabaseLocation,
    data_key: bytes,
    clock: Clock,
    root: bytes | None = None,
) -> int:
    """Link the entries of a database upgraded to the audit chain (once; see seal_unchained)."""
    chain = AuditChain(
        root if root is not None else data_key,
        checkpoint_log_for(location, engine),
        engine.dialect.name,
    )
    with Session(engine) as session:
        return seal_unchained(session, chain, clock)


def open_store(
    location: DatabaseLocation,
    data_key: bytes,
    keyring: Keyring,
    clock: Clock,
    *,
    upgrade: bool = True,
) -> Store:
    """Open and (unless ``upgrade`` is False) upgrade the database unlocked by ``data_key``.

    Raises DatabaseMissing, ForeignDatabase, DatabaseCorrupt, DatabaseTooNew (untouched) and
    storage errors.
    """
    from app.errors import DatabaseMissing

    if location.is_sqlite and not location.sqlite_path.exists():
        raise DatabaseMissing(path=str(location.sqlite_path))
    from app.security.rekey import finish_rotation

    root = keyring.root_key(data_key)
    if location.is_sqlite:  # a rotation interrupted by a crash is completed first
        finish_rotation(
            database=location.sqlite_path, engine=None, keyring=keyring, new_key=data_key
        )
    holder = KeyHolder(data_key)
    engine = engine_for(location, holder)
    if not location.is_sqlite:
        finish_rotation(database=None, engine=engine, keyring=keyring, new_key=data_key)
    try:
        try:
            if upgrade:
                migrate.upgrade(engine, backup=backup_before_upgrade(engine, location, clock))
                if location.is_sqlite:
                    from app.storage import catalogue_search, search_sqlite

                    with engine.begin() as conn:
                        stale = search_sqlite.ensure_schema(conn)
                        stale_catalogue = catalogue_search.ensure_schema(conn)
                    if stale:  # an index table new in this version: fill it once
                        search_sqlite.rebuild(engine)
                    if stale_catalogue:
                        catalogue_search.rebuild(engine)
                seal_legacy_entries(engine, location, data_key, clock, root)
            else:
                migrate.schema_state(engine)
            database_id = read_database_id(engine)
        except OperationalError as exc:
            raise storage_error(exc, location) from exc
        except DatabaseError as exc:
            raise storage_error(exc, location) from exc
        if database_id != keyring.database_id:
            raise ForeignDatabase(path=location.display())
    except BaseException:
        engine.dispose()
        raise
    return Store(location, engine, holder, keyring.store, root)
