"""The sheet diagram (click the first free label) and the print preview on the stock's page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from app.domain.label_stock import LabelStock
from ui.dialogs.print_preview import PrintPreviewDialog


class LabelPreviewDialog(PrintPreviewDialog):
    """The print preview with the printer's paper set to the stock's page, not A4."""

    def __init__(
        self,
        title: str,
        pdf: bytes,
        stock: LabelStock,
        parent: QWidget | None = None,
        *,
        on_output: Callable[[str], None] | None = None,
        file_name: str | None = None,
    ) -> None:
        self._stock = stock
        super().__init__(title, pdf, None, parent, on_output=on_output, file_name=file_name)

    def new_printer(self) -> QPrinter:
        """A printer on the stock's page size, full page, portrait or landscape as it is."""
        from PySide6.QtGui import QPageLayout, QPageSize

        printer = super().new_printer()
        size = QPageSize(
            QSizeF(self._stock.page_width, self._stock.page_height),
            QPageSize.Unit.Millimeter,
            self._stock.name,
            QPageSize.SizeMatchPolicy.FuzzyMatch,
        )
        printer.setPageSize(size)
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return printer


class SheetDiagramWidget(QWidget):
    """A small drawing of one page of the stock; click a label to start there."""

    start_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sheet_diagram")
        self.setMinimumSize(180, 220)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._stock: LabelStock | None = None
        self._start = 0

    def set_stock(self, stock: LabelStock, start: int) -> None:
        """Show ``stock`` with positions before ``start`` as used."""
        self._stock = stock
        self._start = start
        self.update()

    def _scale(self) -> tuple[float, float, float]:
        """(mm to pixels, left, top) of the page drawn centred in the widget."""
        assert self._stock is not None
        margin = 6.0
        scale = min(
            (self.width() - 2 * margin) / self._stock.page_width,
            (self.height() - 2 * margin) / self._stock.page_height,
        )
        left = (self.width() - self._stock.page_width * scale) / 2
        top = (self.height() - self._stock.page_height * scale) / 2
        return scale, left, top

    def cell_rect(self, index: int) -> QRectF:
        """Where position ``index`` is drawn, in widget pixels."""
        assert self._stock is not None
        scale, left, top = self._scale()
        x, y = self._stock.origin(index)
        return QRectF(
            left + x * scale,
            top + y * scale,
            self._stock.label_width * scale,
            self._stock.label_height * scale,
        )

    def index_at(self, point: QPointF) -> int | None:
        """The position under ``point``, or None."""
        if self._stock is None:
            return None
        for index in range(self._stock.per_page):
            if self.cell_rect(index).contains(point):
                return index
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt's name
        """A click on a label chooses it as the start position."""
        index = self.index_at(event.position())
        if index is not None:
            self.start_chosen.emit(index)

    def paintEvent(self, _event: QPaintEvent) -> None:  # Qt's name
        """Paint the page, used positions grey, the start green, the rest numbered."""
        if self._stock is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, left, top = self._scale()
        page = QRectF(left, top, self._stock.page_width * scale, self._stock.page_height * scale)
        painter.fillRect(page, QColor("white"))
        painter.setPen(QPen(QColor("#606060"), 1))
        painter.drawRect(page)
        font = painter.font()
        for index in range(self._stock.per_page):
            rect = self.cell_rect(index)
            if index < self._start:
                fill, text = QColor("#c8c8c8"), self.tr("已用")
            elif index == self._start:
                fill, text = QColor("#5cb85c"), self.tr("起")
            else:
                fill, text = QColor("#eef4ff"), str(index + 1)
            painter.setPen(QPen(QColor("#404040"), 1))
            painter.setBrush(fill)
            painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
            size = min(rect.height() * 0.45, rect.width() * 0.3, 11.0)
            if size >= 5:
                font.setPixelSize(max(5, int(size)))
                painter.setFont(font)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
