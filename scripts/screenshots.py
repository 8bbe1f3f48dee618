"""Regenerate docs/screenshots/*.png offscreen: setup wizard, sign-in, main window, settings.

Run: ``python scripts/screenshots.py`` (uses QT_QPA_PLATFORM=offscreen unless a display is set).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.errors import ValidationFailed  # noqa: E402
from app.services.auth import sign_in, sign_out  # noqa: E402
from app.services.customers import CustomerDraft, PhoneInput, register_customer  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.customer_form import CustomerFormDialog  # noqa: E402
from ui.dialogs.duplicates import DuplicateReviewDialog  # noqa: E402
from ui.dialogs.reveal import RevealDialog  # noqa: E402
from ui.dialogs.setup_wizard import SetupWizard  # noqa: E402
from ui.dialogs.sign_in import SignInDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.pages.customers import CustomersPage  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> None:
    app = QApplication(sys.argv)
    prepare_application(app)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="archive-room-shots-"))

    wizard = SetupWizard(AppContext(location=DatabaseLocation.parse(work / "new.db")))
    wizard.resize(680, 560)
    wizard.show()
    wizard.next()
    org = wizard.organisation
    org.organisation_name.setText("华东示范贸易有限公司")
    org.fonds_name.setText("华东示范贸易有限公司客户档案")
    org.fonds_code.setText("Z001")
    grab(wizard, "setup-1-organisation")
    wizard.next()
    admin = wizard.admin
    admin.username.setText("admin")
    admin.display_name.setText("王建国")
    admin.password.setText("short")
    admin.password_confirm.setText("short")
    wizard.next()  # shows the policy messages
    grab(wizard, "setup-2-administrator-errors")
    admin.password.setText("Strong#Pass2026")
    admin.password_confirm.setText("Strong#Pass2026")
    wizard.next()
    grab(wizard, "setup-3-recovery-key")
    assert wizard.session is not None
    sign_out(session=wizard.session, clock=SystemClock())
    wizard.done(0)

    demo = DatabaseLocation.parse(work / "demo.db")
    accounts = build_demo(location=demo, clock=SystemClock())
    dialog = SignInDialog(AppContext(location=demo, demo_accounts=accounts))
    dialog.show()
    dialog.username.setText("archivist")
    dialog.password.setText("wrong password")
    dialog.attempt()
    grab(dialog, "sign-in-wrong-password")
    dialog.close()

    session = sign_in(location=demo, username="admin", password=DEMO_PASSWORD, clock=SystemClock())
    window = MainWindow(AppContext(location=demo), session)
    window.resize(1100, 720)
    window.show()
    grab(window, "main-window-home")
    window.show_area("settings")
    grab(window, "main-window-settings-users")
    window.show_area("inspections")
    grab(window, "main-window-area-not-built")
    window.close_for_sign_out()
    sign_out(session=session, clock=SystemClock())

    session = sign_in(
        location=demo, username="archivist", password=DEMO_PASSWORD, clock=SystemClock()
    )
    context = AppContext(location=demo)
    window = MainWindow(context, session)
    window.resize(1280, 760)
    window.show()
    window.show_area("customers")
    page = window.page_by_key["customers"]
    assert isinstance(page, CustomersPage)
    page.search.setText("zh")
    page.refresh()
    page.table.selectRow(0)
    grab(window, "customers-search")

    form = CustomerFormDialog(window)
    form.show()
    form.name.setText("张三丰")
    form.status.setCurrentIndex(form.status.findData("registered"))
    form.id_number.setText("110105194912310021")
    form.phones[0].setText("138 0013 8000")
    form.phone_list.add_row().edit.setText("010-6666 888")  # one digit short: its own message
    form.bank_list.rows[0].edit.setText("6222 0212 3456 7890 128")
    form.bank_list.rows[0].extra.setText("工商银行")  # type: ignore[union-attr]
    form.address_list.rows[0].edit.setText("北京市朝阳区建国路 1 号")
    draft, _ = form.draft()
    try:
        register_customer(session=session, draft=draft, clock=SystemClock())
    except ValidationFailed as exc:
        form.show_validation(exc)
    form.adjustSize()
    grab(form, "customer-form-validation")
    form.close()

    reveal = RevealDialog(session, SystemClock(), page.model.id_at(0), window)
    reveal.show()
    reveal.purpose.setCurrentText("办理借阅核对身份")
    grab(reveal, "reveal-purpose")
    reveal.reveal()
    reveal.adjustSize()
    grab(reveal, "reveal-shown")
    reveal.close()
    for name in ("赵一", "赵二"):  # two customers sharing a land line: a 疑似重复 pair
        register_customer(
            session=session,
            draft=CustomerDraft(
                party="person",
                kind="general",
                category="individual",
                name=name,
                phones=(PhoneInput("010-66668888"),),
            ),
            clock=SystemClock(),
        )
    window.close_for_sign_out()
    sign_out(session=session, clock=SystemClock())

    session = sign_in(
        location=demo, username="csmanager", password=DEMO_PASSWORD, clock=SystemClock()
    )
    review = DuplicateReviewDialog(session, SystemClock())
    review.show()
    review.flags.setCurrentRow(0)
    review.note.setText("两人为父子，共用家庭电话，已电话核实")
    grab(review, "duplicate-review")
    review.close()
    sign_out(session=session, clock=SystemClock())
    archives_screens(demo)


def archives_screens(demo: DatabaseLocation) -> None:
    """The 档案 page for an archivist (a classified volume open) and for a 部门负责人."""
    from app.services.catalogue import ItemDraft, add_item, list_volumes
    from ui.pages.archives import ArchivesPage

    clock = SystemClock()
    session = sign_in(location=demo, username="archivist", password=DEMO_PASSWORD, clock=clock)
    target = list_volumes(session=session, clock=clock, limit=1)[0]
    add_item(
        session=session,
        volume_id=target.id,
        draft=ItemDraft(title="授信评估报告", page_from=2, page_to=9, secrecy_level="confidential"),
        clock=clock,
    )
    window = MainWindow(AppContext(location=demo), session)
    window.resize(1280, 760)
    window.show()
    window.show_area("archives")
    page = window.page_by_key["archives"]
    assert isinstance(page, ArchivesPage)
    page.search.setText(target.reference_code)
    grab(window, "archives-volume")
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)
    session = sign_in(location=demo, username="depthead", password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=demo), session)
    window.resize(1280, 760)
    window.show()
    window.show_area("archives")
    page = window.page_by_key["archives"]
    assert isinstance(page, ArchivesPage)
    page.search.setText(target.reference_code[:-4])
    grab(window, "archives-restricted")
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
