"""A PostgreSQL server restarted or cut off mid-session (issue 22 point 5), on the throwaway
server of ``.ci/with-postgres``: clear Chinese messages, no new sign-in needed afterwards, and
a write is never taken for saved unless the server committed it."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from app.clock import FixedClock
from app.errors import DatabaseUnavailable
from app.messages import describe
from app.services.audit import verify_audit_chain
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import Customer
from tests.engines import pg_ctl
from tests.factories import person

pytestmark = pytest.mark.postgresql_only(reason="stops and starts the PostgreSQL server")


@pytest.fixture
def server_back() -> Iterator[None]:
    """Whatever a test did to the server, it is running again afterwards."""
    yield
    with contextlib.suppress(subprocess.CalledProcessError):  # already running
        pg_ctl("start")


def _names(session: SignedIn, clock: FixedClock) -> list[str]:
    with session.uow(clock) as uow:
        return sorted(uow.session.scalars(select(Customer.name)).all())


def _audit_count(session: SignedIn, clock: FixedClock) -> int:
    from app.storage.models import AuditEntry

    with session.uow(clock) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_server_restart_between_two_writes_needs_no_new_sign_in(
    archivist: SignedIn, clock: FixedClock, server_back: None
) -> None:
    register_customer(session=archivist, draft=person(name="甲一"), clock=clock)
    pg_ctl("restart")
    register_customer(
        session=archivist,
        draft=person(name="乙二", id_number="110105194912310038", phones=(), bank_accounts=()),
        clock=clock,
    )
    assert _names(archivist, clock) == ["乙二", "甲一"]
    assert verify_audit_chain(archivist.store).ok


def test_a_write_while_the_server_is_down_is_a_clear_message_then_a_retry_saves_it_once(
    archivist: SignedIn, clock: FixedClock, server_back: None
) -> None:
    draft = person(name="丙三")
    entries = _audit_count(archivist, clock)
    pg_ctl("stop")
    with pytest.raises(DatabaseUnavailable) as lost:
        register_customer(session=archivist, draft=draft, clock=clock)
    text = describe(lost.value)
    assert "无法连接数据库服务器" in text and "服务器没有响应" in text and "不算已保存" in text
    assert "Traceback" not in text and "OperationalError" not in text
    pg_ctl("start")
    assert _names(archivist, clock) == []  # nothing half-saved
    assert _audit_count(archivist, clock) == entries
    register_customer(session=archivist, draft=draft, clock=clock)  # the same typed draft
    assert _names(archivist, clock) == ["丙三"]
    assert verify_audit_chain(archivist.store).ok


def test_a_connection_cut_at_commit_is_never_reported_as_saved(
    archivist: SignedIn, clock: FixedClock, server_back: None
) -> None:
    entries = _audit_count(archivist, clock)
    engine = archivist.store.engine
    cut: list[bool] = []

    def stop_before_commit(_conn: object) -> None:
        if not cut:  # the server goes away with the transaction sent but not committed
            cut.append(True)
            pg_ctl("stop")

    event.listen(engine, "commit", stop_before_commit)
    try:
        with pytest.raises(DatabaseUnavailable) as lost:
            register_customer(session=archivist, draft=person(name="丁四"), clock=clock)
    finally:
        event.remove(engine, "commit", stop_before_commit)
    assert cut and "与服务器的连接被中断" in describe(lost.value)
    pg_ctl("start")
    assert _names(archivist, clock) == []
    assert _audit_count(archivist, clock) == entries
    register_customer(session=archivist, draft=person(name="丁四"), clock=clock)
    assert _names(archivist, clock) == ["丁四"]
    assert verify_audit_chain(archivist.store).ok


def test_a_signed_in_store_keeps_its_connection_and_replaces_one_cut_by_a_restart(
    archivist: SignedIn, server_back: None
) -> None:
    """A pool, not a new server backend per query; a restart costs a reconnect, no error."""

    def backend() -> int:
        with archivist.store.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    first = backend()
    assert backend() == first  # the same server connection, taken from the pool again
    pg_ctl("restart")
    assert backend() != first  # the cut one was found dead at checkout and replaced
