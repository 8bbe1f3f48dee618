"""The auditor's view: filters, a customer's or volume's history, summary, logged exports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import audit
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_out
from app.services.customers import register_customer, reveal_customer
from app.storage.location import DatabaseLocation
from tests.factories import customer_with_volume, person, sign_in_as
from tests.pdf_text import pdf_text


@pytest.fixture
def auditor(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    session = sign_in_as(admin, location, clock, "audit", [Role.AUDITOR])
    yield session
    sign_out(session=session, clock=clock)


def test_only_the_auditor_reads_the_trail(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    for session in (admin, archivist):
        with pytest.raises(PermissionDenied):
            audit.search_audit(session=session, audit_filter=AuditFilter(), clock=clock)


def test_filters_by_user_action_object_date_and_purpose(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    clock.advance(days=2)
    reveal_customer(session=archivist, customer_id=cid, purpose="办理借阅核对身份", clock=clock)
    reveal_customer(session=archivist, customer_id=cid, purpose="客户来电核实信息", clock=clock)
    day = clock.now().astimezone().date()

    def actions(f: AuditFilter) -> list[str]:
        return [
            r.action for r in audit.search_audit(session=auditor, audit_filter=f, clock=clock).rows
        ]

    assert actions(AuditFilter(user="lisi", action="customer.reveal")) == ["customer.reveal"] * 2
    assert actions(AuditFilter(purpose="借阅")) == ["customer.reveal"]
    assert actions(AuditFilter(object_type="customer", object_id=str(cid))) == [
        "customer.reveal",
        "customer.reveal",
        "customer.create",
    ]
    assert "customer.create" not in actions(AuditFilter(date_from=day, date_to=day))
    assert actions(AuditFilter(action="customer.")) == [
        "customer.reveal",
        "customer.reveal",
        "customer.create",
    ]
    with pytest.raises(ValidationFailed) as info:
        audit.search_audit(
            session=auditor,
            audit_filter=AuditFilter(date_from=day, date_to=day - timedelta(days=1)),
            clock=clock,
        )
    assert [(e.field, e.reason) for e in info.value.errors] == [("date_to", "date_order")]


def test_pages_continue_from_the_last_sequence_number(auditor: SignedIn, clock: FixedClock) -> None:
    first = audit.search_audit(session=auditor, audit_filter=AuditFilter(), clock=clock, limit=3)
    assert len(first.rows) == 3 and first.next_before == first.rows[-1].seq
    second = audit.search_audit(
        session=auditor,
        audit_filter=AuditFilter(),
        clock=clock,
        limit=3,
        before_seq=first.next_before,
    )
    assert second.rows[0].seq == first.rows[-1].seq - 1


def test_a_customers_history_includes_its_volumes_and_unknown_numbers_are_named(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    saved, volume = customer_with_volume(archivist, clock)
    target, rows = audit.get_object_history(
        session=auditor, kind="customer", key=saved.number, clock=clock
    )
    assert target.title == f"客户 {saved.number}"
    assert [r.action for r in rows] == ["customer.create", "volume.create"]
    target, rows = audit.get_object_history(
        session=auditor, kind="volume", key=volume.reference_code, clock=clock
    )
    assert [r.action for r in rows] == ["volume.create"]
    with pytest.raises(ValidationFailed) as info:
        audit.get_object_history(session=auditor, kind="customer", key="KH99999999", clock=clock)
    assert [(e.field, e.reason) for e in info.value.errors] == [("customer_number", "not_found")]


def test_summary_counts_per_user_day_reveals_failures_and_after_hours(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    late = datetime(2026, 1, 10, 22, 30, tzinfo=UTC).astimezone()  # a Saturday evening
    night = FixedClock(late.astimezone(UTC))
    reveal_customer(session=archivist, customer_id=cid, purpose="核对", clock=night)
    with archivist.uow(clock) as uow:
        uow.audit.record("auth.sign_in_failed", object_type="user", actor_name="mallory")
        uow.commit()
    summary = audit.get_audit_summary(
        session=auditor,
        date_from=datetime(2026, 1, 1).date(),
        date_to=datetime(2026, 1, 31).date(),
        clock=clock,
    )
    assert dict(summary.reveals) == {"lisi": 1}
    assert dict(summary.failed_sign_ins) == {"mallory": 1}
    assert dict(summary.after_hours).get("lisi", 0) >= 1
    assert sum(n for _d, _u, n in summary.per_user_day) == summary.total
    assert (late.date(), "lisi", 1) in summary.per_user_day


def test_exports_need_a_purpose_are_logged_and_read_back(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    reveal_customer(session=archivist, customer_id=cid, purpose="办理借阅核对身份", clock=clock)
    f = AuditFilter(action="customer.reveal")
    with pytest.raises(ValidationFailed):
        audit.export_audit(session=auditor, audit_filter=f, fmt="pdf", purpose=" ", clock=clock)
    pdf = audit.export_audit(
        session=auditor, audit_filter=f, fmt="pdf", purpose="季度检查", clock=clock
    )
    text = "".join(pdf_text(pdf).split())  # cells wrap
    assert "审计记录" in text and "显示完整信息" in text and "办理借阅核对身份" in text
    assert "用途：季度检查" in text
    xlsx = audit.export_audit(
        session=auditor, audit_filter=f, fmt="xlsx", purpose="季度检查", clock=clock
    )
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [v[3] for v in values] == ["显示完整信息"] and values[0][6] == "办理借阅核对身份"
    logged = audit.search_audit(
        session=auditor, audit_filter=AuditFilter(action="audit.export"), clock=clock
    )
    assert [r.purpose for r in logged.rows] == ["季度检查", "季度检查"]
    assert "行数：1" in logged.rows[0].details and "格式：Excel" in logged.rows[0].details
    with pytest.raises(PermissionDenied):
        audit.export_audit(
            session=archivist, audit_filter=f, fmt="pdf", purpose="看看", clock=clock
        )


def test_a_customers_history_exports_with_its_own_heading(
    archivist: SignedIn, auditor: SignedIn, clock: FixedClock
) -> None:
    saved = register_customer(session=archivist, draft=person(), clock=clock)
    reveal_customer(session=archivist, customer_id=saved.customer_id, purpose="核对", clock=clock)
    xlsx = audit.export_audit(
        session=auditor,
        audit_filter=AuditFilter(),
        fmt="xlsx",
        purpose="专项检查",
        clock=clock,
        history=("customer", saved.number),
    )
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    assert f"客户 {saved.number} 的完整历史" in str(sheet["A1"].value)
    assert [r[3] for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        "登记客户",
        "显示完整信息",
    ]
