"""打印标签 dialog: stocks from the database, start position by click or spin box, preview with
every QR decoded, user stocks added/edited/deleted with messages next to the fields."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PySide6.QtCore import QPoint, QSizeF, Qt
from PySide6.QtGui import QPageSize
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.label_stock import BUILTIN_STOCKS
from app.domain.scan_codes import scan_payload
from app.printing.labels import LabelContent, LabelKind
from app.services.auth import SignedIn
from app.services.locations import list_label_stocks
from app.storage.models import AuditEntry
from tests.gui.conftest import FilePrinter, when_modal
from ui.dialogs.label_sheet import (
    LabelPreviewDialog,
    LabelSheetDialog,
    LabelStockDialog,
    SheetMemory,
    session_actions,
)


def labels(count: int) -> list[LabelContent]:
    out = []
    for n in range(1, count + 1):
        if n % 4 == 0:
            out.append(LabelContent(LabelKind.SHELF, f"K1-{n:02d}-A-2-4"))
        else:
            out.append(
                LabelContent(
                    LabelKind.BOX_SPINE if n % 4 == 1 else LabelKind.VOLUME,
                    f"Z001-KH·2024-Y-{n:04d}",
                    2024,
                    "永久",
                    "机密★20年" if n == 2 else "",
                    "K1-03-A-2-4",
                )
            )
    return out


def open_dialog(
    qtbot: QtBot,
    session: SignedIn,
    clock: FixedClock,
    count: int,
    memory: SheetMemory | None = None,
) -> LabelSheetDialog:
    dialog = LabelSheetDialog(
        None, labels(count), session_actions(session, clock), memory=memory or SheetMemory({})
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click_cell(qtbot: QtBot, dialog: LabelSheetDialog, index: int) -> None:
    centre = dialog.diagram.cell_rect(index).center()
    qtbot.mouseClick(
        dialog.diagram, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y()))
    )


def decoded_positions(pdf: bytes, page: int, columns: int, rows: int) -> list[tuple[int, str]]:
    """(position index, text) of every QR on ``page``, from a 150 dpi raster."""
    document = pdfium.PdfDocument(pdf)
    image = document[page].render(scale=150 / 72).to_pil().convert("L")
    found = []
    for code in zxingcpp.read_barcodes(image):
        x = code.position.top_left.x / image.width
        y = code.position.top_left.y / image.height
        found.append((int(y * rows) * columns + int(x * columns), code.text))
    return sorted(found)


def test_clicking_a_cell_of_the_sheet_sets_the_start_and_the_preview_skips_used_labels(
    qtbot: QtBot, archivist: SignedIn, clock: FixedClock
) -> None:
    dialog = open_dialog(qtbot, archivist, clock, 24)
    assert dialog.stock_box.count() == len(BUILTIN_STOCKS)
    assert dialog.stock.key == "a4-3x8" and dialog.start == 0
    assert "共 24 张标签" in dialog.summary.text() and "需 1 页" in dialog.summary.text()
    click_cell(qtbot, dialog, 5)
    assert (dialog.start_row.value(), dialog.start_column.value()) == (2, 3)
    assert dialog.start == 5 and "需 2 页" in dialog.summary.text()
    assert "跳过已用的 5 张" in dialog.start_hint.text()
    dialog.start_row.setValue(1)
    dialog.start_column.setValue(2)
    assert dialog.start == 1

    seen: list[int] = []

    def inspect(preview: QWidget) -> None:
        assert isinstance(preview, LabelPreviewDialog)
        seen.append(preview.page_count)
        preview.reject()

    errors = when_modal(inspect)
    dialog.preview_button.click()
    assert errors == [] and seen == [2]
    assert dialog.last_pdf is not None
    first = decoded_positions(dialog.last_pdf, 0, 3, 8)
    assert [index for index, _ in first] == list(range(1, 24))
    assert [text for _, text in first] == [scan_payload(x.code) for x in labels(23)]
    assert decoded_positions(dialog.last_pdf, 1, 3, 8) == [(0, scan_payload(labels(24)[23].code))]


def test_a_user_stock_is_refused_with_the_field_named_then_saved_edited_and_deleted(
    qtbot: QtBot, archivist: SignedIn, clock: FixedClock
) -> None:
    dialog = open_dialog(qtbot, archivist, clock, 3)
    messages: list[str] = []

    def too_wide(stock_dialog: QWidget) -> None:
        assert isinstance(stock_dialog, LabelStockDialog)
        stock_dialog.name_edit.setText("自购 4 列")
        stock_dialog.columns.setValue(4)
        stock_dialog.save()
        assert stock_dialog.isVisible()
        messages.append(stock_dialog.errors.text("stock_label_width"))
        stock_dialog.columns.setValue(3)
        stock_dialog.numbers["top_margin"].setValue(1.0)
        stock_dialog.save()

    errors = when_modal(too_wide)
    dialog.new_button.click()
    assert errors == []
    assert messages == [
        "标签宽：标签排不下：左边距 + 各列标签宽 + 列间距共 280 毫米，超过纸宽 210 毫米"
    ]
    assert dialog.stock.name == "自购 4 列" and not dialog.stock.builtin
    assert dialog.stock.top_margin == 1.0 and dialog.edit_button.isEnabled()
    assert dialog.stock_box.currentText() == "自购 4 列（自定义）"

    def rename(stock_dialog: QWidget) -> None:
        assert isinstance(stock_dialog, LabelStockDialog)
        stock_dialog.name_edit.setText(BUILTIN_STOCKS[1].name)
        stock_dialog.save()
        messages.append(stock_dialog.errors.text("stock_name"))
        stock_dialog.name_edit.setText("自购 3 列")
        stock_dialog.save()

    errors = when_modal(rename)
    dialog.edit_button.click()
    assert errors == [] and messages[-1] == "标签纸名称：已被使用"
    assert [s.name for s in list_label_stocks(session=archivist, clock=clock)][-1] == "自购 3 列"

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()

    errors = when_modal(confirm)
    dialog.delete_button.click()
    assert errors == []
    assert len(list_label_stocks(session=archivist, clock=clock)) == len(BUILTIN_STOCKS)
    assert dialog.stock.builtin and not dialog.delete_button.isEnabled()


def test_calibration_page_and_the_printer_paper_follow_the_chosen_stock(
    qtbot: QtBot, archivist: SignedIn, clock: FixedClock
) -> None:
    dialog = open_dialog(qtbot, archivist, clock, 2)
    dialog.select_stock("roll-60x40")
    assert (dialog.start_row.maximum(), dialog.start_column.maximum()) == (1, 1)
    assert not dialog.edit_button.isEnabled()
    sizes: list[QSizeF] = []

    def inspect(preview: QWidget) -> None:
        assert isinstance(preview, LabelPreviewDialog)
        printer = preview.new_printer()
        sizes.append(printer.pageLayout().pageSize().size(QPageSize.Unit.Millimeter))
        preview.done(QDialog.DialogCode.Rejected)

    errors = when_modal(inspect)
    dialog.calibration_button.click()
    assert errors == []
    assert (round(sizes[0].width()), round(sizes[0].height())) == (60, 40)
    assert dialog.last_pdf is not None
    text = pdfium.PdfDocument(dialog.last_pdf)[0].get_textpage().get_text_range()
    assert "标签纸校准页" in text and "打印于" in text


def test_printing_is_audited_on_the_stock_paper_and_the_next_labels_continue_the_sheet(
    qtbot: QtBot,
    archivist: SignedIn,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory = SheetMemory({})
    dialog = open_dialog(qtbot, archivist, clock, 5, memory)
    dialog.set_start(1)
    target = tmp_path / "printed.pdf"
    monkeypatch.setattr("ui.dialogs.print_preview.QPrintDialog", FilePrinter(target, 150))

    def print_it(preview: QWidget) -> None:
        assert isinstance(preview, LabelPreviewDialog)
        preview.print_button.click()
        preview.reject()

    errors = when_modal(print_it)
    dialog.preview_button.click()
    assert errors == []
    printed = pdfium.PdfDocument(target.read_bytes())
    width, height = printed[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4: the stock's page
    image = printed[0].render(scale=150 / 72).to_pil().convert("L")
    assert sorted(code.text for code in zxingcpp.read_barcodes(image)) == sorted(
        scan_payload(x.code) for x in labels(5)
    )
    with archivist.store.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.details).where(AuditEntry.action == "print.labels")
        ).all()
    assert [json.loads(r[0])["start"] for r in rows] == [2]
    # the sheet now has positions 1–6 used: the next labels start at the 7th
    assert dialog.start == 6 and "上次打印到此为止" in dialog.start_hint.text()
    again = open_dialog(qtbot, archivist, clock, 3, memory)
    assert again.stock.key == "a4-3x8" and again.start == 6
    again.select_stock("a4-4x10")
    assert again.start == 0
    again.select_stock("a4-3x8")  # each stock keeps its own next free position
    assert again.start == 6
