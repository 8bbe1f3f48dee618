"""Setting up a PostgreSQL server for the program: roles, grants, TLS, passwords (issue 22).

``archive-room pg-setup --url …`` (run once by the server's administrator, again after an
upgrade that adds tables) makes:

* the **schema owner** (``archive_owner``, LOGIN, may create databases for restores): owns the
  database, the ``public`` schema and every table; migrations run as it;
* the **program's login role** (``archive_app``): no DDL (owns nothing, no CREATE on the
  schema, no write on ``alembic_version``), ``SELECT, INSERT, UPDATE, DELETE`` on the data
  tables and only ``SELECT, INSERT`` on the audit tables (``audit_entry``,
  ``audit_checkpoint``, ``audit_seal``), where migration 0011's trigger refuses UPDATE,
  DELETE and TRUNCATE to everyone besides.

Passwords are random, set on the server (which stores only its SCRAM hash) and written to a
``.pgpass`` file readable by this account only (0600); they are never printed, logged or put
in a URL. ``keyring`` (the OS credential store) is not a dependency of the program, so the
``.pgpass`` file is the one store.

TLS: a server that is not on this computer is reached with ``sslmode=verify-full`` unless the
URL asks for another mode that still encrypts (``require``, ``verify-ca``); a mode that allows
a plain connection (``disable``, ``allow``, ``prefer``) is refused with the reason
(:func:`secure_url`, applied to every engine and to the backup tools).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from app.storage.pg_tls import _host, secure_url

AUDIT_TABLES = ("audit_entry", "audit_checkpoint", "audit_seal")
DEFAULT_OWNER = "archive_owner"
DEFAULT_APP_ROLE = "archive_app"


def pgpass_path() -> Path:
    """Where libpq reads passwords: ``PGPASSFILE``, else ``~/.pgpass`` (Windows: APPDATA)."""
    given = os.environ.get("PGPASSFILE")
    if given:
        return Path(given)
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def pgpass_line(url: URL, user: str, password: str) -> str:
    """One ``host:port:database:user:password`` line for ``url``."""
    host = _host(url) or "localhost"
    port = str(url.port or url.query.get("port") or 5432)
    return ":".join(_escape(v) for v in (host, port, str(url.database or "*"), user, password))


def write_pgpass(path: Path, lines: dict[str, str]) -> None:
    """Add or replace lines (keyed by everything before the password) in a 0600 file."""
    keep: list[str] = []
    with contextlib.suppress(FileNotFoundError):
        for line in path.read_text(encoding="utf-8").splitlines():
            key = line.rsplit(":", 1)[0] if ":" in line else line
            if key not in lines:
                keep.append(line)
    keep += [f"{key}:{password}" for key, password in lines.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(keep) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    if os.name == "posix":
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@dataclass
class PgSetupResult:
    """What ``pg-setup`` made or found."""

    database: str
    owner: str
    app_role: str
    app_url: str  # for the workstations: no password in it
    pgpass: Path
    created: list[str] = field(default_factory=list)  # roles and database made now
    passwords_set: list[str] = field(default_factory=list)  # roles whose password was set now


def _role_exists(conn: Any, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def setup_server(
    *,
    url: str,
    database: str,
    owner: str = DEFAULT_OWNER,
    app_role: str = DEFAULT_APP_ROLE,
    pgpass: Path | None = None,
    new_passwords: bool = False,
) -> PgSetupResult:
    """Create (or bring up to date) the roles, database, schema, tables and grants.

    ``url``: a role that may create roles and databases (e.g. ``postgres``). Idempotent:
    existing roles keep their passwords unless ``new_passwords``.
    """
    import psycopg
    from psycopg import sql
    from sqlalchemy import create_engine, event

    from app.storage import migrate

    admin_url = make_url(secure_url(url)).set(drivername="postgresql")
    result = PgSetupResult(
        database, owner, app_role, "", pgpass or pgpass_path(), created=[], passwords_set=[]
    )
    passwords: dict[str, str] = {}
    admin_dsn = admin_url.set(password=None).render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True, password=admin_url.password) as conn:
        for role, options in (
            (owner, "LOGIN NOSUPERUSER CREATEDB NOCREATEROLE"),
            (app_role, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"),
        ):
            if not _role_exists(conn, role):
                conn.execute(sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(role)))
                result.created.append(role)
            else:
                conn.execute(sql.SQL("ALTER ROLE {} " + options).format(sql.Identifier(role)))
            if role in result.created or new_passwords:
                passwords[role] = secrets.token_urlsafe(24)
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(passwords[role])
                    )
                )
                result.passwords_set.append(role)
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if found.fetchone() is None:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(database), sql.Identifier(owner)
                )
            )
            result.created.append(database)
        for statement in (
            "ALTER DATABASE {db} OWNER TO {owner}",
            "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            "GRANT CONNECT ON DATABASE {db} TO {app}",
        ):
            conn.execute(_fmt(statement, database, owner, app_role))
    db_url = admin_url.set(database=database)
    with psycopg.connect(
        db_url.set(password=None).render_as_string(hide_password=False),
        autocommit=True,
        password=admin_url.password,
    ) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # search (migration 0020)
        for statement in (
            "ALTER SCHEMA public OWNER TO {owner}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "GRANT USAGE ON SCHEMA public TO {app}",
        ):
            conn.execute(_fmt(statement, database, owner, app_role))
        _hand_over(conn, owner)
    # migrations and the vault table as the owner (SET ROLE: its password is not needed here)
    engine = create_engine(db_url.set(drivername="postgresql+psycopg"))

    @event.listens_for(engine, "connect")
    def _as_owner(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
        dbapi_conn.commit()

    try:
        migrate.upgrade(engine)
        from app.security.vault import metadata as vault_metadata

        vault_metadata.create_all(engine)
        with engine.begin() as sa_conn:
            raw = sa_conn.connection.dbapi_connection
            assert raw is not None
            cur = raw.cursor()
            try:
                _grant(cur, owner, app_role)
            finally:
                cur.close()
    finally:
        engine.dispose()
    result.pgpass = pgpass or pgpass_path()
    if passwords:
        write_pgpass(result.pgpass, {_key(db_url, r): p for r, p in passwords.items()})
    result.app_url = db_url.set(
        drivername="postgresql+psycopg", username=app_role, password=None
    ).render_as_string(hide_password=False)
    return result


def _key(url: URL, role: str) -> str:
    return pgpass_line(url, role, "").rsplit(":", 1)[0]


def _fmt(statement: str, database: str, owner: str, app: str) -> Any:
    from psycopg import sql

    return sql.SQL(statement).format(
        db=sql.Identifier(database), owner=sql.Identifier(owner), app=sql.Identifier(app)
    )


def _hand_over(conn: Any, owner: str) -> None:
    """Tables and sequences made earlier by another role (an older setup) go to the owner."""
    from psycopg import sql

    rows = conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'p') "
        "AND pg_get_userbyid(c.relowner) <> %s",
        (owner,),
    ).fetchall()
    for name, kind in rows:
        if kind == "S" and _owned_by_column(conn, name):
            continue  # follows its table
        what = "SEQUENCE" if kind == "S" else "TABLE"
        conn.execute(
            sql.SQL("ALTER " + what + " {} OWNER TO {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )


def _owned_by_column(conn: Any, sequence: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
            "WHERE c.relname = %s AND d.deptype IN ('a', 'i')",
            (sequence,),
        ).fetchone()
        is not None
    )


def _grant(cur: Any, owner: str, app: str) -> None:
    """The program's privileges: data tables read/write, audit tables insert-only, no DDL."""
    from psycopg import sql

    app_id = sql.Identifier(app)
    for statement in (
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {app}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {{app}}" for t in AUDIT_TABLES),
    ):
        cur.execute(sql.SQL(statement).format(app=app_id))
