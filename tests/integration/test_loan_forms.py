"""Loan desk printouts: render, read back with pdfium, decode the slip's QR with zxing-cpp."""

from __future__ import annotations

from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from app.domain.scan_codes import parse_scan, scan_payload
from app.errors import ValidationFailed
from app.printing.loan_forms import (
    COPY_COLUMNS,
    REGISTER_COLUMNS,
    render_register,
)
from app.services.loans import (
    RequestedVolume,
    file_application,
    issue_loan,
    list_open_loans,
    reject_application,
)
from app.services.loans import printing as loan_print
from tests.loan_helpers import (
    Desk,
    approve_all,
    january_register,
    lend,
    make_volume,
    outsider_draft,
    return_at_desk,
    staff_application,
)
from tests.pdf_text import compact, compact_pages


def test_register_prints_every_column_on_a4_landscape_with_masked_contacts(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock, level="confidential")
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info", "manager")
    loan = issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    data = loan_print.register_pdf(session=desk("lisi"), clock=desk.clock, open_only=True)
    pdf = pdfium.PdfDocument(data)
    width, height = pdf[0].get_size()
    assert width > height and round(width) == 842  # A4 landscape, in points
    [text] = compact_pages(data)
    for column in REGISTER_COLUMNS:
        assert compact(column) in text, column
    for value in (loan.number, compact(code), "孙专员", "刘芳", "赵敏", "销售部", "核对合同条款"):
        assert value in text, value
    assert "138****5678" in text and "13812345678" not in text
    assert "机密★20年" in text  # header mark and the 密级 column (R17)
    assert "当前未还的借阅共1条" in text and "第1页/共1页" in text


def test_a_long_register_runs_over_pages_with_its_heading_on_each() -> None:
    rows = [
        (
            f"JY2026-{n:06d}",
            "借出",
            "赵敏",
            "销售部",
            "138****5678",
            "核对合同条款",
            f"Z001-KH·2024-Y-{n:04d}",
            "张三丰2024年度客户档案（合同、往来函件）",
            "—",
            "1卷/3件/12页",
            "",
            "孙专员 同意 2026-01-05",
            "2026-01-05",
            "2026-01-08",
            "",
            "",
            "",
            "李四",
            "",
            "",
            "",
            "",
        )
        for n in range(1, 61)
    ]
    sheet = january_register(rows)
    texts = compact_pages(render_register(sheet))
    assert len(texts) >= 3
    for n, text in enumerate(texts, start=1):
        assert "登记号" in text and "借阅人签字" in text and "经办人（归还）" in text
        assert f"第{n}页/共{len(texts)}页" in text
    joined = "".join(texts)
    for n in range(1, 61):
        assert joined.count(f"JY2026-{n:06d}") == 1  # every entry once, none lost at a break


def test_copy_register_lists_pages_and_copies(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    volume = RequestedVolume(vid, pages="1-6", page_count=6, copies=2)
    draft = outsider_draft("copy", "诉讼取证", volume)
    app_id = file_application(session=desk("lisi"), draft=draft, clock=desk.clock).application_id
    approve_all(desk, app_id, "gm")
    issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    data = loan_print.copy_register_pdf(
        session=desk("lisi"),
        clock=desk.clock,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
    )
    [text] = compact_pages(data)
    for column in COPY_COLUMNS:
        assert compact(column) in text, column
    assert "1-6" in text and "上海某某律师事务所" in text and "周总" in text
    with pytest.raises(ValidationFailed):
        loan_print.register_pdf(
            session=desk("lisi"),
            clock=desk.clock,
            date_from=date(2026, 2, 1),
            date_to=date(2026, 1, 1),
        )


def test_application_form_has_a_block_per_step_and_keeps_a_rejection(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="consult")
    approve_all(desk, app_id, "head")
    [text] = compact_pages(
        loan_print.application_pdf(session=desk("lisi"), application_id=app_id, clock=desk.clock)
    )
    assert "档案查阅/借阅申请单" in text
    assert "审批1：部门负责人" in text and "钱部长（部门负责人）（同意）" in text
    assert "审批2：信息管理专员或客服部经理或总经理" in text
    assert "申请人签字" in text and "部门（盖章）" in text
    reject_application(
        session=desk("info"), application_id=app_id, reason="用途不明确", clock=desk.clock
    )
    [text] = compact_pages(
        loan_print.application_pdf(session=desk("lisi"), application_id=app_id, clock=desk.clock)
    )
    assert "审批（已驳回）" in text and "驳回理由：用途不明确" in text


def test_the_slip_qr_code_decodes_to_the_loan_number(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    loan = lend(desk, vid, code)
    data = loan_print.slip_pdf(session=desk("lisi"), loan_id=loan.loan_id, clock=desk.clock)
    [text] = compact_pages(data)
    assert loan.number in text and "借阅人签字" in text and "2026年1月8日" in text
    image = pdfium.PdfDocument(data)[0].render(scale=3).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [scan_payload(loan.number)]
    _result, scanned = parse_scan(found[0].text)
    assert scanned is not None and scanned.code == loan.number


def test_notices_come_from_the_current_state_and_never_for_returned_loans(desk: Desk) -> None:
    a, code_a = make_volume(desk("lisi"), desk.clock)
    b, code_b = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [a, b])
    approve_all(desk, app_id, "info")
    first = issue_loan(session=desk("lisi"), application_id=app_id, scan=code_a, clock=desk.clock)
    second = issue_loan(session=desk("lisi"), application_id=app_id, scan=code_b, clock=desk.clock)
    with pytest.raises(ValidationFailed):  # nothing overdue yet
        loan_print.overdue_notices_pdf(session=desk("lisi"), clock=desk.clock)
    desk.clock.advance(days=7)
    return_at_desk(desk, first.loan_id)
    data = loan_print.overdue_notices_pdf(
        session=desk("lisi"), clock=desk.clock, loan_ids=[first.loan_id, second.loan_id]
    )
    [text] = compact_pages(data)
    assert second.number in text and first.number not in text
    assert "销售部赵敏" in text and "抄送：部门负责人钱部长" in text and "4天" in text
    [row] = list_open_loans(session=desk("lisi"), clock=desk.clock)
    assert row.reminders == 1
    return_at_desk(desk, second.loan_id)
    with pytest.raises(ValidationFailed) as none_left:
        loan_print.overdue_notices_pdf(
            session=desk("lisi"), clock=desk.clock, loan_ids=[second.loan_id]
        )
    assert none_left.value.errors[0].reason == "no_overdue"
