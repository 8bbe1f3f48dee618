"""Screenshots of the sealed trail (issue 23): the auditor's key dialog and sheet, verification.

Run: ``python scripts/audit_seal_screenshots.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.services.audit import start_audit_sealing  # noqa: E402
from app.services.audit.sealing import audit_key_sheet_pdf  # noqa: E402
from app.services.auth import sign_in, sign_out  # noqa: E402
from app.services.users import create_user  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.audit_key import AuditKeyDialog  # noqa: E402
from ui.pages.audit import AuditPage  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    prepare_application(app)
    folder = Path(tempfile.mkdtemp(prefix="seal-shots-"))
    os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
    clock = SystemClock()
    location = DatabaseLocation.parse(folder / "demo.db")
    build_demo(location=location, clock=clock)
    admin = sign_in(location=location, username="admin", password=DEMO_PASSWORD, clock=clock)
    from app.domain.roles import Role

    create_user(
        session=admin,
        username="auditor2",
        display_name="周敏",
        roles=[Role.AUDITOR],
        approver_title=None,
        password=DEMO_PASSWORD,
        require_change=False,
        clock=clock,
    )
    sign_out(session=admin, clock=clock)
    # a second database whose auditor signs in for the first time
    fresh = DatabaseLocation.parse(folder / "fresh.db")
    from app.services.setup import SetupRequest, initialize_database

    result = initialize_database(
        location=fresh,
        request=SetupRequest(
            organisation_name="华东示范贸易有限公司",
            fonds_name="华东示范贸易有限公司客户档案",
            fonds_code="Z001",
            admin_username="admin",
            admin_display_name="王建国",
            admin_password=DEMO_PASSWORD,
            admin_password_confirm=DEMO_PASSWORD,
        ),
        clock=clock,
    )
    create_user(
        session=result.session,
        username="auditor",
        display_name="周敏",
        roles=[Role.AUDITOR],
        approver_title=None,
        password=DEMO_PASSWORD,
        require_change=False,
        clock=clock,
    )
    auditor = sign_in(location=fresh, username="auditor", password=DEMO_PASSWORD, clock=clock)
    issued = start_audit_sealing(session=auditor, clock=clock)
    dialog = AuditKeyDialog(auditor.store, issued)
    dialog.show()
    grab(dialog, "audit-key-dialog")
    sheet = folder / "sheet.pdf"
    sheet.write_bytes(audit_key_sheet_pdf(auditor.store, issued))
    import pypdfium2 as pdfium

    pdfium.PdfDocument(sheet)[0].render(scale=60 / 72).to_pil().save(OUT / "audit-key-sheet.png")
    print("docs/screenshots/audit-key-sheet.png")
    dialog.confirm.setChecked(True)
    dialog.close()
    sign_out(session=auditor, clock=clock)
    # the demo's auditor verifies with the demo's key: the page shows the head as an anchor
    session = sign_in(location=location, username="auditor", password=DEMO_PASSWORD, clock=clock)
    page = AuditPage(AppContext(location=location, clock=clock), session)
    page.resize(1280, 760)
    page.show()
    key = location.sqlite_path.with_name("demo.db.audit-key").read_text().strip()

    def fill() -> None:
        from ui.pages.audit.dialogs import SealVerifyDialog

        dialog_ = QApplication.activeModalWidget()
        if not isinstance(dialog_, SealVerifyDialog):
            QTimer.singleShot(20, fill)
            return
        dialog_.key.setText(key)
        dialog_._ok()

    QTimer.singleShot(0, fill)
    page.verify_button.click()
    for _ in range(3000):  # the entries are read in the background
        if page.idle():
            break
        QApplication.processEvents()
        time.sleep(0.01)
    grab(page, "audit-verify-sealed")
    sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
