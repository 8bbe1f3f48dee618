"""档案 page: file a volume, add a classified item, and what a lower clearance sees."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in
from app.storage.location import DatabaseLocation
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeFormDialog
from ui.pages.archives import ArchivesPage


def open_page(qtbot: QtBot, location: DatabaseLocation, user: str) -> ArchivesPage:
    clock = FixedClock()
    session = sign_in(location=location, username=user, password=DEMO_PASSWORD, clock=clock)
    page = ArchivesPage(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    return page


def test_file_a_volume_add_a_classified_item_and_a_lower_clearance_sees_only_the_code(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page = open_page(qtbot, demo_copy, "archivist")
    assert page.volumes.rowCount() == 200 and "最近的 200 卷" in page.count_label.text()
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
    assert lower.volumes.rowCount() == 1
    row = lower.volumes.rows[0]
    assert row.restricted and lower.volumes.values(row)[:2] == [code, "受限"]
    assert lower.items.rowCount() == 0 and "受限" in lower.volume_label.text()
    assert not lower.new_button.isVisible()
