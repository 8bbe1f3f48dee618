"""Regenerate docs/screenshots/*.png offscreen: setup wizard, sign-in, main window, settings.

Run: ``python scripts/screenshots.py`` (uses QT_QPA_PLATFORM=offscreen unless a display is set).
"""

from __future__ import annotations

from _shot import customer_form, demo_sign_in, grab, main_window, start_app, work_dir

from app.clock import SystemClock
from app.demo import build_demo
from app.errors import ValidationFailed
from app.services.auth import sign_out
from app.services.customers import PhoneInput, register_customer
from app.storage.location import DatabaseLocation
from tests.factories import potential
from ui.context import AppContext
from ui.dialogs.duplicates import DuplicateReviewDialog
from ui.dialogs.reveal import RevealDialog
from ui.dialogs.setup_wizard import SetupWizard
from ui.dialogs.sign_in import SignInDialog
from ui.pages.customers import CustomersPage


def main() -> None:
    start_app()
    work = work_dir()

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
    wizard.three.auditor_display_name.setText("周敏")
    grab(wizard, "setup-2-three-officers")
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
    wizard.next()  # creates the database
    assert wizard.currentPage() is wizard.recovery
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

    session = demo_sign_in(demo, "admin", SystemClock())
    window = main_window(demo, SystemClock(), session, (1100, 720))
    grab(window, "main-window-home")
    window.show_area("settings")
    grab(window, "main-window-settings-users")
    window.show_area("inspections")
    grab(window, "main-window-area-not-for-role")  # 三员: no archive work
    window.close_for_sign_out()
    sign_out(session=session, clock=SystemClock())

    session = demo_sign_in(demo, "archivist", SystemClock())
    window = main_window(demo, SystemClock(), session, (1280, 760))
    window.show_area("customers")
    page = window.page_by_key["customers"]
    assert isinstance(page, CustomersPage)
    page.search.setText("zh")
    page.refresh()
    page.table.selectRow(0)
    grab(window, "customers-search")

    form = customer_form(window, "张三丰", "110105194912310021", "138 0013 8000")
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
            draft=potential(name=name, phones=(PhoneInput("010-66668888"),)),
            clock=SystemClock(),
        )
    window.close_for_sign_out()
    sign_out(session=session, clock=SystemClock())

    session = demo_sign_in(demo, "csmanager", SystemClock())
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
    session = demo_sign_in(demo, "archivist", clock)
    target = list_volumes(session=session, clock=clock, limit=1)[0]
    add_item(
        session=session,
        volume_id=target.id,
        draft=ItemDraft(title="授信评估报告", page_from=2, page_to=9, secrecy_level="confidential"),
        clock=clock,
    )
    sign_out(session=session, clock=clock)
    # the archivist sees the volume; a 部门负责人 searching its series sees it restricted
    for username, search, name in (
        ("archivist", target.reference_code, "archives-volume"),
        ("depthead", target.reference_code[:-4], "archives-restricted"),
    ):
        session = demo_sign_in(demo, username, clock)
        window = main_window(demo, clock, session, (1280, 760))
        window.show_area("archives")
        page = window.page_by_key["archives"]
        assert isinstance(page, ArchivesPage)
        page.search.setText(search)
        grab(window, name)
        window.close_for_sign_out()
        sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
