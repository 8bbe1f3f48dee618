"""导入向导: a messy ledger through every step, the rejected rows saved, the import undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox, QWizard

from app.services.customers import search_customers
from tests.gui.conftest import WizardDesk, choose_file
from tests.import_helpers import import_rows, mapped_ledger
from tests.ledgers import customer_rows, mobile, resident_id, with_bad_check, write_customer_xlsx
from ui.dialogs.import_wizard import ImportHistoryDialog

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def cell(dialog: ImportHistoryDialog, row: int, column: int) -> str:
    return str(dialog.table.model().index(row, column).data())


def ledger(path: Path) -> Path:
    rows = customer_rows(8)
    rows.append([])
    rows.append([9, "孙错号", "个人", with_bad_check(resident_id(90)), mobile(90)])
    rows.append([10, "周错电话", "个人", resident_id(91), "1234"])
    return write_customer_xlsx(path, rows)


def test_the_wizard_imports_valid_rows_saves_the_rejected_ones_and_can_undo(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard, session = import_desk.open("customers")
    clock = import_desk.clock
    choose_file(wizard, ledger(tmp_path / "台账.xlsx"))
    assert wizard.file_page.sheet.currentText() == "客户台账"
    wizard.next()
    assert wizard.currentPage() is wizard.header_page
    assert wizard.header_page.header_row.value() == 3  # title row and two-level header
    assert "联系方式/手机" in wizard.header_page.names.text()
    table = wizard.header_page.table
    assert table.item(1, 3).text() == "身份证号"  # header rows as they are
    assert table.item(3, 1).text().endswith("**") and "*" in table.item(3, 3).text()  # data masked
    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentPage() is page
    chosen = page.chosen()
    assert chosen[1] == "name" and chosen[3] == "id_number" and chosen[4] == "phone"
    sample = page.table.item(3, 1).text()
    assert sample.startswith("110") and "*" in sample  # masked on screen (R5)
    wizard.next()
    assert wizard.currentPage() is wizard.decisions_page  # no duplicates in this ledger
    wizard.next()
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "共 10 行：可导入 8 行，未通过检查 2 行" in preview.counts.text()
    preview.only_rejected.setChecked(True)
    assert preview.model.rowCount() == 2
    assert "校验位不正确" in preview.model.index(0, 1).data()
    # all or nothing with rejected rows: refused, nothing imported
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    wizard.next()
    assert wizard.currentPage() is preview
    preview.mode_valid.setChecked(True)
    wizard.rejected_target = tmp_path / "未导入的行.xlsx"
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    text = wizard.summary_page.text.text()
    assert "已导入 8 行，未导入 2 行" in text and "未导入的行.xlsx" in text
    rejected = list(load_workbook(wizard.rejected_target).active.iter_rows(values_only=True))
    assert [r[0] for r in rejected[2:]] == [13, 14]
    assert search_customers(session=session, query="KH00000008", clock=clock).total == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    wizard.summary_page.undo.click()
    assert "本次导入已撤销" in wizard.summary_page.text.text()
    assert search_customers(session=session, query="KH00000008", clock=clock).total == 0
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_an_unreadable_old_excel_file_is_refused_on_the_first_step(
    import_desk: WizardDesk, tmp_path: Path
) -> None:
    wizard, _session = import_desk.open("customers")
    old = tmp_path / "旧台账.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    choose_file(wizard, old)
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "另存为 .xlsx" in wizard.file_page.error.text()


def test_an_earlier_import_is_undone_from_the_import_history(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import imports

    _wizard, session = import_desk.open("customers")
    clock = import_desk.clock
    path = write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(3))
    ledger_, mapping = mapped_ledger(session, clock, path, "customers")
    import_rows(
        session, clock, "customers", ledger_, mapping, mode=imports.ImportMode.ALL_OR_NOTHING
    )
    dialog = import_desk.add(ImportHistoryDialog(None, import_desk.context, session, "customers"))
    assert dialog.table.model().rowCount() == 1 and cell(dialog, 0, 4) == "已导入"
    assert cell(dialog, 0, 3) == "导入 3，未导入 0"
    dialog.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.undo.click()
    assert cell(dialog, 0, 4) == "已撤销"
    assert search_customers(session=session, query="KH00000001", clock=clock).total == 0


def test_the_customer_list_exports_masked_after_a_purpose(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QWidget

    from app.services.customers import register_customer
    from tests.factories import VALID_ID, person
    from tests.gui.conftest import when_modal
    from ui.dialogs.export_list import ExportListDialog
    from ui.pages.customers import CustomersPage

    _wizard, session = import_desk.open("customers")
    clock = import_desk.clock
    register_customer(session=session, draft=person(), clock=clock)
    page = import_desk.add(CustomersPage(import_desk.context, session))
    target = tmp_path / "客户目录.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportListDialog)
        assert dialog.unmasked.isEnabled() and not dialog.unmasked.isChecked()
        dialog.purpose.setCurrentText("年度盘点")
        dialog._ok()

    errors = when_modal(fill)
    page.export_button.click()
    assert errors == []
    text = str(list(load_workbook(target).active.iter_rows(values_only=True)))
    assert "110***********002X" in text and VALID_ID not in text


def test_the_wizard_imports_volumes_and_items_from_a_gb18030_csv(
    import_desk: WizardDesk, tmp_path: Path
) -> None:
    from app.services import locations
    from app.services.catalogue import search_catalogue
    from app.services.customers import register_customer
    from tests.factories import person

    wizard, session = import_desk.open("volumes")
    clock = import_desk.clock
    owner = register_customer(session=session, draft=person(), clock=clock)
    locations.create_location_batch(
        session=session,
        spec=locations.BatchSpec(room="K1", columns="4", faces="B", sections="5", layers="6"),
        clock=clock,
    )
    path = tmp_path / "案卷.csv"
    path.write_bytes(
        (
            "档号,客户编号,案卷题名,年度,保管期限,件号,题名,日期,存放位置\n"
            f"Z001-KH·2020-Y-0007,{owner.number},张三丰2020年度客户档案,2020,永久,1,登记表,43831,K1-04-B-5-6\n"
            f"Z001-KH·2020-Y-0007,{owner.number},张三丰2020年度客户档案,2020,永久,2,合同,43832,K1-04-B-5-6\n"
        ).encode("gb18030")
    )
    choose_file(wizard, path)
    wizard.next()
    wizard.next()
    chosen = wizard.mapping_page.chosen()
    assert chosen[0] == "reference_code" and chosen[8] == "location"  # the volume goes there
    wizard.next()
    wizard.next()  # no duplicates; the place exists: no 存放位置 step
    assert "共 2 行：可导入 2 行，未通过检查 0 行" in wizard.preview_page.counts.text()
    wizard.next()
    assert "新建案卷 1 卷，卷内文件 2 件" in wizard.summary_page.text.text()
    found = search_catalogue(session=session, query="Z001-KH·2020-Y-0007", clock=clock)
    assert found
    from app.services.locations import where_is_volume

    where = where_is_volume(session=session, volume_id=found[0].id, clock=clock)
    assert where.location_code == "K1-04-B-5-6"
