"""档案 page: file a volume, add a classified item, and what a lower clearance sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import classified_item
from tests.gui.conftest import open_demo_page, previewed, when_modal
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeFormDialog
from ui.pages.archives import ArchivesPage


def open_page(qtbot: QtBot, location: DatabaseLocation, user: str) -> ArchivesPage:
    return open_demo_page(qtbot, location, ArchivesPage, user=user, size=(1200, 760))[0]


def test_file_a_volume_add_a_classified_item_and_a_lower_clearance_sees_only_the_code(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page = open_page(qtbot, demo_copy, "archivist")
    assert page.volumes.rowCount() == 205 and "最近的 205 卷" in page.count_label.text()
    seen: dict[str, str] = {}

    def fill_volume(dialog: QWidget) -> None:
        assert isinstance(dialog, VolumeFormDialog)
        dialog.customer.setText("KH99999999")  # no such customer
        dialog.title_edit.setText("")
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.click()
        seen["customer"] = dialog.errors.text("customer")
        dialog.customer.setText("kh00000001")
        save.click()
        seen["title"] = dialog.errors.text("title")
        dialog.title_edit.setText("2026年度补充材料")
        save.click()

    errors = when_modal(fill_volume)
    page.new_button.click()
    assert errors == []
    assert seen["customer"] == "客户：不存在" and seen["title"] == "题名：不能为空"
    assert page.volumes.rowCount() == 1
    code = page.volumes.rows[0].reference_code
    assert code.startswith("Z001-KH·") and code.endswith("-0001")
    assert page._current is not None and page._current.reference_code == code

    def fill_item(dialog: QWidget) -> None:
        assert isinstance(dialog, ItemFormDialog)
        dialog.title_edit.setText("授信评估报告")
        dialog.page_from.setValue(1)
        dialog.page_to.setValue(12)
        dialog.secrecy.setCurrentIndex(dialog.secrecy.findData("confidential"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(fill_item)
    page.add_item_button.click()
    assert errors == []
    assert page.items.rowCount() == 1
    assert page.items.values(page.items.rows[0])[7] == "机密★20年"
    assert "机密★20年" in page.volume_label.text() and "共 1 件 12 页" in page.volume_label.text()
    page.grab().save("/tmp/archives-page.png")

    lower = open_page(qtbot, demo_copy, "depthead")  # 部门负责人: up to 秘密
    lower.search.setText(code)
    qtbot.waitUntil(lambda: lower.volumes.rowCount() == 1)
    row = lower.volumes.rows[0]
    assert row.restricted and lower.volumes.values(row)[:2] == [code, "受限"]
    assert lower.items.rowCount() == 0 and "受限" in lower.volume_label.text()
    assert not lower.new_button.isVisible()


def test_print_the_catalogue_of_a_volume_and_refuse_an_empty_note_sheet(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.dialogs.print_preview import PrintPreviewDialog

    page = open_page(qtbot, demo_copy, "archivist")
    page.volume_table.selectRow(0)
    code = page.volumes.rows[0].reference_code
    target = tmp_path / "out.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen: dict[str, object] = {}

    def preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PrintPreviewDialog)
        seen["title"] = dialog.windowTitle()
        dialog.save_as()
        dialog.reject()

    errors = when_modal(preview)
    page.print_catalogue_button.click()
    qtbot.waitUntil(lambda: "title" in seen)  # rendered in the background (issue 21)
    assert errors == []
    assert code in str(seen["title"]) and "卷内目录" in str(seen["title"])
    assert target.read_bytes().startswith(b"%PDF")
    session = page._session
    with session.store.new_session() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "print.catalogue").one()
    assert entry.purpose == "卷内目录" and code in entry.details

    def refused(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen["message"] = box.text()
        box.accept()

    errors = when_modal(refused)
    page.print_note_button.click()  # demo volumes have no 本卷情况说明 yet
    qtbot.waitUntil(lambda: "message" in seen)
    assert errors == []
    assert "本卷情况说明" in str(seen["message"])


def test_attach_a_scan_to_an_item_and_open_it_with_a_purpose(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    from PySide6.QtGui import QColor, QImage

    from ui.dialogs.item_files import ImageViewer, ItemFilesDialog, PurposeDialog

    page = open_page(qtbot, demo_copy, "archivist")
    page.volume_table.selectRow(0)
    page.item_table.selectRow(0)
    assert page.files_button.isEnabled()
    scan = tmp_path / "张三丰身份证.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    assert image.save(str(scan))
    seen: dict[str, object] = {}

    def viewer(dialog: QWidget) -> None:
        assert isinstance(dialog, ImageViewer)
        seen["loaded"] = dialog.loaded
        dialog.accept()

    def purpose(dialog: QWidget) -> None:
        assert isinstance(dialog, PurposeDialog)
        dialog._ok()  # no purpose yet: stays open
        seen["error"] = dialog.error.text()
        dialog.purpose.setCurrentText("核对客户资料")
        when_modal(viewer)
        dialog._ok()

    def files(dialog: QWidget) -> None:
        assert isinstance(dialog, ItemFilesDialog)
        assert dialog.attach(scan) is not None
        seen["listed"] = dialog.files.item(0).text()
        dialog.files.setCurrentRow(0)
        when_modal(purpose)
        dialog.open_selected()
        dialog.accept()

    errors = when_modal(files)
    page.files_button.click()
    assert errors == []
    assert "身份证" not in str(seen["listed"]) and "PNG" in str(seen["listed"]).upper()
    assert seen["error"] == "请填写用途" and seen["loaded"] is True
    with page._session.store.new_session() as s:
        opened = s.query(AuditEntry).filter(AuditEntry.action == "file.open").one()
    assert opened.purpose == "核对客户资料"


def test_an_approver_extends_a_term_from_the_review_queue(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:

    from app.services.catalogue import list_volumes
    from ui.dialogs.secrecy_review import SecrecyReviewDialog

    archivist = open_page(qtbot, demo_copy, "archivist")
    clock = archivist._context.clock
    target = next(v for v in list_volumes(session=archivist._session, clock=clock) if not v.secrecy)
    classified_item(archivist._session, clock, target.id, "在谈项目报价", days_ago=330)
    manager = open_page(qtbot, demo_copy, "csmanager")
    seen: dict[str, object] = {}

    def review(dialog: QWidget) -> None:
        assert isinstance(dialog, SecrecyReviewDialog)
        codes = [r.reference_code for r in dialog.rows]
        assert target.reference_code in codes
        dialog.table.selectRow(codes.index(target.reference_code))
        dialog.term.setValue(3)
        dialog.extend()  # no reason given
        seen["note_error"] = dialog.errors.text("note")
        dialog.note.setText("项目仍在谈判")
        dialog.extend()
        seen["after"] = [r.reference_code for r in dialog.rows]
        dialog.accept()

    errors = when_modal(review)
    manager.review_button.click()
    assert errors == []
    assert seen["note_error"] == "说明：不能为空"
    assert target.reference_code not in seen["after"]  # now ends in two years


def test_export_the_list_after_giving_a_purpose(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    from ui.dialogs.export_list import ExportListDialog

    page = open_page(qtbot, demo_copy, "archivist")
    target = tmp_path / "list.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def purpose(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportListDialog)
        dialog.purpose.setCurrentText("年度盘点")
        dialog._ok()

    errors = when_modal(purpose)
    page.export_button.click()
    assert errors == []
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    rows = rows[next(i for i, r in enumerate(rows) if r[0] == "档号") + 1 :]  # below the header
    assert len(rows) == 205 and str(rows[0][0]).startswith("Z001-KH·")


def test_fill_in_the_note_sheet_details_then_print_it(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from PySide6.QtCore import QDate

    from ui.dialogs.catalogue_forms import VolumeDetailsDialog

    page = open_page(qtbot, demo_copy, "archivist")
    page.volume_table.selectRow(0)
    code = page.volumes.rows[0].reference_code
    seen: dict[str, object] = {}

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, VolumeDetailsDialog)
        dialog.title_edit.setText("")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        seen["title_error"] = dialog.errors.text("title")
        dialog.title_edit.setText("张三丰客户档案（补充整理）")
        dialog.compiled_by.setText("李秀英")
        dialog.checked_by.setText("赵磊")
        dialog.compiled_on.enabled.setChecked(True)
        today = page._context.clock.now().date()  # the app's clock, not the machine's
        dialog.compiled_on.edit.setDate(QDate(today.year, today.month, today.day))
        dialog.notes.setPlainText("本卷共 1 件，原件齐全，无缺损。")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(edit)
    page.edit_volume_button.click()
    assert errors == []
    assert seen["title_error"] == "题名：不能为空"
    assert page._current is not None and page._current.title == "张三丰客户档案（补充整理）"
    assert page._current.reference_code == code  # the 档号 never changes

    title, _pdf = previewed(qtbot, page.print_note_button)
    assert "卷内备考表" in title and code in title


def test_a_volume_shows_its_condition_records_and_in_repair(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from datetime import date

    from app.services import inspections

    page = open_page(qtbot, demo_copy, "archivist")
    first = page.volumes.rows[0]
    inspections.record_finding(
        session=page._session,
        volume_id=first.id,
        kind="mould",
        description="封面霉斑",
        task=inspections.TaskDraft(
            kind="demould", due_on=date(2026, 2, 1), responsible_name="王五", send_out=True
        ),
        clock=page._context.clock,
    )
    page.volume_table.selectRow(1)
    page.volume_table.selectRow(0)
    assert "（在修）" in page.volume_label.text()
    assert "状况记录：霉变" in page.volume_label.text()
