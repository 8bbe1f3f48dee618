"""The loan desk to docs/screenshots: the 借阅 page, its dialogs, and the printed forms.

Run: ``python scripts/loan_screenshots.py`` (needs ``pdftoppm`` from poppler-utils; Qt offscreen
unless a display is set). Builds a throw-away database with invented staff and volumes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import FixedClock  # noqa: E402
from app.domain.scan_codes import scan_payload  # noqa: E402
from app.services.loans import (  # noqa: E402
    ApplicationDraft,
    RequestedVolume,
    ReturnCount,
    file_application,
    find_open_loan,
    issue_loan,
    return_loan,
)
from app.services.loans import printing as loan_print  # noqa: E402
from app.services.setup import initialize_database  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from tests.conftest import make_setup_request  # noqa: E402
from tests.loan_helpers import approve_all, make_desk, make_volume, staff_application  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.loans import ApplicationDialog, ApprovalDialog, ReturnDialog  # noqa: E402
from ui.pages.loans import LoansPage  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(OUT / f"{name}.png"))


def render(pdf: bytes, name: str, work: Path) -> None:
    path = work / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(OUT / name),
        ],
        check=True,
    )


def main() -> None:
    app = QApplication([])
    prepare_application(app)
    work = Path(tempfile.mkdtemp())
    clock = FixedClock()
    location = DatabaseLocation.parse(work / "loans.db")
    admin = initialize_database(
        location=location, request=make_setup_request(), clock=clock
    ).session
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
    copy = ApplicationDraft(
        kind="copy",
        purpose="诉讼取证",
        volumes=(RequestedVolume(volumes[2][0], pages="1-6", page_count=6, copies=2),),
        outsider=True,
        applicant_name="陈律师",
        unit="上海某某律师事务所",
        credential="letter",
        credential_number="沪律函2026第0012号",
        phone="13912345678",
        reason="法院调查令",
    )
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
    dialog.face_to_face.setChecked(True)
    dialog.show()
    grab(dialog, "loan-desk-return")
    dialog.close()
    apply = ApplicationDialog(page, [], lambda t: [], lambda d: None, clock.now().date())
    apply.show()
    grab(apply, "loan-desk-application-form")
    apply.close()
    render(
        loan_print.register_pdf(session=lisi, clock=clock, open_only=True),
        "form-loan-register",
        work,
    )
    render(
        loan_print.application_pdf(session=lisi, application_id=first, clock=clock),
        "form-loan-application",
        work,
    )
    render(
        loan_print.slip_pdf(session=lisi, loan_id=loans[0].loan_id, clock=clock),
        "form-loan-slip",
        work,
    )
    render(loan_print.overdue_notices_pdf(session=lisi, clock=clock), "form-loan-notice", work)
    del consult
    page.close()
    desk.close()


if __name__ == "__main__":
    main()
