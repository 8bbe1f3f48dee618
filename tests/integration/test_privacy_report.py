"""A customer's own report and requests, recipients and 对外提供 (issue 18; R7, R8, R36)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.identity import uscc_check_character
from app.domain.roles import ApproverTitle, Role
from app.errors import PermissionDenied, ProvisionRefused, ValidationFailed
from app.messages import describe
from app.services import privacy
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import VolumeDraft, create_volume
from app.services.customers import AddressInput, register_customer, reveal_customer
from app.services.exports import export_customers
from app.services.privacy import printing
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import PASSWORD, VALID_ID, add_user, person, potential
from tests.pdf_text import pdf_text

USCC_BODY = "91110105MA01ABCD1"
USCC = USCC_BODY + uscc_check_character(USCC_BODY)
FULL = privacy.ConsentInput(
    purposes=("合同履行", "客户服务", "对外提供"), given_on=date(2026, 1, 2), method="written"
)


def _recipient(session: SignedIn, clock: FixedClock, **overrides: object) -> int:
    values: dict[str, object] = {
        "name": "北京明理律师事务所",
        "uscc": USCC,
        "contact": "王律师",
        "contact_phone": "13911112222",
        "agreement_signed_on": date(2026, 1, 2),
        "agreement_until": date(2027, 1, 1),
        "agreement": b"%PDF-1.4 NDA scan",
        "agreement_name": "保密协议.pdf",
    }
    values.update(overrides)
    return privacy.add_recipient(
        session=session,
        recipient=privacy.RecipientInput(**values),  # type: ignore[arg-type]
        clock=clock,
    )


def test_provision_needs_a_valid_agreement_and_the_customers_consent(
    archivist: SignedIn, clock: FixedClock
) -> None:
    consenting = register_customer(
        session=archivist, draft=person(legal_basis="", consent=FULL), clock=clock
    ).customer_id
    by_basis = register_customer(
        session=archivist,
        draft=potential(name="李雷"),
        clock=clock,
    ).customer_id
    with pytest.raises(ValidationFailed) as bad:
        _recipient(archivist, clock, uscc="91110105MA01ABCD10")
    assert "uscc" in {e.field for e in bad.value.errors}
    unsigned_body = "91110105MA01ABCD2"
    unsigned = _recipient(
        archivist,
        clock,
        name="某咨询公司",
        uscc=unsigned_body + uscc_check_character(unsigned_body),
        contact_phone="",
        agreement_until=date(2026, 1, 5),
    )
    good = _recipient(archivist, clock)
    rows = privacy.list_recipients(session=archivist, clock=clock)
    assert [(r.name, r.agreement_valid, r.contact_phone) for r in rows] == [
        ("北京明理律师事务所", True, "139****2222"),
        ("某咨询公司", True, ""),
    ]
    clock.advance(days=1)  # 2026-01-06: the second agreement ended on 2026-01-05

    def refusal(customer_id: int, recipient_id: int) -> str:
        """Why giving the customer's 姓名 to the recipient for 诉讼 is refused (it must be)."""
        with pytest.raises(ProvisionRefused) as refused:
            privacy.provide_data(
                session=archivist,
                customer_id=customer_id,
                recipient_id=recipient_id,
                purpose="诉讼",
                fields=("姓名",),
                clock=clock,
            )
        return describe(refused.value)

    assert "保密协议" in refusal(consenting, unsigned)  # the agreement has ended
    assert "客户未同意对外提供" in refusal(by_basis, good)
    number = privacy.provide_data(
        session=archivist,
        customer_id=consenting,
        recipient_id=good,
        purpose="诉讼材料",
        fields=("姓名", "联系电话"),
        clock=clock,
    )
    [row] = privacy.list_provisions(session=archivist, clock=clock)
    assert (row.number, row.recipient, row.recipient_uscc, row.fields) == (
        number,
        "北京明理律师事务所",
        USCC,
        "姓名、联系电话",
    )
    register = pdf_text(printing.print_provision_register(session=archivist, clock=clock))
    joined = register.replace("\r\n", "")  # cells wrap
    for expected in ("客户信息对外提供登记簿", "北京明理律师事务所", USCC, number, "诉讼材料"):
        assert expected in joined, expected


def test_a_customers_report_shows_fields_by_class_volumes_uses_and_provisions(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(
        session=archivist,
        draft=person(legal_basis="", consent=FULL, email="zhang@example.cn"),
        clock=clock,
    ).customer_id
    create_volume(
        session=archivist,
        draft=VolumeDraft(customer_id=cid, year=2024, title="服务合同", retention="D30"),
        clock=clock,
    )
    reveal_customer(session=archivist, customer_id=cid, purpose="核对地址", clock=clock)
    privacy.provide_data(
        session=archivist,
        customer_id=cid,
        recipient_id=_recipient(archivist, clock),
        purpose="诉讼材料",
        fields=("姓名",),
        clock=clock,
    )
    number = privacy.record_subject_request(
        session=archivist, customer_id=cid, kind="access", clock=clock
    )
    text = pdf_text(
        printing.print_customer_report(
            session=archivist, customer_id=cid, clock=clock, request_number=number
        )
    )
    for expected in (
        "客户个人信息查询答复",
        "张三丰",
        number,
        "2026-01-20",  # the answer deadline: 15 days after 2026-01-05
        "基础信息",
        "业务信息",
        "敏感信息",
        VALID_ID,  # the customer's own report shows the full value
        "zhang@example.cn",
        "书面同意",
        "对外提供",
        "服务合同",
        "定期30年",
        "显示完整信息",  # the reveal, by whom and for what
        "李四",
        "核对地址",
        "北京明理律师事务所",
    ):
        assert expected in text, expected


def _correction_asked(session: SignedIn, clock: FixedClock) -> tuple[int, str]:
    """A customer registered who asks for a correction (更正); their id and the request's number."""
    cid = register_customer(session=session, draft=person(), clock=clock).customer_id
    number = privacy.record_subject_request(
        session=session, customer_id=cid, kind="correction", clock=clock
    )
    return cid, number


def test_subject_requests_have_deadlines_and_overdue_ones_are_counted(
    archivist: SignedIn, clock: FixedClock
) -> None:
    _cid, number = _correction_asked(archivist, clock)
    [row] = privacy.list_subject_requests(session=archivist, clock=clock, open_only=True)
    assert (row.number, row.due_on, row.overdue) == (number, date(2026, 1, 20), False)
    assert privacy.count_overdue_subject_requests(session=archivist, clock=clock) == 0
    clock.advance(days=16)
    assert privacy.count_overdue_subject_requests(session=archivist, clock=clock) == 1
    privacy.answer_subject_request(
        session=archivist, request_id=row.id, answer="已按请求更正地址", clock=clock
    )
    assert privacy.list_subject_requests(session=archivist, clock=clock, open_only=True) == []
    assert privacy.count_overdue_subject_requests(session=archivist, clock=clock) == 0
    with pytest.raises(ValidationFailed):
        privacy.answer_subject_request(
            session=archivist, request_id=row.id, answer="再次答复", clock=clock
        )


def test_an_export_leaves_out_customers_without_a_basis_for_its_purpose(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from openpyxl import load_workbook

    from app.services import exports

    marketing = privacy.ConsentInput(purposes=("营销",), given_on=date(2026, 1, 2))
    register_customer(
        session=archivist, draft=person(legal_basis="", consent=marketing), clock=clock
    )
    register_customer(
        session=archivist,
        draft=potential(name="李雷"),
        clock=clock,
    )
    data = exports.export_customers(session=archivist, purpose="新品推介", use="营销", clock=clock)
    sheet = load_workbook(io.BytesIO(data)).active
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "张*" in text and "李*" not in text
    assert "另有 1 位客户没有该用途的有效同意或处理依据，未导出。" in text


def test_an_external_use_application_needs_the_customers_consent_to_provision(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.loans import ApplicationDraft, RequestedVolume, file_application
    from tests.loan_helpers import make_volume

    by_basis = register_customer(
        session=archivist,
        draft=potential(name="李雷"),
        clock=clock,
    ).customer_id
    refused_volume, code = make_volume(archivist, clock, customer_id=by_basis)
    consenting_volume, _ = make_volume(archivist, clock)

    def apply(volume_id: int) -> object:
        return file_application(
            session=archivist,
            draft=ApplicationDraft(
                kind="external",
                purpose="提供给律师事务所",
                volumes=(RequestedVolume(volume_id),),
                applicant_name="王律师",
                outsider=True,
                unit="北京明理律师事务所",
                credential="letter",
                credential_number="京律函2026-001",
            ),
            clock=clock,
        )

    with pytest.raises(ValidationFailed) as refused:
        apply(refused_volume)
    assert ("volumes.0", "no_provision_consent") in {
        (e.field, e.reason) for e in refused.value.errors
    }
    assert code in describe(refused.value)
    apply(consenting_volume)


def test_the_administrator_sets_the_deadline_and_the_lists(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    from dataclasses import replace

    from app.errors import PermissionDenied

    current = privacy.get_privacy_settings(session=admin, clock=clock)
    assert current.purposes == ("合同履行", "客户服务", "营销", "对外提供")
    with pytest.raises(ValidationFailed) as bad:
        privacy.update_privacy_settings(
            session=admin, settings=replace(current, answer_days=0, approver_titles=()), clock=clock
        )
    assert {e.field for e in bad.value.errors} == {"answer_days", "approver_titles"}
    with pytest.raises(PermissionDenied):
        privacy.update_privacy_settings(session=archivist, settings=current, clock=clock)
    privacy.update_privacy_settings(
        session=admin,
        settings=replace(current, answer_days=10, purposes=(*current.purposes, "回访调查")),
        clock=clock,
    )
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    privacy.record_subject_request(session=archivist, customer_id=cid, kind="access", clock=clock)
    [row] = privacy.list_subject_requests(session=archivist, clock=clock)
    assert row.due_on == date(2026, 1, 15)
    survey = privacy.ConsentInput(purposes=("回访调查",), given_on=date(2026, 1, 5))
    privacy.add_consent(session=archivist, customer_id=cid, entry=survey, clock=clock)
    reveal_customer(
        session=archivist, customer_id=cid, purpose="满意度回访", use="回访调查", clock=clock
    )


def test_a_correction_names_the_request_and_an_anonymised_customer_cannot_be_edited(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from sqlalchemy import select

    from app.services.customers import CustomerChanges, get_customer, update_customer
    from app.storage.models import AuditEntry, Customer

    cid, number = _correction_asked(archivist, clock)
    detail = get_customer(session=archivist, customer_id=cid, clock=clock)
    changes = CustomerChanges(
        name=None,
        kind=detail.kind,
        category=detail.category,
        importance=detail.importance,
        email="zhang.new@example.cn",
        purpose=number,
    )
    update_customer(
        session=archivist,
        customer_id=cid,
        changes=changes,
        expected_version=detail.version,
        clock=clock,
    )
    with archivist.store.new_session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.update")).one()
        assert entry.purpose == number
        # anonymised (stand-in for the approved request): no edit brings data back
        row = s.get(Customer, cid)
        assert row is not None
    with archivist.uow(clock) as uow:
        uow.session.get(Customer, cid).anonymised_at = clock.now()  # type: ignore[union-attr]
        uow.commit()
    with pytest.raises(ValidationFailed) as refused:
        update_customer(
            session=archivist,
            customer_id=cid,
            changes=changes,
            expected_version=detail.version + 1,
            clock=clock,
        )
    assert ("customer", "already_anonymised") in {(e.field, e.reason) for e in refused.value.errors}


def test_the_class_decides_what_a_reveal_an_export_and_a_report_show_by_post(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    """R7: 基础/业务 in full for every approver, 敏感 only for the posts that decide on it."""
    cid = register_customer(
        session=archivist,
        draft=person(
            email="zhang@example.cn", addresses=(AddressInput("北京市海淀区中关村大街1号"),)
        ),
        clock=clock,
    ).customer_id
    add_user(admin, clock, "head", [Role.APPROVER], ApproverTitle.DEPT_HEAD, display_name="周七")
    head = sign_in(location=location, username="head", password=PASSWORD, clock=clock)
    try:
        seen = reveal_customer(session=head, customer_id=cid, purpose="核对地址", clock=clock)
        assert (seen.name, seen.email) == ("张三丰", "zhang@example.cn")  # 基础, 业务: full
        assert seen.addresses == ("北京市海淀区中关村大街1号",)
        assert seen.id_number == "110***********002X"  # 敏感: masked for a 部门负责人
        assert seen.phones == ("138****5678",) and VALID_ID not in repr(seen)
        with pytest.raises(PermissionDenied):  # the full columns of an export are 敏感
            export_customers(session=head, purpose="核对", clock=clock, unmasked=True)
        text = pdf_text(printing.print_customer_report(session=head, customer_id=cid, clock=clock))
        assert "110***********002X" in text and VALID_ID not in text
    finally:
        sign_out(session=head, clock=clock)
    manager = sign_in(location=location, username="manager", password=PASSWORD, clock=clock)
    try:
        full = reveal_customer(session=manager, customer_id=cid, purpose="核对身份", clock=clock)
        assert full.id_number == VALID_ID and "13812345678" in full.phones[0]
        text = pdf_text(
            printing.print_customer_report(session=manager, customer_id=cid, clock=clock)
        )
        assert VALID_ID in text
    finally:
        sign_out(session=manager, clock=clock)
    with archivist.store.new_session() as s:
        fields = [
            json.loads(e.details)["fields"]
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "customer.reveal")
                .order_by(AuditEntry.id)
            )
        ]
    assert "id_number" not in fields[0] and "addresses" in fields[0]  # the head's reveal
    assert "id_number" in fields[1]
