"""Backups of a PostgreSQL database: ``pg_dump`` without the key vault, the vault kept apart.

A PostgreSQL backup is a folder like the embedded one (``archive-backup-<local time>``, the
same signed ``manifest.json``, the same verification and rotation) holding:

* ``database.dump``: ``pg_dump --format=custom`` of the database at one snapshot, with the
  table *data* of the customer-key vault (``vault_key``) left out (its definition stays, so a
  restore has the empty table). Everything else is in it: the keyring row, the audit entries
  and their checkpoints (``audit_checkpoint``), electronic files (``file_chunk``, sealed under
  each customer's key).
* ``database.db.vault``: the vault's rows as a SQLCipher file under the key the embedded
  vault file uses, read *after* the dump (a customer deleted meanwhile has no key in it), and
  destroyed by rotation after ``backup_vault_days`` like an embedded vault copy. Once every
  vault copy of the window is gone, no dump can give a deleted customer's values back (R8).
* ``database.db.keyring``: the keyring document (active accounts and the recovery key), so
  a restore onto a new server can be unlocked with a password or the recovery key.

The counts and audit head of the manifest are read in the very snapshot the dump is made
from (``pg_export_snapshot`` → ``pg_dump --snapshot``). A restore always goes into a new
database (``pg_restore`` into a database it creates); the live one is never written.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from app.errors import BackupCancelled, BackupDamaged
from app.server_errors import PgToolFailed, PgToolMissing
from app.storage.backup.copying import _fsync_file, describe_database
from app.storage.backup.manifest import DB_NAME, NullSink, Sink, vault_file_key
from app.storage.backup.sealed_stream import SealedStreamBroken, open_stream, seal_stream

DUMP_NAME = "database.dump"
VAULT_TABLE = "vault_key"
VAULT_NAME = DB_NAME + ".vault"
KEYRING_NAME = DB_NAME + ".keyring"
ENGINE = "postgresql"


def pg_tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``: on PATH, else the newest server's bin folder."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    ):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise PgToolMissing(tool=name)


def tools_available() -> bool:
    """True when ``pg_dump`` and ``pg_restore`` can be found on this computer."""
    try:
        pg_tool("pg_dump")
        pg_tool("pg_restore")
    except PgToolMissing:
        return False
    return True


def libpq_target(url: str, database: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq URI for the tools (no password in it) and the environment carrying the password.

    The password goes to the child process as ``PGPASSWORD`` only, never on a command line
    (which other users of the computer can list).
    """
    from app.storage.pg_tls import secure_url

    parsed = make_url(secure_url(url)).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
        parsed = parsed.set(password=None)
    return parsed.render_as_string(hide_password=False), env


def connect(url: str, database: str | None = None, *, autocommit: bool = False) -> Any:
    """A plain psycopg connection (the backup's snapshot, the restore's administration)."""
    import psycopg

    target, env = libpq_target(url, database)
    return psycopg.connect(target, autocommit=autocommit, password=env.get("PGPASSWORD"))


def database_name(url: str) -> str:
    """The database a URL names."""
    return str(make_url(url).database or "")


def _first_line(err: bytes) -> str:
    # the first line only: later ones (DETAIL: Key (…)=(…), Command was: …) may quote values
    text = err.decode("utf-8", "replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.split("Key (")[0][:300]


def dump_database(
    url: str, dest: Path, key: bytes, *, snapshot: str | None, sink: Sink | None = None
) -> None:
    """``pg_dump -Fc`` of the database at ``url``, without the vault's rows, sealed into ``dest``.

    The dump goes from the tool's pipe straight into the sealed file (never in clear on disk).
    """
    sink = sink or NullSink()
    target, env = libpq_target(url)
    argv = [
        pg_tool("pg_dump"),
        "--format=custom",
        "--no-password",
        f"--exclude-table-data={VAULT_TABLE}",
    ]
    if snapshot is not None:
        argv.append(f"--snapshot={snapshot}")
    argv.append(f"--dbname={target}")

    def check_cancel(_n: int) -> None:
        if sink.is_cancelled():
            raise BackupCancelled()

    with (
        tempfile.TemporaryFile() as err,
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=err) as proc,
    ):
        assert proc.stdout is not None
        try:
            with dest.open("xb") as out:
                seal_stream(proc.stdout, out, key, check_cancel)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            proc.kill()
            raise
        proc.wait()
        err.seek(0)
        problem = err.read()
    if proc.returncode != 0:
        raise PgToolFailed(tool="pg_dump", detail=_first_line(problem))
    _fsync_file(dest)


def _feed(dump: Path, key: bytes, argv: list[str], env: dict[str, str], tool: str) -> bytes:
    """Run ``argv`` with the opened dump on its standard input; return its standard output."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        with subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err) as proc:
            assert proc.stdin is not None
            broken: SealedStreamBroken | None = None
            try:
                for chunk in open_stream(dump, key):
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # the tool stopped reading (--list reads the table of contents only)
            except SealedStreamBroken as exc:
                broken = exc
                proc.kill()
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
            proc.wait()
        if broken is not None:
            raise BackupDamaged(path=str(dump), detail="数据文件无法用此密钥解开，或已被改动、截断")
        if proc.returncode != 0:
            err.seek(0)
            raise PgToolFailed(tool=tool, detail=_first_line(err.read()))
        out.seek(0)
        return out.read()


def dump_contents(dump: Path, key: bytes) -> list[str]:
    """The table of contents of a sealed dump (``pg_restore --list``), one entry a line."""
    try:
        raw = _feed(dump, key, [pg_tool("pg_restore"), "--list"], dict(os.environ), "pg_restore")
    except PgToolFailed as exc:
        raise BackupDamaged(path=str(dump), detail="pg_restore 无法读取数据文件") from exc
    text = raw.decode("utf-8", "replace")
    return [line for line in text.splitlines() if line and not line.startswith(";")]


def dump_problems(dump: Path, key: bytes) -> list[str]:
    """What is wrong with a dump beyond its sums: unreadable, or carrying the vault's rows."""
    try:
        entries = dump_contents(dump, key)
    except BackupDamaged:
        return [f"{dump.name} 不是可读的 pg_dump 数据文件（或不能用此密钥解开）"]
    if any("TABLE DATA" in e and f" {VAULT_TABLE} " in f"{e} " for e in entries):
        return [f"{dump.name} 含有客户密钥库的数据（应单独备份）"]
    return []


def describe_snapshot(conn: Any) -> tuple[dict[str, int], dict[str, Any], str, str | None, int]:
    """Counts, audit head, database id, revision and audit checkpoints seen by ``conn``."""
    counts, head, database_id, revision = describe_database(conn)
    checkpoints = int(conn.execute("SELECT count(*) FROM audit_checkpoint").fetchone()[0])
    return counts, head, database_id, revision, checkpoints


def vault_rows(conn: Any) -> list[tuple[str, bytes, datetime]]:
    """Every ``(key_id, wrapped, created_at)`` of the live vault table (none when absent)."""
    exists = conn.execute("SELECT to_regclass(%s)", (VAULT_TABLE,)).fetchone()[0]
    if exists is None:
        return []
    return [
        (str(k), bytes(w), c)
        for k, w, c in conn.execute(
            f"SELECT key_id, wrapped, created_at FROM {VAULT_TABLE} ORDER BY key_id"
        ).fetchall()
    ]


def put_vault_rows(engine: Engine, rows: list[tuple[str, bytes, datetime]]) -> None:
    """Create the vault's table in ``engine``'s database and insert ``rows`` (id, wrapped, date)."""
    from app.security.vault import metadata, vault_key

    metadata.create_all(engine)
    with engine.begin() as conn:
        if rows:
            conn.execute(
                vault_key.insert(),
                [{"key_id": k, "wrapped": w, "created_at": c} for k, w, c in rows],
            )


def write_vault_file(rows: list[tuple[str, bytes, datetime]], dest: Path, data_key: bytes) -> None:
    """The vault's rows as a SQLCipher file like an embedded ``<db>.vault`` (same key)."""
    from app.storage.engine import sqlcipher_engine

    engine = sqlcipher_engine(dest, vault_file_key(data_key))
    try:
        put_vault_rows(engine, rows)
    finally:
        engine.dispose()  # the last connection closed folds and removes its WAL
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            dest.with_name(dest.name + suffix).unlink()
    if os.name == "posix":
        dest.chmod(0o600)
    _fsync_file(dest)


def read_vault_file(path: Path, data_key: bytes) -> list[tuple[str, bytes, datetime]]:
    """The rows of a vault copy (embedded or made by :func:`write_vault_file`)."""
    from sqlalchemy import select

    from app.security.vault import vault_key
    from app.storage.engine import sqlcipher_engine

    engine = sqlcipher_engine(path, vault_file_key(data_key))
    try:
        with engine.connect() as conn:
            return [
                (str(k), bytes(w), c)
                for k, w, c in conn.execute(
                    select(vault_key.c.key_id, vault_key.c.wrapped, vault_key.c.created_at)
                ).all()
            ]
    finally:
        engine.dispose()


def restore_dump(url: str, database: str, dump: Path, key: bytes, sink: Sink | None = None) -> None:
    """Create the NEW database ``database`` on the server of ``url`` and ``pg_restore`` into it.

    Refuses a name that exists already (BackupDamaged is never raised here: a failing tool is
    PgToolFailed); on failure the half-made database is dropped.
    """
    import psycopg
    from psycopg import sql

    with connect(url, autocommit=True) as admin:
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(database)
                )
            )
        except psycopg.errors.InsufficientPrivilege as exc:
            raise PgToolFailed(
                tool="CREATE DATABASE",
                detail="该数据库账户无权建立数据库，请用属主账户（archive_owner）的地址恢复",
            ) from exc
    target, env = libpq_target(url, database)
    try:
        if (sink or NullSink()).is_cancelled():
            raise BackupCancelled()
        _feed(
            dump,
            key,
            [
                pg_tool("pg_restore"),
                "--no-password",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={target}",
            ],
            env,
            "pg_restore",
        )
    except BaseException:
        drop_database(url, database)
        raise


def drop_database(url: str, database: str) -> None:
    """Drop a database made by a restore that is not kept (never the live one)."""
    from psycopg import sql

    if database == database_name(url):
        raise ValueError("refusing to drop the live database")
    with connect(url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def database_exists(url: str, database: str) -> bool:
    """True when the server of ``url`` has a database named ``database``."""
    with connect(url, autocommit=True) as admin:
        return (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
            is not None
        )
