"""The customer form: 负责人员 choice, growing and shrinking contact lists, keyboard."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import sign_out
from app.services.customers import AddressInput, get_customer, register_customer
from app.storage.location import DatabaseLocation
from tests.factories import prospect
from tests.gui.conftest import when_modal
from tests.gui.test_customers_page import open_page
from ui.dialogs.customer_form import CustomerFormDialog


def save(dialog: CustomerFormDialog) -> None:
    """Click 保存 (accepting any notice box); fail with what the form shows if it stays open."""
    when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    if dialog.isVisible():
        labels = dialog.findChildren(QLabel)
        shown = [w.text() for w in labels if w.objectName().startswith("error_") and w.text()]
        raise AssertionError(f"not saved: {dialog.general.text()} {shown}")


def on_form(action: Callable[[CustomerFormDialog], None]) -> list[BaseException]:
    """Run ``action`` on the customer form once it is shown; return what failed in it."""

    def checked(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        action(dialog)

    return when_modal(checked)


def test_responsible_person_is_offered_saved_and_preselected(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, object] = {}

    def new(dialog: CustomerFormDialog) -> None:
        box = dialog.responsible
        seen["offered"] = [box.itemText(i) for i in range(box.count())]
        seen["editable"] = box.isEditable()
        dialog.name.setText("上海示范律师事务所")
        dialog.consent_editor.choose("合同必需")  # R4: a legal basis (issue 18)
        dialog.party.setCurrentIndex(dialog.party.findData("org"))
        box.setCurrentIndex(box.findText("赵磊（archivist2）"))
        save(dialog)

    errors = on_form(new)
    page.new_button.click()
    assert errors == []
    offered = seen["offered"]
    assert isinstance(offered, list) and offered[0] == "（未指定）" and not seen["editable"]
    # archivists and approvers; never the administrator or the auditor (三员分立)
    assert "赵磊（archivist2）" in offered and "刘芳（csmanager）" in offered
    assert not any("admin" in o or "auditor" in o for o in offered)
    page.table.selectRow(0)
    assert "赵磊" in page.detail_label.text()

    def edit(dialog: CustomerFormDialog) -> None:
        seen["preselected"] = dialog.responsible.currentText()
        dialog.responsible.setCurrentIndex(0)  # （未指定）
        save(dialog)

    errors = on_form(edit)
    page.edit_button.click()
    assert errors == []
    assert seen["preselected"] == "赵磊（archivist2）"
    cid = page.selected_id()
    assert cid is not None
    detail = get_customer(session=session, customer_id=cid, clock=FixedClock())  # type: ignore[arg-type]
    assert detail.responsible_user_id is None
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def group_title(widget: QWidget) -> str:
    """The title of the group box a field sits in."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QGroupBox):
        parent = parent.parentWidget()
    assert parent is not None
    return parent.title()


def test_group_titles_name_the_class_of_the_fields_in_them(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    # seed 004's one class table: ID, gender, birth date, phones and bank accounts are 敏感;
    # addresses and e-mail 业务 (a title calling them sensitive would contradict the table)
    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, str] = {}

    def look(dialog: CustomerFormDialog) -> None:
        for name in ("id_number", "gender", "birth_date", "email", "phone_list", "address_list"):
            seen[name] = group_title(getattr(dialog, name))
        chain, widget = [], dialog.birth_date.nextInFocusChain()
        while widget is not dialog.birth_date and len(chain) < 200:
            chain.append(widget.objectName())
            widget = widget.nextInFocusChain()
        seen["tab"] = "after" if chain.index("email") > chain.index("address_0") else "before"
        dialog.reject()

    errors = on_form(look)
    page.new_button.click()
    assert errors == []
    assert seen["id_number"] == seen["gender"] == seen["birth_date"] == "证件（敏感信息）"
    assert seen["email"] == seen["phone_list"] == seen["address_list"]
    assert seen["email"] == "联系方式（敏感信息、业务信息，加密保存）"
    assert seen["tab"] == "after"  # Tab reaches 电子邮箱 after the address, where it stands
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_phone_rows_grow_and_shrink_with_errors_next_to_the_right_row(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, object] = {}

    def new(dialog: CustomerFormDialog) -> None:
        assert len(dialog.phones) == 1
        dialog.name.setText("钱多多")
        dialog.consent_editor.choose("合同必需")  # R4: a legal basis (issue 18)
        qtbot.mouseClick(dialog.phone_list.add_button, Qt.MouseButton.LeftButton)
        assert len(dialog.phones) == 2 and dialog.focusWidget() is dialog.phones[1]
        dialog.phones[0].setText("138 0013 8000")
        dialog.phones[1].setText("12345")
        qtbot.keyClick(dialog.phones[1], Qt.Key.Key_Return)  # Enter saves: refused
        seen["errors"] = (dialog.errors.text("phones.0"), dialog.errors.text("phones.1"))
        seen["focus"] = dialog.focusWidget().objectName() if dialog.focusWidget() else ""
        remove = dialog.findChild(QToolButton, "remove_phone_0")
        assert isinstance(remove, QToolButton)
        remove.click()  # the good number goes; the wrong one moves up to the first row
        seen["after_remove"] = ([e.text() for e in dialog.phones], dialog.phones[0].objectName())
        seen["cleared"] = dialog.errors.text("phones.0")
        dialog.phones[0].setText("010-6666 8888")
        dialog.bank_list.rows[0].edit.setText("6222 0212 3456 7890 128")
        qtbot.mouseClick(dialog.bank_list.add_button, Qt.MouseButton.LeftButton)
        dialog.bank_list.rows[1].edit.setText("6217 0000 1000 0000 007")
        dialog.bank_list.rows[1].extra.setText("建设银行")  # type: ignore[union-attr]
        when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
        qtbot.keyClick(dialog.phones[0], Qt.Key.Key_Return)

    errors = on_form(new)
    page.new_button.click()
    assert errors == []
    first, second = seen["errors"]  # type: ignore[misc]
    assert first == "" and "电话（第 2 项）" in second and "位数太少" in second
    assert seen["focus"] == "phone_1"
    assert seen["after_remove"] == (["12345"], "phone_0") and seen["cleared"] == ""
    cid = page.selected_id() or page.model.id_at(0)
    detail = get_customer(session=session, customer_id=cid, clock=FixedClock())  # type: ignore[arg-type]
    assert detail.name == "钱**" and detail.phones == ("106***8888",)
    assert detail.bank_accounts == ("622202*********0128", "621700*********0007")
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_editing_removes_a_stored_phone_keeps_the_rest_and_esc_cancels(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    result = register_customer(
        session=session,  # type: ignore[arg-type]
        draft=prospect(
            "孙两机",
            "13800001111",
            "13900002222",
            addresses=(AddressInput("杭州市西湖区文三路1号"),),
        ),
        clock=FixedClock(),
    )
    page.search.setText(result.number)
    page.refresh()
    page.table.selectRow(0)
    seen: dict[str, object] = {}

    def cancel(dialog: CustomerFormDialog) -> None:
        seen["placeholders"] = [e.placeholderText() for e in dialog.phones]
        seen["address"] = dialog.address_list.rows[0].edit.placeholderText()
        dialog.findChild(QToolButton, "remove_phone_0").click()  # type: ignore[union-attr]
        qtbot.keyClick(dialog.phones[0], Qt.Key.Key_Escape)  # Esc: nothing saved

    errors = on_form(cancel)
    page.edit_button.click()
    assert errors == []
    placeholders = seen["placeholders"]
    assert isinstance(placeholders, list) and len(placeholders) == 2
    assert "138****1111" in placeholders[0] and "139****2222" in placeholders[1]
    assert "13800001111" not in " ".join(placeholders) and "杭州市西湖区****" in str(
        seen["address"]
    )
    detail = get_customer(session=session, customer_id=result.customer_id, clock=FixedClock())  # type: ignore[arg-type]
    assert detail.phones == ("138****1111", "139****2222") and detail.version == 1

    def remove_first(dialog: CustomerFormDialog) -> None:
        dialog.findChild(QToolButton, "remove_phone_0").click()  # type: ignore[union-attr]
        dialog.findChild(QToolButton, "remove_address_0").click()  # type: ignore[union-attr]
        qtbot.mouseClick(dialog.phone_list.add_button, Qt.MouseButton.LeftButton)
        dialog.phones[1].setText("137 0000 3333")
        qtbot.keyClick(dialog.phones[1], Qt.Key.Key_Return)
        if dialog.isVisible():
            raise AssertionError(dialog.general.text())

    errors = on_form(remove_first)
    page.edit_button.click()
    assert errors == []
    detail = get_customer(session=session, customer_id=result.customer_id, clock=FixedClock())  # type: ignore[arg-type]
    assert detail.phones == ("139****2222", "137****3333") and detail.addresses == ()
    assert "139****2222" in page.detail_label.text()
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]
