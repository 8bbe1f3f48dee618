"""On a PostgreSQL server the audit trail is append-only, enforced by the server (issue 23).

Migration 0011 installs a trigger on ``audit_entry``, ``audit_checkpoint`` and ``audit_seal``
that refuses UPDATE, DELETE and TRUNCATE to every role, the table owner included, and revokes
those privileges. These tests replay an insider with the program's own database connection
(which here is the owner) and, as docs/security.md recommends for production, with a login role
that was granted ``SELECT, INSERT`` on the audit tables by a separate owner: that role cannot
switch the trigger off or drop it either, and the program still works under it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.clock import FixedClock
from app.services.audit import start_audit_sealing, verify_audit_chain
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from tests.conftest import ADMIN_PASSWORD, AUDITOR_PASSWORD, AUDITOR_USER
from tests.engines import PgServer
from tests.factories import PASSWORD, add_archivist, person

pytestmark = pytest.mark.postgresql_only(reason="the server's own append-only enforcement")

AUDIT_TABLES = ("audit_entry", "audit_checkpoint", "audit_seal")
TAMPERINGS = (
    "UPDATE {table} SET {column} = {column}",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
)
A_COLUMN = {"audit_entry": "purpose", "audit_checkpoint": "seq", "audit_seal": "mac"}


@pytest.fixture
def sealed(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> SignedIn:
    """A database whose three audit tables all hold rows (entries, checkpoints, seals)."""
    auditor = sign_in(
        location=location, username=AUDITOR_USER, password=AUDITOR_PASSWORD, clock=clock
    )
    try:
        start_audit_sealing(session=auditor, clock=clock)
    finally:
        sign_out(session=auditor, clock=clock)
    return admin


def counts(conn: Connection) -> dict[str, int]:
    sql = "SELECT count(*) FROM {}"
    return {t: int(conn.execute(text(sql.format(t))).scalar_one()) for t in AUDIT_TABLES}


def refused(conn: Connection, statement: str) -> str:
    """Run ``statement`` in a savepoint; return the server's refusal (fails if it ran)."""
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        savepoint.rollback()
        return str(exc.orig)
    savepoint.rollback()
    raise AssertionError(f"the server accepted: {statement}")


def test_the_server_refuses_update_delete_and_truncate_of_the_audit_tables(
    sealed: SignedIn,
) -> None:
    engine = sealed.store.engine
    with engine.connect() as conn, conn.begin():
        before = counts(conn)
        assert all(before.values()), before  # every table has rows for the row trigger to see
        for table in AUDIT_TABLES:
            for template in TAMPERINGS:
                message = refused(conn, template.format(table=table, column=A_COLUMN[table]))
                assert "append-only" in message and table in message, message
        assert counts(conn) == before
    assert verify_audit_chain(sealed.store).ok


def test_the_refusal_binds_the_owner_and_a_superuser_connection_alike(
    sealed: SignedIn, pg_server: PgServer, location: DatabaseLocation
) -> None:
    """Not only the program's engine: any session on the database, the superuser's included."""
    assert location.url is not None
    url = make_url(location.url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            owner = conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entry'")
            ).scalar_one()
            assert owner == conn.execute(text("SELECT current_user")).scalar_one()
            message = refused(conn, "DELETE FROM audit_entry WHERE seq = 1")
            assert "append-only" in message
    finally:
        engine.dispose()


# --- the recommended deployment: the program logs in with a role that owns nothing --------------
@pytest.fixture
def clerk_location(
    sealed: SignedIn, pg_server: PgServer, location: DatabaseLocation
) -> Iterator[DatabaseLocation]:
    """The database reached through a login role granted what docs/security.md says."""
    assert location.url is not None
    database = make_url(location.url).database
    assert database is not None
    role = f"ar_clerk_{os.getpid()}"
    # the vault table is made at the vault's first use: by the owner, before the grants
    assert sealed.store.vault.count() >= 0
    pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')
    pg_server.execute(f'CREATE ROLE "{role}" LOGIN')
    for statement in (
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        *(f'REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM "{role}"' for t in AUDIT_TABLES),
    ):
        pg_server.execute(statement, database)
    clerk = DatabaseLocation.parse(
        make_url(location.url).set(username=role).render_as_string(hide_password=False)
    )
    try:
        yield clerk
    finally:
        pg_server.execute(f'DROP OWNED BY "{role}"', database)
        pg_server.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_a_login_role_that_owns_nothing_can_neither_tamper_nor_switch_the_trigger_off(
    clerk_location: DatabaseLocation, clock: FixedClock
) -> None:
    assert clerk_location.url is not None
    engine = create_engine(make_url(clerk_location.url))
    try:
        with engine.connect() as conn, conn.begin():
            for table in AUDIT_TABLES:
                for template in TAMPERINGS:
                    message = refused(conn, template.format(table=table, column=A_COLUMN[table]))
                    assert "permission denied" in message, message
                for statement in (
                    f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
                    f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                    f"DROP TRIGGER {table}_append_only ON {table}",
                ):
                    assert "must be owner" in refused(conn, statement)
            assert re.search(  # nor replace the trigger's function
                "must be owner|permission denied",
                refused(
                    conn,
                    "CREATE OR REPLACE FUNCTION archive_room_append_only() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
                ),
            )
            assert "permission denied" in refused(conn, "SET session_replication_role = replica")
    finally:
        engine.dispose()


def test_the_program_works_under_a_login_role_that_owns_nothing(
    sealed: SignedIn, clerk_location: DatabaseLocation, clock: FixedClock
) -> None:
    """Sign-in, a write with its audit entry, a checkpoint and a seal at sign-out."""
    add_archivist(sealed, clock)
    session = sign_in(location=clerk_location, username="lisi", password=PASSWORD, clock=clock)
    try:
        with session.store.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one().startswith("ar_clerk_")
            before = counts(conn)
        register_customer(session=session, draft=person(), clock=clock)
    finally:
        sign_out(session=session, clock=clock)
    admin = sign_in(location=clerk_location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    try:
        with admin.store.engine.connect() as conn:
            after = counts(conn)
        assert after["audit_entry"] > before["audit_entry"]
        assert after["audit_checkpoint"] > before["audit_checkpoint"]
        assert after["audit_seal"] > before["audit_seal"]
        assert verify_audit_chain(admin.store).ok
    finally:
        sign_out(session=admin, clock=clock)
