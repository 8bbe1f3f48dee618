"""打印预览: the rendered pages of a PDF the app made, then 打印… or 另存为 PDF….

The installed Qt has no PDF module, so pages are rendered with pdfium (pypdfium2, loaded only
when a preview opens). Printing draws the pages as images at the printer's resolution (at most
300 dpi) onto the paper chosen in Qt's print dialog. Saving writes the same bytes atomically.

The caller audits each output (R40) through ``on_output("print" | "save")``: it is called after
the user confirmed the printer or the file and before anything is printed or written; an
``AppError`` it raises (for instance the audit entry could not be written) cancels the output.
When it returns PDF bytes, those are printed or written instead (a watermarked copy, issue 23).
Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from ui import files
from ui.errors import show_error
from ui.geometry import fit_to_screen

if TYPE_CHECKING:
    from ui.context import AppContext

ZOOMS = (50, 75, 100, 125, 150, 200)
DEFAULT_ZOOM = 100
PRINT_DPI_MAX = 300
OutputCallback = Callable[[str], bytes | None]


def pdf_page_image(document: Any, index: int, scale: float) -> QImage:
    """Render page ``index`` of a pypdfium2 document at ``scale`` pixels per point."""
    page = document[index]
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB byte order
        width, height = bitmap.width, bitmap.height
        image = QImage(bitmap.buffer, width, height, bitmap.stride, QImage.Format.Format_RGB888)
        return image.copy()  # own the pixels: the bitmap is freed below
    finally:
        page.close()


class PrintPreviewDialog(QDialog):
    """Shows the pages of ``pdf``; page navigation, zoom, 打印…, 另存为 PDF…."""

    def __init__(
        self,
        title: str,
        pdf: bytes,
        context: AppContext | None = None,
        parent: QWidget | None = None,
        *,
        on_output: OutputCallback | None = None,
        file_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        import pypdfium2  # loaded when a preview opens, never at start-up

        self.setObjectName("PrintPreviewDialog")
        self.setWindowTitle(self.tr("打印预览 - {0}").format(title))
        self._title = title
        self._pdf = pdf
        self._context = context  # reserved for per-user folders and printer choices
        self._on_output = on_output
        self._file_name = file_name or f"{title}.pdf"
        self._document = pypdfium2.PdfDocument(pdf)
        self._cache: dict[tuple[int, float], QPixmap] = {}
        self.page_count = len(self._document)
        self.saved_path: Path | None = None

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("上一页"), objectName="previous_page")
        self.next_button = QPushButton(self.tr("下一页"), objectName="next_page")
        self.page_box = QSpinBox(objectName="page_number")
        self.page_box.setRange(1, max(1, self.page_count))
        self.page_box.setKeyboardTracking(False)
        self.page_total = QLabel(
            self.tr("/ 共 {0} 页").format(self.page_count), objectName="page_total"
        )
        self.zoom_box = QComboBox(objectName="zoom")
        for zoom in ZOOMS:
            self.zoom_box.addItem(f"{zoom}%", zoom)
        self.zoom_box.setCurrentIndex(ZOOMS.index(DEFAULT_ZOOM))
        self.print_button = QPushButton(self.tr("打印…"), objectName="print")
        self.save_button = QPushButton(self.tr("另存为 PDF…"), objectName="save_pdf")
        self.close_button = QPushButton(self.tr("关闭"), objectName="close")
        for button in (
            self.previous_button,
            self.next_button,
            self.print_button,
            self.save_button,
            self.close_button,
        ):
            button.setAutoDefault(False)  # Enter in the page number box must not print
        bar.addWidget(self.previous_button)
        bar.addWidget(QLabel(self.tr("第")))
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_total)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("缩放：")))
        bar.addWidget(self.zoom_box)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)

        self.page_view = QLabel(objectName="page_view")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea(objectName="page_scroll")
        self.scroll.setWidget(self.page_view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setStyleSheet("QScrollArea { background: #808080; }")
        self.page_view.setStyleSheet("background: #808080;")
        layout.addWidget(self.scroll, 1)
        self.status = QLabel(objectName="status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)  # a long 已保存 path wraps instead of widening the window
        layout.addWidget(self.status)

        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page + 1))
        self.page_box.valueChanged.connect(lambda value: self.go_to(value - 1))
        self.zoom_box.currentIndexChanged.connect(lambda _index: self._show())
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.close_button.clicked.connect(self.reject)
        QShortcut(
            QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.go_to(self.current_page + 1)
        )
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.go_to(self.current_page - 1))
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
        self.finished.connect(self._close_document)

        self.current_page = 0
        fit_to_screen(self, 960, 1000)
        self._show()

    # --- viewing -------------------------------------------------------------------------
    @property
    def zoom(self) -> int:
        """The zoom in percent."""
        return int(self.zoom_box.currentData())

    def go_to(self, index: int) -> None:
        """Show page ``index`` (0-based; clamped to the document)."""
        index = max(0, min(index, self.page_count - 1))
        if index != self.current_page:
            self.current_page = index
            self._show()

    def _step_zoom(self, step: int) -> None:
        self.zoom_box.setCurrentIndex(
            max(0, min(self.zoom_box.currentIndex() + step, self.zoom_box.count() - 1))
        )

    def _show(self) -> None:
        if self.page_count == 0:
            self.page_view.setText(self.tr("没有可显示的页面。"))
            return
        ratio = self.devicePixelRatioF()
        scale = self.zoom / 100 * self.logicalDpiX() / 72 * ratio
        key = (self.current_page, round(scale, 4))
        pixmap = self._cache.get(key)
        if pixmap is None:
            pixmap = QPixmap.fromImage(pdf_page_image(self._document, self.current_page, scale))
            pixmap.setDevicePixelRatio(ratio)
            self._cache[key] = pixmap
        self.page_view.setPixmap(pixmap)
        self.page_box.blockSignals(True)
        self.page_box.setValue(self.current_page + 1)
        self.page_box.blockSignals(False)
        self.previous_button.setEnabled(self.current_page > 0)
        self.next_button.setEnabled(self.current_page < self.page_count - 1)

    # --- output --------------------------------------------------------------------------
    def _announce(self, kind: str) -> bytes | None:
        """Tell the caller (who audits) about the output: the PDF to output, None if refused."""
        if self._on_output is None:
            return self._pdf
        try:
            replacement = self._on_output(kind)
        except AppError as exc:
            show_error(self, exc)
            return None
        return self._pdf if replacement is None else replacement

    def new_printer(self) -> QPrinter:
        """A printer set up for A4 on the full sheet (the PDF carries its own margins)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        printer.setFullPage(True)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFromTo(1, max(1, self.page_count))
        return printer

    def print_document(self) -> None:
        """Ask for a printer (Qt's dialog), then print the chosen pages."""
        printer = self.new_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印"))
        dialog.setMinMax(1, max(1, self.page_count))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        pdf = self._announce("print")
        if pdf is None:
            return
        pages = self.print_to(printer, pdf)
        self.status.setText(self.tr("已发送到打印机：{0} 页。").format(pages))

    def print_to(self, printer: QPrinter, pdf: bytes | None = None) -> int:
        """Draw the pages in the printer's range onto ``printer``; return how many.

        ``pdf`` (the caller's copy, e.g. watermarked) is printed instead of the shown pages.
        """
        if pdf is not None and pdf is not self._pdf:
            import pypdfium2

            document = pypdfium2.PdfDocument(pdf)
            try:
                return self._print_pages(printer, document)
            finally:
                document.close()
        return self._print_pages(printer, self._document)

    def _print_pages(self, printer: QPrinter, document: Any) -> int:
        first, last = 1, self.page_count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = max(1, printer.fromPage())
            last = min(self.page_count, printer.toPage() or self.page_count)
        elif printer.printRange() == QPrinter.PrintRange.CurrentPage:
            first = last = self.current_page + 1
        dpi = min(printer.resolution(), PRINT_DPI_MAX)
        printer.setFullPage(True)  # the print dialog or the output format may have reset it
        painter = QPainter()
        if not painter.begin(printer):
            self.status.setText(self.tr("无法开始打印：打印机不可用。"))
            return 0
        printed = 0
        try:
            for number in range(first, last + 1):
                if printed:
                    printer.newPage()
                image = pdf_page_image(document, number - 1, dpi / 72)
                paper = printer.paperRect(QPrinter.Unit.DevicePixel)
                target = QRectF(0, 0, paper.width(), paper.height())
                fitted = image.size().scaled(
                    target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio
                )
                x = target.x() + (target.width() - fitted.width()) / 2
                y = target.y() + (target.height() - fitted.height()) / 2
                painter.drawImage(QRectF(x, y, fitted.width(), fitted.height()), image)
                printed += 1
        finally:
            painter.end()
        return printed

    def save_as(self) -> None:
        """Ask where, then write the PDF atomically."""
        name = files.save_file_name(
            self, "pdf", self.tr("另存为 PDF"), self._file_name, self.tr("PDF 文件 (*.pdf)")
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        pdf = self._announce("save")
        if pdf is None:
            return
        from app.printing.base import write_pdf

        try:
            write_pdf(path, pdf)
        except AppError as exc:
            show_error(self, exc)
            return
        self.saved_path = path
        self.status.setText(self.tr("已保存：{0}").format(str(path)))

    def _close_document(self) -> None:
        self._cache.clear()
        with contextlib.suppress(Exception):
            self._document.close()


def show_print_preview(
    parent: QWidget | None,
    title: str,
    pdf: bytes,
    context: AppContext | None = None,
    *,
    on_output: OutputCallback | None = None,
    file_name: str | None = None,
) -> PrintPreviewDialog:
    """Open the preview of ``pdf`` (modal) and return the dialog once it is closed.

    ``title`` names the document (window title, printer job, default file name unless
    ``file_name`` is given: keep personal data out of it). ``on_output(kind)`` is called with
    ``"print"`` or ``"save"`` before each output so the caller can audit it (R40).
    """
    dialog = PrintPreviewDialog(
        title, pdf, context, parent, on_output=on_output, file_name=file_name
    )
    dialog.exec()
    return dialog


def preview_rendered(
    parent: QWidget,
    title: str,
    render: Callable[[], bytes],
    context: AppContext | None = None,
    *,
    on_output: OutputCallback | None = None,
    file_name: str | None = None,
) -> None:
    """Render a (short) printout here, then preview it as :func:`show_print_preview` does.

    A refusal while rendering (``AppError``) is shown in a message box instead. A printout
    that reads much of the database is drawn off the GUI thread: :func:`preview_in_background`.
    """
    try:
        pdf = render()
    except AppError as exc:
        show_error(parent, exc)
        return
    show_print_preview(parent, title, pdf, context, on_output=on_output, file_name=file_name)


def preview_in_background(
    parent: QWidget,
    title: str,
    render: Callable[[], bytes],
    context: AppContext | None = None,
    *,
    on_output: OutputCallback | None = None,
    file_name: str | None = None,
    on_shown: Callable[[], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Any:
    """Render a printout off the GUI thread, then open its preview (issue 21, point 8).

    ``render()`` reads the database and draws the PDF in a worker (the window stays usable, a
    progress bar with 取消 appears after 300 ms); the preview opens on the GUI thread when it is
    ready, unless the task was cancelled (取消, sign-out, lock). ``on_shown`` runs after the
    preview is closed. Returns the task (also kept as ``parent.print_task``).
    """
    from PySide6.QtCore import QCoreApplication

    from ui.tasks import run_in_background

    def done(pdf: bytes) -> None:
        show_print_preview(parent, title, pdf, context, on_output=on_output, file_name=file_name)
        if on_shown is not None:
            on_shown()

    label = QCoreApplication.translate("PrintPreviewDialog", "正在生成{0}……").format(title)
    task = run_in_background(parent, label, lambda _sink: render(), done, on_error)
    parent.print_task = task  # type: ignore[attr-defined]
    return task
