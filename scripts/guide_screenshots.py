"""Screenshots of the operator's guide (docs/operator-guide.md): a day at the desk, offscreen.

Run: ``python scripts/guide_screenshots.py``. On a fresh demo database the archivist 李秀英
registers a customer, files a volume with two items, boxes and shelves it, prints its label,
lends it (approved by 杨静, 信息专员), takes it back, and counts the room in an inspection;
each step is grabbed to docs/screenshots/guide-NN-*.png, then the guide and its screenshots are
copied to resources/guide/ (what 帮助 → 操作指南 shows in the installed application), and the
home screen of each role is grabbed (home-<role>.png, main-window-home.png).
"""

from __future__ import annotations

import re
import shutil
import sys
from datetime import date

from _shot import (
    ROOT,
    customer_form,
    demo_database,
    demo_sign_in,
    grab,
    main_window,
    start_app,
    work_dir,
)
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.clock import SystemClock
from app.domain.scan_codes import scan_payload
from app.services import inspections as I
from app.services import locations as L
from app.services import users
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume
from app.services.customers import register_customer
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    approve_application,
    file_application,
    find_open_loan,
)
from app.services.locations import volume_labels
from app.storage.location import DatabaseLocation
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeFormDialog
from ui.dialogs.help import GuideDialog, ShortcutsDialog
from ui.dialogs.label_sheet import LabelSheetDialog, session_actions
from ui.dialogs.loans import ReturnDialog
from ui.main_window import MainWindow
from ui.pages.archives import ArchivesPage
from ui.pages.inspections import InspectionsPage
from ui.pages.loans import LoansPage
from ui.pages.locations import LocationsPage

GUIDE = ROOT / "docs" / "operator-guide.md"
SHIPPED = ROOT / "resources" / "guide"
SIZE = (1280, 720)


def window_for(location: DatabaseLocation, username: str) -> tuple[MainWindow, SignedIn]:
    clock = SystemClock()
    session = demo_sign_in(location, username, clock)
    return main_window(location, clock, session, SIZE), session


def close(window: MainWindow, session: SignedIn) -> None:
    window.close_for_sign_out()
    sign_out(session=session, clock=SystemClock())


def place(session: SignedIn, code: str) -> int:
    from sqlalchemy import select

    from app.storage.models import StorageLocation

    with session.uow(SystemClock()) as uow:
        found = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    assert found is not None, code
    return int(found)


def homes(location: DatabaseLocation) -> None:
    """The home screen of each role (issue 21: real cards, nothing "not enabled")."""
    for username, name in (
        ("admin", "home-admin"),
        ("auditor", "home-auditor"),
        ("gm", "home-approver"),
        ("archivist", "home-archivist"),
    ):
        window, session = window_for(location, username)
        window.show_area("home")
        grab(window, name)
        if username == "admin":
            grab(window, "main-window-home")
        close(window, session)


def day(location: DatabaseLocation) -> None:
    clock = SystemClock()
    today = clock.now().astimezone().date()
    window, session = window_for(location, "archivist")
    window.show_area("home")
    grab(window, "guide-01-home")

    # 1 register a customer
    window.show_area("customers")
    form = customer_form(window, "周雨桐", "11010519491231002X", "13800138000")
    form.address_list.rows[0].edit.setText("北京市朝阳区建国路 1 号")
    form.consent_editor.choose("consent", ("合同履行", "客户服务"))  # R4 (issue 18)
    form.consent_editor.given_on.setText(today.isoformat())
    form.adjustSize()
    grab(form, "guide-02-customer-form")
    draft, _ = form.draft()
    form.close()
    customer = register_customer(session=session, draft=draft, clock=clock)

    # 2 a volume with two items
    window.show_area("archives")
    volume_form = VolumeFormDialog(window, today, lambda d: None)
    volume_form.show()
    volume_form.customer.setText(customer.number)
    volume_form.title_edit.setText("周雨桐2026年度客户档案")
    volume_form.retention.setCurrentIndex(volume_form.retention.findData("D30"))
    grab(volume_form, "guide-03-volume-form")
    volume_form.close()
    saved = create_volume(
        session=session,
        draft=VolumeDraft(
            customer_id=customer.customer_id,
            year=today.year,
            title="周雨桐2026年度客户档案",
            retention="D30",
        ),
        clock=clock,
    )
    code = saved.reference_code
    item_form = ItemFormDialog(window, code, today, lambda d: None)
    item_form.show()
    item_form.title_edit.setText("开户申请表")
    item_form.page_from.setValue(1)
    item_form.page_to.setValue(3)
    grab(item_form, "guide-04-item-form")
    item_form.close()
    for title, pages in (("开户申请表", (1, 3)), ("身份证明复印件", (4, 5))):
        add_item(
            session=session,
            volume_id=saved.volume_id,
            draft=ItemDraft(title=title, doc_date=today, page_from=pages[0], page_to=pages[1]),
            clock=clock,
        )
    archives = window.page_by_key["archives"]
    assert isinstance(archives, ArchivesPage)
    archives.search.setText(code)
    archives.refresh()
    archives.select_volume(saved.volume_id)
    grab(window, "guide-05-volume")

    # 3 box and shelve it (move mode: volume → box, box → place)
    L.create_location_batch(
        session=session,
        spec=L.BatchSpec(room="K9", columns="1", faces="A", sections="1", layers="1-3"),
        clock=clock,
    )
    box = L.create_box(
        session=session, draft=L.BoxDraft(year=today.year, retention="D30"), clock=clock
    )
    window.show_area("locations")
    page = window.page_by_key["locations"]
    assert isinstance(page, LocationsPage)
    page.move_mode.setChecked(True)

    def scan(text: str) -> None:
        target = L.resolve_scan(session=session, text=text, clock=clock)
        assert target is not None, text
        page.scan.setText(text)
        page.handle_scan(target)

    scan(scan_payload(code))
    scan(scan_payload(box.code))
    scan(scan_payload(box.code))
    scan(scan_payload("K9-01-A-1-1"))
    page.scan.clear()
    grab(window, "guide-06-shelve")
    page.move_mode.setChecked(False)

    # 4 the volume's label
    labels = volume_labels(
        session=session,
        volume_ids=[saved.volume_id],
        clock=clock,
        locations={saved.volume_id: "K9-01-A-1-1"},
    )
    sheet = LabelSheetDialog(window, labels, session_actions(session, clock), title="案卷标签")
    sheet.show()
    grab(sheet, "guide-07-labels")
    sheet.close()

    # 5 lend it: the application, its approval, the issue by scan
    staff = {u.username: u.id for u in users.list_staff(session=session, clock=clock)}
    window.show_area("loans")
    loans = window.page_by_key["loans"]
    assert isinstance(loans, LoansPage)

    def shoot_application() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, shoot_application)
            return
        kind = dialog.kind  # type: ignore[attr-defined]
        kind.setCurrentIndex(kind.findData("loan"))
        staff_box = dialog.staff  # type: ignore[attr-defined]
        staff_box.setCurrentIndex(max(0, staff_box.findData(staff["archivist2"])))
        dialog.phone.setText("13812345678")  # type: ignore[attr-defined]
        dialog.purpose.setCurrentText("核对开户资料")  # type: ignore[attr-defined]
        dialog.scan.setText(code)  # type: ignore[attr-defined]
        dialog.add_scanned()  # type: ignore[attr-defined]
        grab(dialog, "guide-08-loan-application")
        dialog.reject()

    QTimer.singleShot(0, shoot_application)
    loans.applications_tab.new_application()
    filed = file_application(
        session=session,
        draft=ApplicationDraft(
            kind="loan",
            purpose="核对开户资料",
            volumes=(RequestedVolume(saved.volume_id),),
            applicant_user_id=staff["archivist2"],
            phone="13812345678",
            reason="客户来电要求核对",
        ),
        clock=clock,
    )
    approver = demo_sign_in(location, "infoofficer", clock)
    approve_application(
        session=approver, application_id=filed.application_id, opinion="同意", clock=clock
    )
    sign_out(session=approver, clock=clock)
    loans.refresh()
    loans.issue_scan.setText(scan_payload(code))
    loans.issue_by_scan()
    grab(window, "guide-09-issue")

    # 6 the return: scan the slip or the volume, count face to face
    check = find_open_loan(session=session, scan=scan_payload(code), clock=clock)
    dialog = ReturnDialog(window, check, lambda d: None)
    dialog.counted_pages.setValue(5)
    dialog.counted_items.setValue(2)
    dialog.show()
    grab(dialog, "guide-10-return")
    dialog.close()
    loans.return_scan.setText(scan_payload(code))

    def confirm_return() -> None:
        found = QApplication.activeModalWidget()
        if found is None:
            QTimer.singleShot(20, confirm_return)
            return
        found.counted_pages.setValue(5)  # type: ignore[attr-defined]
        found.counted_items.setValue(2)  # type: ignore[attr-defined]
        found.save()  # type: ignore[attr-defined]

    QTimer.singleShot(0, confirm_return)
    loans.return_by_scan()
    grab(window, "guide-11-returned")

    # 7 an inspection of room K9: count by scanning
    sid = I.start_inspection(
        session=session,
        draft=I.InspectionDraft(
            kind="special",
            room_id=place(session, "K9"),
            scope_kind="room",
            scope_ids=(),
            inspected_on=date.today(),
            inspectors=(I.Inspector(user_id=session.actor.user_id), I.Inspector(name="赵磊")),
        ),
        clock=clock,
    )
    window.show_area("inspections")
    inspections = window.page_by_key["inspections"]
    assert isinstance(inspections, InspectionsPage)
    inspections.refresh()
    row = next(i for i, r in enumerate(inspections.sessions.rows) if r.id == sid)
    inspections.sessions.select_row(row)
    inspections.start_count.click()
    for text in (scan_payload("K9-01-A-1-1"), scan_payload(code)):
        inspections.scan_box.setText(text)
        inspections.scan_box.returnPressed.emit()
    inspections.refresh_differences()
    grab(window, "guide-12-inspection")

    # help
    guide = GuideDialog(window)
    guide.show()
    grab(guide, "guide-13-help")
    guide.close()
    shortcuts = ShortcutsDialog(window, window.shortcut_rows())
    shortcuts.show()
    grab(shortcuts, "guide-14-shortcuts")
    shortcuts.close()
    close(window, session)


def ship_guide() -> None:
    """Copy the guide, the pages it links and its screenshots to resources/guide (package data)."""
    text = GUIDE.read_text(encoding="utf-8")
    images = sorted(set(re.findall(r"\]\((screenshots/[^)]+\.png)\)", text)))
    if SHIPPED.exists():
        shutil.rmtree(SHIPPED)
    (SHIPPED / "screenshots").mkdir(parents=True)
    shutil.copy2(GUIDE, SHIPPED / "operator-guide.md")
    for image in images:
        shutil.copy2(ROOT / "docs" / image, SHIPPED / image)
    pages = sorted(set(re.findall(r"\]\(([a-z-]+\.md)\)", text)))  # rules.md, glossary.md
    for page in pages:
        shutil.copy2(ROOT / "docs" / page, SHIPPED / page)
    print(f"{SHIPPED.relative_to(ROOT)}: guide, {len(pages)} pages, {len(images)} screenshots")


def main() -> None:
    start_app()
    if "--ship-only" not in sys.argv:
        location = demo_database(work_dir("archive-room-guide-"))
        homes(location)
        day(location)
    ship_guide()


if __name__ == "__main__":
    main()
