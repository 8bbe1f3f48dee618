"""Leaving hand-over, monthly filing hand-over and access reviews (R26, R27, issue 20).

The hand-over moves every kind of holding to a successor who confirms with their password,
prints the 交接清单, and only then can the account be disabled; the monthly 归档移交 is
confirmed by the department's clerk and overdue departments are found by date; access reviews
are recorded line by line and printed. Printed lists are read back with pypdfium2.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.domain.inspection_rows import InspectionDraft, Inspector, TaskDraft
from app.domain.staff import HoldingKind, StaffState
from app.errors import OpenHoldings, PersonConfirmationFailed, ValidationFailed
from app.services import staff, users
from app.services.customers import register_customer
from app.services.inspections import record_finding, start_inspection
from app.services.loans import issue_loan
from app.services.staff import printing as staff_printing
from app.storage.location import DatabaseLocation
from app.storage.models import (
    AuditEntry,
    CustodyHandover,
    Customer,
    InspectionSession,
    RepairTask,
    StorageLocation,
    UseApplication,
)
from tests.factories import PASSWORD, potential
from tests.integration.test_locations import safe, shelf
from tests.loan_helpers import Desk, approve_all, make_volume, staff_application
from tests.pdf_text import pdf_text


def _person(desk: Desk, username: str) -> int:
    return next(
        p.id
        for p in staff.list_people(session=desk.admin, clock=desk.clock)
        if p.username == username
    )


def _hand_over_zhao(
    desk: Desk,
    leaving: StaffState,
    successor: str,
    supervisor: str,
    password: str = PASSWORD,
    **extra: object,
) -> staff.StaffHandoverSheet:
    """李四 hands zhao's holdings over to ``successor`` (confirmed with ``password``) before
    ``supervisor``; ``extra``: ``note``, ``kinds``. Returns the hand-over sheet."""
    return staff.hand_over_holdings(
        session=desk("lisi"),
        person_id=_person(desk, "zhao"),
        leaving=leaving,
        successor_user_id=desk.ids[successor],
        successor_username=successor,
        successor_password=password,
        supervisor=supervisor,
        clock=desk.clock,
        **extra,  # type: ignore[arg-type]
    )


def _give_zhao_one_of_everything(desk: Desk) -> dict[str, int]:
    """zhao (archivist, 销售部) keeps a safe, borrows, applies, looks after a customer, repairs,
    inspects and is the department's filing clerk."""
    clock, lisi, zhao = desk.clock, desk("lisi"), desk.ids["zhao"]
    safe(lisi, clock, zhao, layers="1")
    shelf(lisi, clock, columns="1", faces="A", sections="1", layers="1")
    vid, _code = make_volume(lisi, clock, title="王五2024年度客户档案")
    lent = staff_application(desk, [vid])
    approve_all(desk, lent, "info")
    issue_loan(session=lisi, application_id=lent, volume_id=vid, clock=clock)
    other, _ = make_volume(lisi, clock, title="赵六2024年度客户档案")
    waiting = staff_application(desk, [other])
    cid = register_customer(
        session=lisi,
        draft=potential(name="钱七", responsible_user_id=zhao),
        clock=clock,
    ).customer_id
    finding = record_finding(
        session=lisi,
        volume_id=other,
        kind="damage",
        description="封面破损",
        clock=clock,
        task=TaskDraft(kind="mend", due_on=date(2026, 2, 1), responsible_user_id=zhao),
    )
    with lisi.uow(clock) as uow:
        room = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == "K1"))
    inspection = start_inspection(
        session=lisi,
        draft=InspectionDraft(
            kind="special",
            room_id=room,
            inspected_on=date(2026, 1, 5),
            inspectors=(Inspector(user_id=zhao), Inspector(user_id=desk.ids["lisi"])),
        ),
        clock=clock,
    )
    dep = staff.add_department(session=desk.admin, name="销售部", clock=clock)
    staff.set_filing_clerk(
        session=desk.admin, department_id=dep, person_id=_person(desk, "zhao"), clock=clock
    )
    return {
        "loan_app": lent,
        "waiting": waiting,
        "customer": cid,
        "task": finding.task_id or 0,
        "inspection": inspection,
        "department": dep,
    }


def test_leaving_hand_over_moves_every_kind_prints_the_list_and_only_then_allows_disabling(
    desk: Desk,
) -> None:
    clock = desk.clock
    made = _give_zhao_one_of_everything(desk)
    zhao_person = _person(desk, "zhao")
    held = staff.list_holdings(session=desk("lisi"), person_id=zhao_person, clock=clock)
    kinds = {h.kind for h in held}
    assert kinds == {
        HoldingKind.CUSTODY,
        HoldingKind.LOAN,
        HoldingKind.APPLICATION,
        HoldingKind.CUSTOMER,
        HoldingKind.REPAIR,
        HoldingKind.INSPECTION,
        HoldingKind.FILING_CLERK,
    }
    assert all("钱七" not in h.what for h in held)  # the customer's name is masked
    # disabling with open items is refused and says what is open
    with pytest.raises(OpenHoldings) as refused:
        users.disable_user(session=desk.admin, user_id=desk.ids["zhao"], clock=clock)
    assert "保管的保险柜/涉密专柜 1 项" in refused.value.params["items"]
    assert "负责的客户 1 项" in refused.value.params["items"]
    # the successor's password is checked
    with pytest.raises(PersonConfirmationFailed):
        _hand_over_zhao(desk, StaffState.LEFT, "both", "钱部长", password="wrong")
    sheet = _hand_over_zhao(desk, StaffState.LEFT, "both", "钱部长", note="离职")
    assert sheet.remaining == 0 and len(sheet.lines) == len(held)
    both = desk.ids["both"]
    with desk.admin.uow(clock) as uow:
        s = uow.session
        assert (
            s.scalar(select(StorageLocation.custodian_id).where(StorageLocation.secure.is_(True)))
            == both
        )
        assert s.scalars(select(CustodyHandover)).one().to_user_id == both  # the custody record too
        assert s.get(UseApplication, made["loan_app"]).applicant_user_id == both  # type: ignore[union-attr]
        assert s.get(UseApplication, made["waiting"]).applicant_user_id == both  # type: ignore[union-attr]
        assert s.get(Customer, made["customer"]).responsible_user_id == both  # type: ignore[union-attr]
        assert s.get(RepairTask, made["task"]).responsible_user_id == both  # type: ignore[union-attr]
        people = json.loads(s.get(InspectionSession, made["inspection"]).inspectors)  # type: ignore[union-attr]
        assert {p["user_id"] for p in people} == {both, desk.ids["lisi"]}
        actions = list(
            s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.action.in_(["staff.handover", "custody.handover"])
                )
            )
        )
        assert sorted(actions) == ["custody.handover", "staff.handover"]
    dep = next(
        d
        for d in staff.list_departments(session=desk.admin, clock=clock)
        if d.id == made["department"]
    )
    assert dep.filing_clerk_id == _person(desk, "both")
    assert (
        staff.get_person(session=desk.admin, person_id=zhao_person, clock=clock).state_label
        == "离职"
    )
    # the printed 交接清单: every line and three signatures
    text = pdf_text(
        staff_printing.staff_handover_pdf(session=desk("lisi"), handover_id=sheet.id, clock=clock)
    )
    for word in (
        "离职交接清单",
        sheet.number,
        "交接人",
        "接办人",
        "监交人",
        "钱部长",
        "郑双",
        "保管的保险柜/涉密专柜",
        "借出未还的案卷",
        "负责的客户",
        "未完成的修复任务",
        "未结束的库房检查",
        "部门归档专人",
        "销售部",
    ):
        assert word in text, word
    assert "钱七" not in text
    # nothing open any more: the account can be disabled
    users.disable_user(session=desk.admin, user_id=desk.ids["zhao"], clock=clock)


def test_a_successor_who_cannot_take_a_kind_is_refused_before_anything_moves(desk: Desk) -> None:
    _give_zhao_one_of_everything(desk)
    zhao_person = _person(desk, "zhao")
    with pytest.raises(ValidationFailed) as refused:
        _hand_over_zhao(desk, StaffState.TRANSFERRED, "head", "吴监事")
    assert ("successor", "not_archivist") in [(e.field, e.reason) for e in refused.value.errors]
    # custody only, to lisi; the rest stays and the person stays 在职
    sheet = _hand_over_zhao(
        desk, StaffState.TRANSFERRED, "lisi", "吴监事", kinds=[HoldingKind.CUSTODY]
    )
    assert [line.kind_label for line in sheet.lines] == ["保管的保险柜/涉密专柜"]
    assert sheet.remaining == 6
    assert (
        staff.get_person(session=desk.admin, person_id=zhao_person, clock=desk.clock).state_label
        == "在职"
    )


def test_monthly_filing_is_confirmed_by_the_clerk_overdue_after_the_tenth_and_printed(
    desk: Desk,
) -> None:
    clock = desk.clock  # 2026-01-05: December's filing is due by 2026-01-10
    sales = staff.add_department(session=desk.admin, name="销售部", clock=clock)
    service = staff.add_department(session=desk.admin, name="客服部", clock=clock)
    staff.add_department(session=desk.admin, name="后勤部", clock=clock)  # no clerk: not tracked
    staff.set_filing_clerk(
        session=desk.admin, department_id=sales, person_id=_person(desk, "zhao"), clock=clock
    )
    clerk = staff.register_person(
        session=desk.admin, draft=staff.PersonDraft(name="孙丽", department_id=service), clock=clock
    )
    staff.set_filing_clerk(session=desk.admin, department_id=service, person_id=clerk, clock=clock)
    status = staff.get_filing_status(session=desk("lisi"), clock=clock)
    assert (status.period, status.deadline, status.overdue) == ("2025-12", date(2026, 1, 10), ())
    clock.advance(days=6)  # 2026-01-11
    status = staff.get_filing_status(session=desk("lisi"), clock=clock)
    assert [d.department for d in status.overdue] == ["客服部", "销售部"]
    vid, code = make_volume(desk("lisi"), clock, items=2, pages_each=5)
    with pytest.raises(PersonConfirmationFailed):
        staff.record_filing_handover(
            session=desk("lisi"),
            department_id=sales,
            period="2025-12",
            volume_ids=[vid],
            clerk_username="zhao",
            clerk_password="nope",
            clock=clock,
        )
    done = staff.record_filing_handover(
        session=desk("lisi"),
        department_id=sales,
        period="2025-12",
        volume_ids=[vid],
        lines=[staff.FilingLine("12月销售合同（未立卷）", 14, 60)],
        clerk_username="zhao",
        clerk_password=PASSWORD,
        clock=clock,
    )
    assert (done.row.items, done.row.pages, done.row.clerk_confirmed) == (16, 70, "password")

    # a clerk without an account signs the paper list
    def nothing_filed(**signature: bool) -> None:
        staff.record_filing_handover(
            session=desk("lisi"),
            department_id=service,
            period="2025-12",
            volume_ids=[],
            clock=clock,
            note="本月无归档",
            **signature,  # type: ignore[arg-type]
        )

    with pytest.raises(ValidationFailed):
        nothing_filed()  # neither a password nor the paper signature
    nothing_filed(paper_signature=True)
    assert staff.get_filing_status(session=desk("lisi"), clock=clock).overdue == ()
    stats = staff.list_filing_statistics(session=desk("lisi"), year=2025, clock=clock)
    assert [(s.department, s.items, s.on_time) for s in stats] == [
        ("客服部", 0, False),
        ("销售部", 16, False),
    ]
    text = pdf_text(
        staff_printing.filing_pdf(session=desk("lisi"), handover_id=done.row.id, clock=clock)
    )
    for word in (
        "归档移交清单",
        done.row.number,
        "销售部",
        "2025-12",
        code,
        "12月销售合同（未立卷）",
        "移交人（归档专人）",
        "接收人（档案员）",
        "赵敏",
        "李四",
        "16",
        "70",
    ):
        assert word in text, word


def test_access_review_is_recorded_line_by_line_needs_two_people_and_prints(
    desk: Desk, location: DatabaseLocation
) -> None:
    from app.services.auth import sign_in, sign_out
    from tests.conftest import AUDITOR_PASSWORD, AUDITOR_USER

    clock = desk.clock
    due = staff.get_review_due(session=desk.admin, clock=clock)
    assert due.due_on == date(2026, 7, 5) and not due.overdue
    review_id = staff.start_access_review(session=desk.admin, clock=clock)
    with pytest.raises(ValidationFailed):
        staff.start_access_review(session=desk.admin, clock=clock)  # one at a time
    review = staff.get_access_review(session=desk.admin, review_id=review_id, clock=clock)
    assert {line.username for line in review.lines} >= {"boss", "lisi", "zhao", "info"}
    lisi = next(line for line in review.lines if line.username == "lisi")
    assert lisi.roles == "档案管理员" and lisi.compliance == "正常"
    for line in review.lines:
        staff.decide_review_line(
            session=desk.admin,
            line_id=line.id,
            decision="changed" if line.username == "both" else "confirmed",
            note="取消审批人角色" if line.username == "both" else "",
            clock=clock,
        )
    with pytest.raises(ValidationFailed) as alone:
        staff.close_access_review(session=desk.admin, review_id=review_id, clock=clock)
    assert alone.value.errors[0].reason == "decided_alone"
    auditor = sign_in(
        location=location, username=AUDITOR_USER, password=AUDITOR_PASSWORD, clock=clock
    )
    try:
        staff.close_access_review(
            session=auditor, review_id=review_id, clock=clock, note="复核无误"
        )
        text = pdf_text(
            staff_printing.access_review_pdf(session=auditor, review_id=review_id, clock=clock)
        )
    finally:
        sign_out(session=auditor, clock=clock)
    for word in (
        "访问权限审查记录",
        review.number,
        "lisi",
        "档案管理员",
        "需变更",
        "取消审批人角色",
        "复核无误",
    ):
        assert word in text, word
    due = staff.get_review_due(session=desk.admin, clock=clock)
    assert due.due_on == date(2026, 7, 5) and due.open_review_id is None
    _ = datetime(2026, 1, 5, tzinfo=UTC)
