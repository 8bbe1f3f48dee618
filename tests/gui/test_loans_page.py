"""借阅 page: a full loan through the UI — apply, an approver signs in and approves, issue by
scan, print the slip, return by scanning the slip."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.domain.scan_codes import scan_payload
from app.services.loans import list_open_loans
from tests.gui.conftest import previewed, show_page, when_modal
from tests.loan_helpers import PASSWORD, Desk, lend, make_volume
from ui.dialogs.loans import ApplicationDialog, ApprovalDialog, ApproverSignInDialog, ReturnDialog
from ui.pages.loans import LoansPage


def open_page(qtbot: QtBot, desk: Desk, user: str = "lisi") -> LoansPage:
    return show_page(qtbot, LoansPage, desk.location, desk.clock, desk(user))


def test_a_full_loan_apply_approve_issue_by_scan_print_slip_return_by_scan(
    qtbot: QtBot, desk: Desk
) -> None:
    _vid, code = make_volume(desk("lisi"), desk.clock, items=3, pages_each=4)
    page = open_page(qtbot, desk)
    seen: dict[str, object] = {}

    def apply(dialog: QWidget) -> None:
        assert isinstance(dialog, ApplicationDialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData("loan"))
        dialog.save()  # nothing filled in: errors next to the fields
        seen["errors"] = (
            dialog.errors.text("applicant_user_id"),
            dialog.errors.text("use_purpose"),
        )
        dialog.staff.setCurrentIndex(dialog.staff.findData(desk.ids["zhao"]))
        dialog.purpose.setCurrentText("核对合同条款")
        dialog.scan.setText(scan_payload(code))
        dialog.add_scanned()
        seen["volumes"] = dialog.volume_list.count()
        dialog.save()

    errors = when_modal(apply)
    page.new_button.click()
    assert errors == []
    assert seen["errors"] == (
        "利用者（本单位人员）：请选择本单位人员，或登记外单位人员的姓名",
        "利用目的：不能为空",
    )
    assert seen["volumes"] == 1
    assert page.applications.rows[0].state_label == "待审批"
    assert page.applications.rows[0].waiting_for == "信息管理专员（孙专员、郑双）"  # by name
    assert "待审批：信息管理专员（孙专员、郑双）" in page.issue_status.text()

    def approve(dialog: QWidget) -> None:
        assert isinstance(dialog, ApprovalDialog)
        seen["queue"] = len(dialog.rows)
        dialog.approve_button.click()
        seen["after"] = len(dialog.rows)
        dialog.close_button.click()

    def sign_in_approver(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproverSignInDialog)
        dialog.username.setText("info")
        dialog.password.setText("wrong password")
        dialog.attempt()
        seen["wrong"] = dialog.error.text()
        dialog.password.setText(PASSWORD)
        errors.extend(when_modal(approve))
        dialog.attempt()

    errors = when_modal(sign_in_approver)
    page.approver_button.click()
    qtbot.waitUntil(lambda: "after" in seen)
    assert errors == []
    assert "用户名或密码错误" in str(seen["wrong"])
    assert (seen["queue"], seen["after"]) == (1, 0)
    assert page.applications.rows[0].state_label == "已批准"

    page.issue_scan.setText(scan_payload(code))
    page.issue_by_scan()
    assert "已借出" in page.issue_status.text() and "2026-01-08" in page.issue_status.text()
    assert [r.reference_code for r in page.open_loans.rows] == [code]

    # the same volume again at the desk: it is out, so it comes back (never lent twice, R34)
    def cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, ReturnDialog)
        seen["again"] = dialog.windowTitle()
        dialog.reject()

    errors = when_modal(cancel)
    page.issue_scan.setText(scan_payload(code))
    page.issue_by_scan()
    assert errors == []
    assert str(seen["again"]).startswith("归还")
    assert not page.quick.isVisible()

    _title, slip = previewed(qtbot, page.slip_button)  # drawn off the GUI thread (point 8)
    image = pdfium.PdfDocument(slip)[0].render(scale=3).to_pil()
    [qr] = zxingcpp.read_barcodes(image)
    number = page.open_loans.rows[0].number
    assert qr.text == scan_payload(number)

    def count_back(dialog: QWidget) -> None:
        assert isinstance(dialog, ReturnDialog)
        seen["expected"] = dialog.expected_label.text()
        seen["confirm"] = dialog.ok_button.text()
        dialog.save()  # the button is the face-to-face confirmation

    errors = when_modal(count_back)
    page.return_scan.setText(qr.text)  # scanning the printed slip
    page.return_by_scan()
    assert errors == []
    assert seen["expected"] == "3 件，12 页"
    assert seen["confirm"] == "已当面点清，归还注销 (Ctrl+Enter)"
    assert "已归还注销" in page.return_status.text()
    assert page.open_loans.rows == []
    assert list_open_loans(session=desk("lisi"), clock=desk.clock) == []
    assert page.applications.rows[0].state_label == "已办结"


def test_overdue_loans_show_on_the_loan_page_tinted_with_their_escalation(
    qtbot: QtBot, desk: Desk
) -> None:

    vid, code = make_volume(desk("lisi"), desk.clock)
    lend(desk, vid, code)
    desk.clock.advance(days=7)
    page = open_page(qtbot, desk)
    assert page.tabs.tabText(2) == "逾期（1）"
    [row] = page.overdue.rows
    assert (row.overdue_days, row.escalate_to) == (4, "钱部长")
    index = page.overdue.index(0, 0)
    assert page.overdue.data(index, 8) is not None  # BackgroundRole: tinted


def test_the_loan_tables_are_valid_qt_models(qtmodeltester, qtbot: QtBot, desk: Desk) -> None:  # type: ignore[no-untyped-def]

    vid, code = make_volume(desk("lisi"), desk.clock)
    lend(desk, vid, code)
    page = open_page(qtbot, desk)
    for model in (page.applications, page.open_loans, page.overdue, page.reports):
        qtmodeltester.check(model)
    assert page.open_loans.rowCount() == 1


def test_an_approver_at_their_own_workstation_sees_their_queue_but_no_desk(
    qtbot: QtBot, desk: Desk
) -> None:
    page = open_page(qtbot, desk, "gm")
    assert page.queue_button.isVisibleTo(page) and not page.new_button.isVisibleTo(page)
    assert not page.issue_scan.isVisibleTo(page)


def test_without_a_scanner_a_volume_is_picked_from_the_approved_application(
    qtbot: QtBot, desk: Desk
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from tests.loan_helpers import approve_all, staff_application

    a, code_a = make_volume(desk("lisi"), desk.clock)
    b, code_b = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [a, b])
    page = open_page(qtbot, desk)
    page.application_table.selectRow(0)
    page.pick_button.click()  # not approved yet: nothing to pick
    assert "须已批准" in page.issue_status.text()
    approve_all(desk, app_id, "info")
    page.refresh()
    page.application_table.selectRow(0)
    offered: list[list[str]] = []

    def pick(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        offered.append(dialog.comboBoxItems())
        dialog.setTextValue(dialog.comboBoxItems()[1])
        dialog.accept()

    errors = when_modal(pick)
    page.pick_button.click()
    assert errors == []
    assert [item.split("　")[0] for item in offered[0]] == [code_a, code_b]
    assert f"已借出 {code_b}" in page.issue_status.text()
    assert [r.reference_code for r in page.open_loans.rows] == [code_b]
    assert "1 人次，1 卷次（外借 1）" in page.stats_label.text()


def test_enter_in_the_scan_field_adds_the_volume_and_never_files_the_application(
    qtbot: QtBot, desk: Desk
) -> None:
    from PySide6.QtCore import Qt

    from app.services.catalogue import get_volume

    vid, code = make_volume(desk("lisi"), desk.clock)
    session = desk("lisi")
    filed: list[object] = []

    def lookup(_text: str) -> list[object]:
        return [get_volume(session=session, volume_id=vid, clock=desk.clock)]

    dialog = ApplicationDialog(None, [], lookup, filed.append, desk.clock.now().date())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.scan.setText(scan_payload(code))
    dialog.scan.setFocus()
    qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)
    assert dialog.volume_list.count() == 1
    assert dialog.scan.text() == ""
    assert filed == [] and dialog.isVisible()


def test_the_return_desk_takes_a_typed_reference_and_forgets_an_earlier_error(
    qtbot: QtBot, desk: Desk
) -> None:

    vid, code = make_volume(desk("lisi"), desk.clock)
    lend(desk, vid, code)
    page = open_page(qtbot, desk)
    page.return_scan.setText("JY1999-000009")  # no such loan
    page.return_by_scan()
    assert "没有找到" in page.return_status.text() and page.return_status.styleSheet()

    def count_back(dialog: QWidget) -> None:
        assert isinstance(dialog, ReturnDialog)
        dialog.save()

    errors = when_modal(count_back)
    page.return_scan.setText(code.replace("·", "-").lower())  # typed, · as -
    page.return_by_scan()
    assert errors == []
    assert "已归还注销" in page.return_status.text()
    assert page.return_status.styleSheet() == ""
    assert list_open_loans(session=desk("lisi"), clock=desk.clock) == []
