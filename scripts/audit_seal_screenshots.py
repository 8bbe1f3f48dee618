"""Screenshots of the sealed trail (issue 23): the auditor's key dialog and sheet, verification.

Run: ``python scripts/audit_seal_screenshots.py``.
"""

from __future__ import annotations

import os

from _shot import OUT, demo_database, demo_sign_in, grab, settle, start_app, work_dir
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.clock import Clock, SystemClock
from app.demo import DEMO_PASSWORD
from app.domain.roles import Role
from app.services.audit import start_audit_sealing
from app.services.audit.sealing import audit_key_sheet_pdf
from app.services.auth import SignedIn, sign_out
from app.services.setup import initialize_database
from app.services.users import create_user
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from ui.context import AppContext
from ui.dialogs.audit_key import AuditKeyDialog
from ui.pages.audit import AuditPage


def add_auditor(admin: SignedIn, username: str, clock: Clock) -> None:
    """An auditor account (周敏) with the demo password, no change required."""
    create_user(
        session=admin,
        username=username,
        display_name="周敏",
        roles=[Role.AUDITOR],
        approver_title=None,
        password=DEMO_PASSWORD,
        require_change=False,
        clock=clock,
    )


def main() -> None:
    start_app()
    folder = work_dir("seal-shots-")
    os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
    clock = SystemClock()
    location = demo_database(folder, clock)
    admin = demo_sign_in(location, "admin", clock)
    add_auditor(admin, "auditor2", clock)
    sign_out(session=admin, clock=clock)
    # a second database whose auditor (set up with it) signs in for the first time
    fresh = DatabaseLocation.parse(folder / "fresh.db")
    initialize_database(
        location=fresh,
        request=make_setup_request(
            admin_username="admin",
            admin_password=DEMO_PASSWORD,
            admin_password_confirm=DEMO_PASSWORD,
            auditor_username="auditor",
            auditor_display_name="周敏",
            auditor_password=DEMO_PASSWORD,
        ),
        clock=clock,
    )
    auditor = demo_sign_in(fresh, "auditor", clock)
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
    session = demo_sign_in(location, "auditor", clock)
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
    settle(page.idle)  # the entries are read in the background
    grab(page, "audit-verify-sealed")
    sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
