"""Repeated views are one entry; old entries leave only into a signed archive (issue 9)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import audit
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume, get_volume
from app.services.customers import register_customer, reveal_customer
from app.storage.location import DatabaseLocation
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, as_audit_table_owner, person, potential, sign_in_as, signed_in


@pytest.fixture
def auditor(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    session = sign_in_as(admin, location, clock, "audit", [Role.AUDITOR])
    yield session
    sign_out(session=session, clock=clock)


def count(session: SignedIn, clock: FixedClock, action: str) -> int:
    page = audit.search_audit(session=session, audit_filter=AuditFilter(action=action), clock=clock)
    return len(page.rows)


def test_the_same_view_for_the_same_purpose_in_one_session_is_one_entry(
    archivist: SignedIn, auditor: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    for _ in range(5):
        reveal_customer(session=archivist, customer_id=cid, purpose="办理借阅核对身份", clock=clock)
    assert count(auditor, clock, "customer.reveal") == 1
    reveal_customer(session=archivist, customer_id=cid, purpose="客户来电核实信息", clock=clock)
    assert count(auditor, clock, "customer.reveal") == 2
    with signed_in(location, "lisi", PASSWORD, clock) as again:
        reveal_customer(session=again, customer_id=cid, purpose="办理借阅核对身份", clock=clock)
    assert count(auditor, clock, "customer.reveal") == 3  # a new session is a new entry


def test_viewing_a_confidential_volume_is_recorded_once_per_session(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    vid = create_volume(
        session=archivist,
        draft=VolumeDraft(customer_id=cid, year=2024, title="授信档案", retention="Y"),
        clock=clock,
    ).volume_id
    plain = create_volume(
        session=archivist,
        draft=VolumeDraft(customer_id=cid, year=2025, title="普通档案", retention="Y"),
        clock=clock,
    ).volume_id
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="授信资料", secrecy_level="confidential", secrecy_term_years=20),
        clock=clock,
    )
    for _ in range(3):
        get_volume(session=archivist, volume_id=vid, clock=clock)
        get_volume(session=archivist, volume_id=plain, clock=clock)
    rows = audit.search_audit(
        session=auditor, audit_filter=AuditFilter(action="catalogue.view_classified"), clock=clock
    ).rows
    assert [(r.object_id, r.actor_name) for r in rows] == [(str(vid), "lisi")]


def test_old_entries_are_archived_to_a_signed_file_and_the_chain_still_verifies(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    before = audit.verify_audit_chain(auditor.store).head_seq
    clock.advance(days=400)  # more than a year without a write: the clock is confirmed first
    audit.reset_time_mark(
        session=auditor,
        second_username="boss",
        second_password=ADMIN_PASSWORD,
        reason="库房停用一年多后重新启用，时钟已核对",
        clock=clock,
    )
    # a fresh entry after the pause (a registration: a reveal would need this year's training)
    register_customer(session=archivist, draft=potential(), clock=clock)
    target = tmp_path / "audit-archive.json"
    two = {"second_username": "boss", "second_password": ADMIN_PASSWORD}
    with pytest.raises(ValidationFailed) as info:
        audit.archive_audit(
            session=auditor,
            retention_days=100,
            target=target,
            purpose="年度归档",
            clock=clock,
            **two,
        )
    assert [(e.field, e.reason) for e in info.value.errors] == [("retention_days", "retention_min")]
    with pytest.raises(PermissionDenied):
        audit.archive_audit(
            session=archivist, retention_days=365, target=target, purpose="x", clock=clock, **two
        )
    result = audit.archive_audit(
        session=auditor, retention_days=365, target=target, purpose="年度归档", clock=clock, **two
    )
    assert (result.first_seq, result.through_seq) == (1, before)
    report = audit.verify_audit_chain(auditor.store)
    assert report.ok, [b.describe() for b in report.breaks]
    if auditor.store.engine.dialect.name == "postgresql":
        # the server keeps the trail append-only: the rows stay, the archive is the signed copy
        assert report.first_seq == 1
    else:
        assert report.first_seq == before + 1
    data = target.read_bytes()
    assert audit.verify_audit_archive(session=auditor, data=data, clock=clock) == before
    (logged,) = audit.search_audit(
        session=auditor, audit_filter=AuditFilter(action="audit.archive"), clock=clock
    ).rows
    assert logged.purpose == "年度归档" and f"末条序号：{before}" in logged.details
    doc = json.loads(data)
    doc["entries"][0]["actor_name"] = "someone"
    with pytest.raises(ValidationFailed) as info:
        audit.verify_audit_archive(session=auditor, data=json.dumps(doc).encode(), clock=clock)
    assert [e.reason for e in info.value.errors] == ["archive_invalid"]
    with pytest.raises(ValidationFailed) as info:
        audit.archive_audit(
            session=auditor, retention_days=365, target=target, purpose="再次", clock=clock, **two
        )
    assert [e.reason for e in info.value.errors] == ["nothing_to_archive"]


def test_deleting_the_oldest_entries_without_archiving_is_reported(
    admin: SignedIn, clock: FixedClock
) -> None:
    with admin.store.engine.begin() as conn, as_audit_table_owner(conn):
        conn.exec_driver_sql("DELETE FROM audit_entry WHERE seq <= 2")
    report = audit.verify_audit_chain(admin.store)
    assert report.first_break is not None and report.first_break.reason == "start_unanchored"


def test_there_is_no_service_that_clears_the_trail() -> None:
    names = [n for n in dir(audit) if not n.startswith("_")]
    assert not [n for n in names if any(w in n for w in ("clear", "purge", "delete", "truncate"))]
