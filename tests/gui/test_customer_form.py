"""The customer form: 负责人员 choice, growing and shrinking contact lists, keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.customers import get_customer
from app.storage.location import DatabaseLocation
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.dialogs.customer_form import CustomerFormDialog
from ui.pages.customers import CustomersPage


def open_page(qtbot: QtBot, location: DatabaseLocation) -> tuple[CustomersPage, object]:
    clock = FixedClock()
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    page = CustomersPage(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    return page, session


def save(dialog: CustomerFormDialog) -> None:
    """Click 保存 (accepting any notice box); fail with what the form shows if it stays open."""
    when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    if dialog.isVisible():
        labels = dialog.findChildren(QLabel)
        shown = [w.text() for w in labels if w.objectName().startswith("error_") and w.text()]
        raise AssertionError(f"not saved: {dialog.general.text()} {shown}")


def test_responsible_person_is_offered_saved_and_preselected(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, object] = {}

    def new(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        box = dialog.responsible
        seen["offered"] = [box.itemText(i) for i in range(box.count())]
        seen["editable"] = box.isEditable()
        dialog.name.setText("上海示范律师事务所")
        dialog.party.setCurrentIndex(dialog.party.findData("org"))
        box.setCurrentIndex(box.findText("赵磊（archivist2）"))
        save(dialog)

    errors = when_modal(new)
    page.new_button.click()
    assert errors == []
    offered = seen["offered"]
    assert isinstance(offered, list) and offered[0] == "（未指定）" and not seen["editable"]
    # archivists and approvers; never the administrator or the auditor (三员分立)
    assert "赵磊（archivist2）" in offered and "刘芳（csmanager）" in offered
    assert not any("admin" in o or "auditor" in o for o in offered)
    page.table.selectRow(0)
    assert "赵磊" in page.detail_label.text()

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        seen["preselected"] = dialog.responsible.currentText()
        dialog.responsible.setCurrentIndex(0)  # （未指定）
        save(dialog)

    errors = when_modal(edit)
    page.edit_button.click()
    assert errors == []
    assert seen["preselected"] == "赵磊（archivist2）"
    cid = page.selected_id()
    assert cid is not None
    detail = get_customer(session=session, customer_id=cid, clock=FixedClock())  # type: ignore[arg-type]
    assert detail.responsible_user_id is None
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]
