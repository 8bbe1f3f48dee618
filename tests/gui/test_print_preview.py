"""打印预览: pages shown and navigated, zoom, save as PDF (atomic, audited), print to a printer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.domain.catalogue import Retention, Secrecy, SecrecyLevel
from app.errors import PermissionDenied
from app.printing.catalogue_forms import ItemLine, VolumeCatalogueSheet, render_volume_catalogue
from tests.gui.conftest import FilePrinter, when_modal
from ui.dialogs.print_preview import PrintPreviewDialog, pdf_page_image


@pytest.fixture(scope="module")
def pdf() -> bytes:
    items = [
        ItemLine(
            seq=n,
            doc_number=f"华示贸〔2025〕{n}号",
            author="客服部",
            title=f"客户往来函件第{n}号",
            date=date(2025, 1, 1) + timedelta(days=n),
            page_from=n,
            page_to=n,
        )
        for n in range(1, 61)
    ]
    return render_volume_catalogue(
        VolumeCatalogueSheet(
            reference_code="Z001-KH-2025-Y-0007",
            title="华东示范贸易有限公司2025年度客户档案",
            retention=Retention.PERMANENT,
            secrecy=Secrecy(SecrecyLevel.SECRET, None, date(2025, 1, 1)),
            organisation="华东示范贸易有限公司",
            printed_by="王建国",
            printed_by_username="archivist",
            printed_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            items=items,
        )
    )


def ink_box(document: pdfium.PdfDocument, index: int) -> tuple[float, ...]:
    """Where the dark pixels of a page are, as fractions of its width and height."""
    picture = document[index].render(scale=1).to_pil().convert("L")
    box = picture.point(lambda v: 255 if v < 160 else 0).getbbox()
    assert box is not None
    w, h = picture.size
    return (box[0] / w, box[1] / h, box[2] / w, box[3] / h)


def open_dialog(qtbot: QtBot, pdf: bytes, outputs: list[str] | None = None) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(
        "卷内目录 Z001-KH-2025-Y-0007",
        pdf,
        on_output=None if outputs is None else outputs.append,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def shown(dialog: PrintPreviewDialog) -> QImage:
    pixmap = dialog.page_view.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    return pixmap.toImage()


def dark_pixels(image: QImage) -> int:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    step = 4
    return sum(
        1
        for y in range(0, gray.height(), step)
        for x in range(0, gray.width(), step)
        if gray.pixelColor(x, y).value() < 100
    )


def test_preview_shows_page_one_then_moves_to_page_two(qtbot: QtBot, pdf: bytes) -> None:
    dialog = open_dialog(qtbot, pdf)
    pages = len(pdfium.PdfDocument(pdf))
    assert pages >= 3 and dialog.page_count == pages
    assert dialog.page_total.text() == f"/ 共 {pages} 页"
    assert dialog.current_page == 0 and dialog.page_box.value() == 1
    first = shown(dialog)
    # A4 at 100 % of the screen's logical resolution, with ink on it
    assert abs(first.width() / first.height() - 210 / 297) < 0.01
    assert dark_pixels(first) > 500
    assert not dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.current_page == 1 and dialog.page_box.value() == 2
    second = shown(dialog)
    assert second.size() == first.size() and second != first
    assert dialog.previous_button.isEnabled()

    dialog.page_box.setValue(pages)  # typed page number
    assert dialog.current_page == pages - 1 and not dialog.next_button.isEnabled()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog.scroll, Qt.Key.Key_PageUp)
    assert dialog.current_page == pages - 2
    qtbot.keyClick(dialog.scroll, Qt.Key.Key_PageDown)
    assert dialog.current_page == pages - 1


def test_zoom_changes_the_rendered_size(qtbot: QtBot, pdf: bytes) -> None:
    dialog = open_dialog(qtbot, pdf)
    normal = shown(dialog).width()
    dialog.zoom_box.setCurrentIndex(dialog.zoom_box.findData(200))
    assert abs(shown(dialog).width() - 2 * normal) <= 2
    dialog.zoom_box.setCurrentIndex(dialog.zoom_box.findData(50))
    assert abs(shown(dialog).width() - normal / 2) <= 2


def test_save_as_pdf_writes_the_document_and_reports_the_output(
    qtbot: QtBot, pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs: list[str] = []
    dialog = open_dialog(qtbot, pdf, outputs)
    offered: list[str] = []

    def choose(_parent: object, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(tmp_path / "目录"), "PDF 文件 (*.pdf)"  # suffix added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    target = tmp_path / "目录.pdf"
    assert target.read_bytes() == pdf
    assert dialog.saved_path == target
    assert outputs == ["save"]
    assert Path(offered[0]).name == "卷内目录 Z001-KH-2025-Y-0007.pdf"
    assert str(target) in dialog.status.text()
    assert [p.name for p in tmp_path.iterdir()] == ["目录.pdf"]  # no temporary file left


def test_a_refused_output_writes_nothing(
    qtbot: QtBot, pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_kind: str) -> None:
        raise PermissionDenied(action="打印")

    dialog = PrintPreviewDialog("卷内目录", pdf, on_output=refuse)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(tmp_path / "x.pdf"), ""))
    seen: list[str] = []
    errors = when_modal(lambda box: (seen.append(box.text()), box.accept()))  # type: ignore[attr-defined]
    dialog.save_as()
    assert errors == []
    assert "无权" in seen[0]
    assert list(tmp_path.iterdir()) == []


def test_print_draws_every_page_of_the_range_on_the_printer(
    qtbot: QtBot, pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs: list[str] = []
    dialog = open_dialog(qtbot, pdf, outputs)
    target = tmp_path / "printed.pdf"
    drawn: list[int] = []

    def spy(document: pdfium.PdfDocument, index: int, scale: float) -> QImage:
        drawn.append(index)
        return pdf_page_image(document, index, scale)

    printer = FilePrinter(target, resolution=100, pages=(2, 3))
    monkeypatch.setattr("ui.dialogs.print_preview.QPrintDialog", printer)
    monkeypatch.setattr("ui.dialogs.print_preview.pdf_page_image", spy)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert outputs == ["print"]
    assert "2 页" in dialog.status.text()
    printed = pdfium.PdfDocument(target.read_bytes())
    assert len(printed) == 2
    width, height = printed[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4
    assert drawn == [1, 2]  # the document's pages 2 and 3
    # each drawn over the whole sheet: the ink sits where the document puts it
    source = pdfium.PdfDocument(pdf)
    for n in range(2):
        printed_box = ink_box(printed, n)
        source_box = ink_box(source, n + 1)
        assert all(abs(a - b) < 0.01 for a, b in zip(printed_box, source_box, strict=True))
