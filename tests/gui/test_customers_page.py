"""客户 page: form with inline validation, masked list, search as you type, audited reveal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.customers import count_customers, get_customer_rows, list_customer_ids
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.gui.conftest import open_demo_page, when_modal
from ui.context import AppContext
from ui.dialogs.customer_form import CustomerFormDialog
from ui.dialogs.reveal import RevealDialog
from ui.models.customers import CustomerTableModel
from ui.pages.customers import CustomersPage

GOOD_ID = "11010519491231002X"


def open_page(qtbot: QtBot, location: DatabaseLocation) -> tuple[CustomersPage, object]:
    return open_demo_page(qtbot, location, CustomersPage, size=(1100, 600))


def test_bad_id_is_shown_next_to_the_field_then_the_fix_saves_masked(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    before = count_customers(session=session, clock=FixedClock())  # type: ignore[arg-type]
    seen: dict[str, str] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        dialog.name.setText("张三丰")
        dialog.consent_editor.choose("合同必需")  # R4: a legal basis (issue 18)
        dialog.status.setCurrentIndex(dialog.status.findData("registered"))
        dialog.id_number.setText("110105194912310021")  # wrong check digit
        dialog.phones[0].setText("138 0013 8000")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Enter saves
        seen["id_error"] = dialog.errors.text("id_number")
        seen["focus"] = dialog.focusWidget().objectName() if dialog.focusWidget() else ""
        assert dialog.isVisible()
        dialog.id_number.setText("１１０１０５１９４９１２３１００２Ｘ")  # full-width paste is fine
        when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(fill)
    page.new_button.click()
    assert errors == []
    assert "校验位不正确" in seen["id_error"] and seen["focus"] == "id_number"
    assert count_customers(session=session, clock=FixedClock()) == before + 1  # type: ignore[arg-type]
    # the new customer is found and shown masked
    assert page.model.rowCount() == 1
    row = page.model.row_at(0)
    assert row is not None and row.name == "张**" and row.id_number == "110***********002X"
    assert row.phone == "138****8000"
    page.table.selectRow(0)
    assert (
        "110***********002X" in page.detail_label.text() and GOOD_ID not in page.detail_label.text()
    )

    # reveal with a purpose: full values once, and an audit entry
    def reveal(dialog: QWidget) -> None:
        assert isinstance(dialog, RevealDialog)
        dialog.reveal()  # no purpose yet
        seen["no_purpose"] = dialog.error.text()
        dialog.purpose.setCurrentText("办理借阅核对身份")
        dialog.reveal()
        seen["shown"] = " ".join(w.text() for w in dialog.findChildren(QWidget, "revealed"))  # type: ignore[attr-defined]
        dialog.reveal()  # "完成"

    errors = when_modal(reveal)
    page.reveal_button.click()
    assert errors == []
    assert "用途" in seen["no_purpose"]
    assert GOOD_ID in seen["shown"] and "+8613800138000" in seen["shown"]
    with session.store.new_session() as s:  # type: ignore[attr-defined]
        entry = s.query(AuditEntry).filter_by(action="customer.reveal").one()
    assert entry.purpose == "办理借阅核对身份"
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_search_as_you_type_finds_by_pinyin_and_filters(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    assert page.model.rowCount() == 200 and "200" in page.count_label.text()
    first = page.model.row_at(0)
    assert first is not None
    qtbot.keyClicks(page.search, first.number.lower())
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.row_at(0).number == first.number  # type: ignore[union-attr]
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 200, timeout=3000)
    page.status_filter.setCurrentIndex(page.status_filter.findData("lost"))
    assert 0 < page.model.rowCount() < 200
    assert all(page.model.row_at(i).status == "lost" for i in range(page.model.rowCount()))  # type: ignore[union-attr]
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_search_as_you_type_runs_in_a_worker_and_only_the_newest_query_lands(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """Issue 21, point 8: the typing pause searches off the GUI thread; typing on wins."""
    import threading

    import ui.pages.customers.page as page_module

    page, session = open_page(qtbot, demo_copy)
    first = page.model.row_at(0)
    assert first is not None
    threads: list[str] = []
    real = page_module.search_customers

    def watched(**kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(**kwargs)

    shown: list[str] = []
    page.model.modelReset.connect(lambda: shown.append(page.model.highlight or ""))
    page_module.search_customers = watched  # type: ignore[attr-defined]
    try:
        page.search.setText("zh")
        page._search_as_typed()  # the typing pause ends: "zh" goes to a worker
        page.search.setText(first.number)  # typed on before "zh" came back
        qtbot.waitUntil(lambda: page.idle() and page.model.rowCount() == 1, timeout=5000)
    finally:
        page_module.search_customers = real  # type: ignore[attr-defined]
    assert page.model.row_at(0).number == first.number  # type: ignore[union-attr]
    assert threads and threading.main_thread().name not in threads
    assert "zh" not in shown  # the older query's answer never reached the table
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_customer_model_is_a_valid_qt_model(qtmodeltester, demo_copy: DatabaseLocation) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=clock)
    model = CustomerTableModel(lambda ids: get_customer_rows(session=session, ids=ids, clock=clock))
    model.set_ids(list_customer_ids(session=session, clock=clock))
    qtmodeltester.check(model)
    assert model.rowCount() == 200
    assert model.data(model.index(199, 0)).startswith("KH00000200")  # the last row reads directly
    sign_out(session=session, clock=clock)


def test_edit_and_status_change_show_in_the_history(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from ui.dialogs.customer_form import StatusDialog

    page, session = open_page(qtbot, demo_copy)
    page.table.selectRow(0)
    assert page.edit_button.isEnabled()

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog) and dialog.existing is not None
        assert dialog.name.text() == "" and "留空表示不修改" in dialog.id_number.placeholderText()
        dialog.importance.setCurrentIndex(dialog.importance.findData("important"))
        dialog.phones[0].setText("139-0000-1234")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(edit)
    page.edit_button.click()
    assert errors == []
    page.table.selectRow(0)
    assert "139****1234" in page.detail_label.text() and "重要" in page.detail_label.text()

    def status(dialog: QWidget) -> None:
        assert isinstance(dialog, StatusDialog)
        dialog.box.setCurrentIndex(dialog.box.findData("lost"))
        dialog.note.setText("迁往外地")
        dialog.accept()

    errors = when_modal(status)
    page.status_button.click()
    assert errors == []
    page.table.selectRow(0)
    history = [page.history.item(i).text() for i in range(page.history.count())]
    assert "变更客户状态" in history[0] and "迁往外地" in history[0]
    assert any("修改" in h for h in history)
    sign_out(session=session, clock=FixedClock())  # type: ignore[arg-type]


def test_approver_clears_a_suspected_duplicate_with_a_note(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from app.services.customers import list_duplicate_flags, register_customer
    from tests.factories import prospect
    from ui.dialogs.duplicates import DuplicateReviewDialog

    clock = FixedClock()
    archivist = sign_in(
        location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=clock
    )
    for name in ("赵一", "赵二"):
        register_customer(
            session=archivist,
            draft=prospect(name, "010-66668888"),
            clock=clock,
        )
    sign_out(session=archivist, clock=clock)
    session = sign_in(location=demo_copy, username="csmanager", password=DEMO_PASSWORD, clock=clock)
    page = CustomersPage(AppContext(location=demo_copy, clock=clock), session)
    qtbot.addWidget(page)
    assert page.review_button.isVisibleTo(page) and not page.new_button.isVisibleTo(page)
    seen: dict[str, object] = {}

    def review(dialog: QWidget) -> None:
        assert isinstance(dialog, DuplicateReviewDialog)
        seen["count"] = dialog.flags.count()
        seen["text"] = dialog.flags.item(0).text()
        dialog.flags.setCurrentRow(0)
        dialog.clear_selected()  # no note yet
        seen["error"] = dialog.error.text()
        dialog.note.setText("两家公司共用总机，已电话核实")
        dialog.clear_selected()
        seen["after"] = dialog.flags.count()
        dialog.reject()

    errors = when_modal(review)
    page.review_button.click()
    assert errors == []
    assert seen["count"] == 1 and "电话相同" in str(seen["text"]) and "赵*" in str(seen["text"])
    assert "说明" in str(seen["error"]) and seen["after"] == 0
    assert list_duplicate_flags(session=session, clock=clock) == []
    sign_out(session=session, clock=clock)


def test_a_department_head_sees_basic_and_business_values_and_the_sensitive_ones_masked(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """R7: the reveal opens the classes the post may see and says what stays masked."""
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="depthead", password=DEMO_PASSWORD, clock=clock)
    page = CustomersPage(AppContext(location=demo_copy, clock=clock), session)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    page.table.selectRow(0)
    seen: dict[str, str] = {}

    def reveal(dialog: QWidget) -> None:
        assert isinstance(dialog, RevealDialog)
        dialog.purpose.setCurrentText("审批借阅核对")
        dialog.reveal()
        shown = [w.text() for w in dialog.findChildren(QWidget, "revealed")]  # type: ignore[attr-defined]
        seen["name"], seen["id_number"] = shown[0], shown[1]
        notes = dialog.findChildren(QWidget, "still_masked")
        seen["note"] = notes[0].text() if notes else ""  # type: ignore[attr-defined]
        dialog.reveal()

    errors = when_modal(reveal)
    page.reveal_button.click()
    assert errors == []
    assert "*" not in seen["name"]  # 基础: in full
    assert "*" in seen["id_number"]  # 敏感: masked for a 部门负责人
    assert "仍脱敏显示" in seen["note"]
    sign_out(session=session, clock=clock)
