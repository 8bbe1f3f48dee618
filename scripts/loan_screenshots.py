"""The loan desk to docs/screenshots: the 借阅 page, its dialogs, and the printed forms.

Run: ``python scripts/loan_screenshots.py`` (needs ``pdftoppm`` from poppler-utils; Qt offscreen
unless a display is set). Builds a throw-away database with invented staff and volumes.
"""

from __future__ import annotations

from _shot import fresh_database, grab, png, start_app
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.domain.scan_codes import scan_payload
from app.services.loans import (
    RequestedVolume,
    ReturnCount,
    file_application,
    find_open_loan,
    issue_loan,
    return_loan,
)
from app.services.loans import printing as loan_print
from tests.loan_helpers import (
    approve_all,
    make_desk,
    make_volume,
    outsider_draft,
    staff_application,
)
from ui.context import AppContext
from ui.dialogs.loans import ApplicationDialog, ApprovalDialog, ReturnDialog
from ui.pages.loans import LoansPage


def main() -> None:
    start_app()
    _work, clock, location, admin = fresh_database("loans.db")
    desk = make_desk(admin, location, clock)
    lisi = desk("lisi")
    titles = [
        "上海某某实业有限公司2024年度经销合同及往来函件",
        "张三丰2024年度客户档案",
        "杭州某某商贸有限公司2023年度对账单",
        "李四海2024年度客户档案",
    ]
    volumes = [
        make_volume(lisi, clock, title=t, level="confidential" if n == 0 else None)
        for n, t in enumerate(titles)
    ]
    first = staff_application(desk, [volumes[0][0], volumes[1][0]])
    approve_all(desk, first, "info", "manager")
    loans = [
        issue_loan(session=lisi, application_id=first, scan=scan_payload(c), clock=clock)
        for _v, c in volumes[:2]
    ]
    clock.advance(days=6)
    pages = RequestedVolume(volumes[2][0], pages="1-6", page_count=6, copies=2)
    copy = outsider_draft("copy", "诉讼取证", pages, phone="13912345678", reason="法院调查令")
    copy_id = file_application(session=lisi, draft=copy, clock=clock).application_id
    consult = staff_application(desk, [volumes[3][0]], kind="consult")
    approve_all(desk, copy_id, "gm")
    issue_loan(session=lisi, application_id=copy_id, scan=volumes[2][1], clock=clock)
    return_loan(session=lisi, loan_id=3, count=ReturnCount(12, 3, "intact", True), clock=clock)
    page = LoansPage(AppContext(location=location, clock=clock), lisi)
    page.resize(1280, 760)
    page.show()
    page.issue_status.setText(
        "已借出 Z001-KH·2024-Y-0002（登记号 JY2026-000002），应还日期 2026-01-08。"
    )
    grab(page, "loan-desk-applications")
    page.tabs.setCurrentIndex(2)
    grab(page, "loan-desk-overdue")
    page.tabs.setCurrentIndex(3)
    grab(page, "loan-desk-registers")
    page.tabs.setCurrentIndex(0)

    def shoot(name: str, close: str = "reject") -> None:
        def later() -> None:
            widget = QApplication.activeModalWidget()
            if widget is None:
                QTimer.singleShot(20, later)
                return
            grab(widget, name)
            getattr(widget, close)()

        QTimer.singleShot(0, later)

    shoot("loan-desk-approval", "accept")
    ApprovalDialog(page, page._context, desk("head")).exec()
    check = find_open_loan(session=lisi, scan=loans[0].scan_payload, clock=clock)
    dialog = ReturnDialog(page, check, lambda d: None)
    dialog.counted_pages.setValue(10)
    dialog.show()
    grab(dialog, "loan-desk-return")
    dialog.close()
    apply = ApplicationDialog(page, [], lambda t: [], lambda d: None, clock.now().date())
    apply.show()
    grab(apply, "loan-desk-application-form")
    apply.close()
    png(loan_print.register_pdf(session=lisi, clock=clock, open_only=True), "form-loan-register")
    png(
        loan_print.application_pdf(session=lisi, application_id=first, clock=clock),
        "form-loan-application",
    )
    png(loan_print.slip_pdf(session=lisi, loan_id=loans[0].loan_id, clock=clock), "form-loan-slip")
    png(loan_print.overdue_notices_pdf(session=lisi, clock=clock), "form-loan-notice")
    del consult
    page.close()
    desk.close()


if __name__ == "__main__":
    main()
