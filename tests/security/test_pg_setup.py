"""``archive-room pg-setup`` on the throwaway server (issue 22 point 4): a schema owner, a login
role for the program with no DDL and insert-only audit tables, TLS for servers not on this
computer, passwords only in a 0600 ``.pgpass``."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.clock import FixedClock
from app.errors import DatabaseUnavailable
from app.messages import describe
from app.server_errors import TlsFailed, TlsRequired
from app.services.auth import sign_in, sign_out
from app.services.customers import register_customer
from app.services.setup import initialize_database
from app.storage.engine import engine_for
from app.storage.location import DatabaseLocation
from app.storage.pg_setup import PgSetupResult, setup_server
from app.storage.pg_tls import secure_url
from tests.conftest import make_setup_request
from tests.engines import PgServer, pg_ctl
from tests.factories import PASSWORD, add_archivist, person

pytestmark = pytest.mark.postgresql_only(reason="roles and grants of a PostgreSQL server")


@pytest.fixture
def made(
    pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PgSetupResult]:
    pgpass = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    pid = os.getpid()
    database, owner, app = f"{pg_server.prefix}setup", f"ar_owner_{pid}", f"ar_app_{pid}"
    result = setup_server(
        url=pg_server.url_for("postgres"), database=database, owner=owner, app_role=app,
        pgpass=pgpass,
    )  # fmt: skip
    yield result
    pg_server.drop(database)
    for role in (app, owner):
        pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')


def _refused(conn: psycopg.Connection, statement: str) -> str:
    try:
        with conn.transaction():
            conn.execute(statement)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        return str(exc)
    raise AssertionError(f"the server accepted: {statement}")


def test_pg_setup_makes_an_owner_and_a_login_role_without_ddl_and_insert_only_audit(
    made: PgSetupResult, pg_server: PgServer, clock: FixedClock
) -> None:
    assert set(made.created) == {made.owner, made.app_role, made.database}
    # the passwords are in the 0600 .pgpass only; the URL the workstations use has none
    mode = stat.S_IMODE(made.pgpass.stat().st_mode)
    assert mode == 0o600
    lines = made.pgpass.read_text(encoding="utf-8").splitlines()
    users = {line.split(":")[3]: line.split(":")[4] for line in lines}
    assert set(users) == {made.owner, made.app_role} and all(len(p) >= 24 for p in users.values())
    assert make_url(made.app_url).password is None and made.app_role in made.app_url
    assert not any(p in made.app_url for p in users.values())
    # the program sets the archive up and works under the login role
    app = DatabaseLocation.parse(made.app_url)
    setup = initialize_database(location=app, request=make_setup_request(), clock=clock)
    try:
        add_archivist(setup.session, clock)
    finally:
        sign_out(session=setup.session, clock=clock)
    session = sign_in(location=app, username="lisi", password=PASSWORD, clock=clock)
    try:
        register_customer(session=session, draft=person(), clock=clock)
    finally:
        sign_out(session=session, clock=clock)
    dsn = make_url(made.app_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == made.app_role  # type: ignore[index]
        owners = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        assert owners == {made.owner}
        assert conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0] > 0  # type: ignore[index]
        # no DDL
        assert "permission denied" in _refused(conn, "CREATE TABLE sneaky (id int)")
        assert "must be owner" in _refused(conn, "ALTER TABLE customer ADD COLUMN x int")
        assert "must be owner" in _refused(conn, "DROP TABLE setting")
        assert "permission denied" in _refused(conn, "UPDATE alembic_version SET version_num = '1'")
        # audit tables: insert and read only (grants), the trigger besides
        for table in ("audit_entry", "audit_checkpoint", "audit_seal"):
            for statement in (f"DELETE FROM {table}", f"TRUNCATE {table}"):
                assert "permission denied" in _refused(conn, statement)
        assert "permission denied" in _refused(conn, "UPDATE audit_entry SET purpose = ''")
        assert "must be owner" in _refused(
            conn, "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"
        )
    # run again (after an upgrade): nothing re-made, no password changed, grants re-applied
    again = setup_server(
        url=pg_server.url_for("postgres"), database=made.database, owner=made.owner,
        app_role=made.app_role, pgpass=made.pgpass,
    )  # fmt: skip
    assert again.created == [] and again.passwords_set == []
    assert made.pgpass.read_text(encoding="utf-8").splitlines() == lines


def test_the_login_role_signs_in_with_the_pgpass_password_and_nothing_else(
    made: PgSetupResult, pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server asks the app role for its password (SCRAM): only the 0600 file has it."""
    hba = Path(os.environ["ARCHIVE_ROOM_TEST_PGDATA"]) / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text(
        f"local {made.database} {made.app_role} scram-sha-256\n" + original, encoding="utf-8"
    )
    pg_ctl("reload")
    try:
        app = DatabaseLocation.parse(made.app_url)
        assert app.url is not None and make_url(app.url).password is None
        engine = engine_for(app, None)
        try:
            with engine.connect() as conn:  # libpq reads PGPASSFILE (the fixture's file)
                assert conn.exec_driver_sql("SELECT current_user").scalar() == made.app_role
        finally:
            engine.dispose()
        empty = tmp_path / "empty.pgpass"
        empty.write_text("", encoding="utf-8")
        empty.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(empty))
        engine = engine_for(app, None)
        try:
            with pytest.raises(DatabaseUnavailable) as refused, engine.connect():
                pass
        finally:
            engine.dispose()
        assert "服务器拒绝了登录" in describe(refused.value)
    finally:
        hba.write_text(original, encoding="utf-8")
        pg_ctl("reload")


def test_pg_setup_on_the_command_line_never_shows_a_password(
    pg_server: PgServer, tmp_path: Path
) -> None:
    from tests.integration.test_demo_and_cli import cli

    pid = os.getpid()
    database, owner, app = f"{pg_server.prefix}cli", f"ar_cowner_{pid}", f"ar_capp_{pid}"
    pgpass = tmp_path / "pgpass"
    try:
        done = cli(
            "pg-setup", "--url", pg_server.url_for("postgres"), "--database", database,
            "--owner", owner, "--app-role", app, "--pgpass", str(pgpass),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "各工作站使用的数据库地址" in done.stdout and "0600" in done.stdout
        for line in pgpass.read_text(encoding="utf-8").splitlines():
            assert line.rsplit(":", 1)[1] not in done.stdout + done.stderr
    finally:
        pg_server.drop(database)
        for role in (app, owner):
            pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_a_server_not_on_this_computer_is_reached_only_over_verified_tls() -> None:
    local = "postgresql+psycopg://app@/archive?host=/run/postgresql"
    assert secure_url(local) == local
    assert secure_url("postgresql+psycopg://app@localhost/archive").endswith("/archive")
    remote = secure_url("postgresql+psycopg://app@db.example.cn:5432/archive")
    assert make_url(remote).query["sslmode"] == "verify-full"
    kept = "postgresql+psycopg://app@db.example.cn/archive?sslmode=verify-ca"
    assert secure_url(kept) == kept
    for mode in ("disable", "allow", "prefer"):
        with pytest.raises(TlsRequired) as refused:
            secure_url(f"postgresql+psycopg://app@db.example.cn/archive?sslmode={mode}")
        text = describe(refused.value)
        assert "必须加密" in text and f"sslmode={mode}" in text and "db.example.cn" in text


def _plain_only_server() -> tuple[socket.socket, int]:
    """A listener speaking the first step of the PostgreSQL protocol: SSL refused ('N')."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                if conn.recv(8)[4:8] == (80877103).to_bytes(4, "big"):  # SSLRequest
                    conn.sendall(b"N")
                    conn.recv(1024)

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def test_a_server_that_refuses_tls_gives_a_clear_chinese_message(clock: FixedClock) -> None:
    listener, port = _plain_only_server()
    try:
        url = f"postgresql+psycopg://app@127.0.0.1:{port}/archive?sslmode=verify-full"
        with pytest.raises(TlsFailed) as failed:
            sign_in(
                location=DatabaseLocation.parse(url), username="boss", password="x", clock=clock
            )
        text = describe(failed.value)
        assert "加密连接" in text and "不支持" in text and "127.0.0.1" in text
    finally:
        listener.close()
