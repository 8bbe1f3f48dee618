"""Engines: SQLCipher opened with the raw data key (WAL, foreign keys, busy timeout), PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool, QueuePool

from app.errors import (
    AppError,
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseUnavailable,
    DiskFull,
    ForeignDatabase,
    SessionEnded,
    StorageReadOnly,
)
from app.storage.location import DatabaseLocation

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# Execution option: the transaction takes the database's write lock as it begins. SQLite:
# ``BEGIN IMMEDIATE`` (WAL cannot upgrade a read transaction to a write one while another
# connection writes: SQLite then answers BUSY at once without waiting, so writers hold the lock
# from the start). PostgreSQL: a transaction-level advisory lock, so read-then-write counters
# (customer, 档号, loan numbers) are never handed out twice by concurrent desks.
WRITE_LOCK = "archive_room_write_lock"
# Arbitrary constant naming the writers' advisory lock on PostgreSQL ("ARWR").
PG_WRITE_LOCK_ID = 0x41525752
PAGE_SIZE = 4096  # SQLCipher 4 default
# SQLCipher wipes (and locks) the memory it allocates: keys and decrypted pages do not linger
# in freed heap (a core dump, a swapped page). The setting is process-wide and cannot be turned
# off again, and it costs on every allocation (a bulk import about nine times slower:
# docs/performance.md), so it is on only when ARCHIVE_ROOM_MEMORY_SECURITY=1
# (app.security.process.protect_memory, which otherwise keeps other processes out of memory).
MEMORY_SECURITY = False


def enable_memory_security() -> None:
    """Turn SQLCipher's memory security on for every connection this process opens from now."""
    global MEMORY_SECURITY
    MEMORY_SECURITY = True


LOW_SPACE_BYTES = 4 << 20  # an I/O error with less free space than this is a full disk


def _key_pragma(key: bytes) -> str:
    # A raw key (x'…') skips SQLCipher's own PBKDF2: the key already comes from Argon2 (keyring).
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_sqlcipher(path: Path, key: bytes, *, read_only: bool = False) -> Any:
    """Open a DB-API connection to an encrypted file and verify the key on the first page."""
    uri = f"file:{path.as_posix()}?mode={'ro' if read_only else 'rwc'}"
    try:
        conn = sqlcipher3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    except sqlcipher3.OperationalError as exc:
        raise StorageReadOnly(path=str(path)) from exc
    try:
        conn.execute(_key_pragma(key))
        if MEMORY_SECURITY:
            conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")  # no temp files with row data on disk
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise classify_open_error(exc, path) from exc
    return conn


def classify_open_error(exc: Exception, path: Path) -> Exception:
    """Turn a driver error raised while opening ``path`` into a typed error."""
    text = str(exc).lower()
    if "full" in text or ("disk i/o error" in text and _low_space(path)):
        return DiskFull(path=str(path))  # not "not this program's database"
    if "locked" in text or "busy" in text:
        return DatabaseBusy(path=str(path))
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageReadOnly(path=str(path))
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size % PAGE_SIZE != 0 or "malformed" in text:
        return DatabaseCorrupt(path=str(path), detail="文件长度或页面结构异常（可能被截断）")
    return ForeignDatabase(path=str(path))


def _low_space(path: Path) -> bool:
    """True when the volume of ``path`` is (nearly) full."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE_BYTES
    except OSError:
        return False


class KeyHolder:
    """The data key, readable until :meth:`forget` (then new connections fail)."""

    def __init__(self, key: bytes) -> None:
        self._key: bytes | None = key

    @property
    def key(self) -> bytes:
        """The key; raise SessionEnded once forgotten."""
        if self._key is None:
            raise SessionEnded()
        return self._key

    def forget(self) -> None:
        """Drop the reference to the key."""
        self._key = None


def map_driver_error(exc: BaseException, location: DatabaseLocation) -> AppError | None:
    """Return the typed error for a driver error a user can act on (None: leave it as is)."""
    if location.is_sqlite:
        if not isinstance(exc, sqlcipher3.OperationalError | sqlcipher3.DatabaseError):
            return None
        if isinstance(exc, sqlcipher3.IntegrityError):
            return None
        text = str(exc).lower()
        path = location.sqlite_path
        if "full" in text:
            return DiskFull(path=str(path))
        if "no such table" in text or "no such column" in text or "syntax error" in text:
            return None  # a bug, not a condition the user can fix
        return classify_open_error(exc, path)  # type: ignore[return-value]
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, psycopg.OperationalError):
        from app.server_errors import TlsFailed
        from app.storage.pg_tls import host_of, tls_problem

        reason = tls_problem(str(exc))
        if reason is not None:
            return TlsFailed(host=host_of(location.url or ""), reason=reason)
        return DatabaseUnavailable(detail=connection_lost_reason(str(exc)))
    return None


def connection_lost_reason(message: str) -> str:
    """A short Chinese reason for a lost or refused server connection (no personal data)."""
    text = message.lower()
    if "terminating connection" in text or "server closed the connection" in text:
        return "与服务器的连接被中断（服务器重启或网络中断）"
    if "connection refused" in text or "no such file or directory" in text:
        return "服务器没有响应（可能正在重启或已停止）"
    if "timeout" in text or "timed out" in text:
        return "连接服务器超时（网络中断或服务器繁忙）"
    if "password authentication failed" in text or "no password supplied" in text:
        return "服务器拒绝了登录（数据库账户或 .pgpass 中的密码不对）"
    if "does not exist" in text:
        return "服务器上没有这个数据库或账户"
    return "连接中断"


def _map_errors(engine: Engine, location: DatabaseLocation) -> None:
    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if getattr(context, "is_pre_ping", False):
            return  # a pooled connection cut since its last use: the pool connects anew
        mapped = map_driver_error(context.original_exception, location)
        if mapped is not None:
            raise mapped from context.original_exception


def sqlcipher_engine(path: Path, key: KeyHolder | bytes) -> Engine:
    """Return an engine over the encrypted file ``path``."""
    holder = key if isinstance(key, KeyHolder) else KeyHolder(key)
    # A queue of connections, each used by one thread at a time. The ``sqlite://`` URL alone
    # would give SQLAlchemy's pool for in-memory databases (SingletonThreadPool), which closes
    # another thread's connection, even one in use, once more than five threads have used the
    # engine: background reads on a busy desk then crashed inside SQLCipher.
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,
        creator=lambda: connect_sqlcipher(path, holder.key),
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=20,
        hide_parameters=True,  # SQL parameters (personal data) never reach logs or messages
    )

    # Let SQLAlchemy own transactions (pysqlite's legacy autocommit handling is unreliable).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_LOCK, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    _map_errors(engine, DatabaseLocation(kind="sqlite", path=path))
    return engine


def write_engine(engine: Engine) -> Engine:
    """``engine`` whose transactions take the database write lock when they begin."""
    return engine.execution_options(**{WRITE_LOCK: True})


def postgres_engine(location: DatabaseLocation, key: KeyHolder | None = None) -> Engine:
    """Return an engine for a ``postgresql+psycopg://`` URL.

    With ``key`` (a signed-in store): connections are kept in a pool, as on an encrypted file:
    a new server connection (a backend process, TLS, authentication) costs 5–20 ms, more than
    most of the desk's queries (issue 22: an exact look-up in 1 ms). Each checkout pings the
    connection first, so one cut by a server restart is replaced; once the key is forgotten
    (sign-out: the store disposes the pool), new connections fail with SessionEnded. Engines
    without a key (keyring, set-up, restore) open a connection per use and keep none.
    """
    from app.storage.pg_tls import secure_url

    assert location.url is not None
    pooling: dict[str, Any] = (
        {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10}
        if key is not None
        else {"poolclass": NullPool}
    )
    engine = create_engine(  # TLS required for a server not on this computer
        secure_url(location.url), pool_pre_ping=True, hide_parameters=True, **pooling
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_LOCK, False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_ID})")

    if key is not None:

        @event.listens_for(engine, "do_connect")
        def _on_connect(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
            key.key  # noqa: B018 - raises SessionEnded after sign-out

    _map_errors(engine, location)
    return engine


def engine_for(location: DatabaseLocation, key: KeyHolder | bytes | None) -> Engine:
    """Return an engine for ``location`` (``key`` is required for SQLCipher files)."""
    if location.is_sqlite:
        if key is None:
            raise ValueError("an embedded database needs its data key")
        return sqlcipher_engine(location.sqlite_path, key)
    return postgres_engine(location, key if isinstance(key, KeyHolder) else None)
