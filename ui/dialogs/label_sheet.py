"""打印标签: choose a label stock and a start position, preview and print; calibration page; stocks.

The dialog is given the label contents (``LabelContent``, built by the caller: volume, box or
shelf labels) and a :class:`LabelActions` with what it may call (list, save and delete stocks,
audit an output). Positions already used on a half-used sheet are skipped: click the first free
label in the sheet diagram, or set its row and column. The preview is the app's print preview,
with the printer's paper set to the stock's page size (a thermal roll's label is the page).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSettings, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.label_stock import BUILTIN_STOCKS, LabelStock, start_index
from app.errors import AppError, ValidationFailed
from app.printing.labels import KIND_CAPTIONS, LabelContent
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.errors import FieldErrors, show_error

if TYPE_CHECKING:
    from app.clock import Clock
    from app.services.auth import SignedIn

OutputRecorder = Callable[[Sequence[LabelContent], LabelStock, int, str], None]


@dataclass(frozen=True)
class LabelActions:
    """What the dialog may do; each raises ``AppError`` when refused."""

    list_stocks: Callable[[], list[LabelStock]]
    save_stock: Callable[[LabelStock], LabelStock]
    delete_stock: Callable[[str], None]
    record_output: OutputRecorder | None = None
    now: Callable[[], datetime] | None = None  # printed on the calibration page


def session_actions(session: SignedIn, clock: Clock) -> LabelActions:
    """The actions backed by ``app.services.labels`` for the signed-in user."""
    from app.services.locations import labels as service

    def record(labels: Sequence[LabelContent], stock: LabelStock, start: int, kind: str) -> None:
        service.record_label_output(
            session=session, labels=labels, stock=stock, start=start, kind=kind, clock=clock
        )

    return LabelActions(
        list_stocks=lambda: service.list_label_stocks(session=session, clock=clock),
        save_stock=lambda stock: service.save_label_stock(
            session=session, stock=stock, clock=clock
        ),
        delete_stock=lambda key: service.delete_label_stock(session=session, key=key, clock=clock),
        record_output=record,
        now=clock.now,
    )


class SheetMemory:
    """Remembers, per computer and user (QSettings), the last stock and where its sheet ends.

    After a print the next free position of the last sheet is kept, so the next labels go on
    the rest of that sheet unless the user starts a new one.
    """

    def __init__(self, store: MutableMapping[str, object] | None = None) -> None:
        self._store = store

    def _get(self, key: str) -> object:
        if self._store is not None:
            return self._store.get(key)
        return QSettings().value(key)

    def _set(self, key: str, value: object) -> None:
        if self._store is not None:
            self._store[key] = value
        else:
            QSettings().setValue(key, value)

    def last_stock(self) -> str | None:
        """The key of the stock printed on last, if any."""
        value = self._get("labels/stock")
        return str(value) if value else None

    def next_start(self, stock: LabelStock) -> int:
        """The first free position of ``stock``'s last sheet (0 for a new sheet)."""
        try:
            value = int(str(self._get(f"labels/next_start/{stock.key}") or 0))
        except ValueError:
            return 0
        return value if 0 <= value < stock.per_page else 0

    def printed(self, stock: LabelStock, start: int, count: int) -> None:
        """Note that ``count`` labels went on ``stock`` from ``start``."""
        self._set("labels/stock", stock.key)
        self._set(f"labels/next_start/{stock.key}", (start + count) % stock.per_page)


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


_NUMBER_FIELDS = (
    ("page_width", "纸宽"),
    ("page_height", "纸高"),
    ("label_width", "标签宽"),
    ("label_height", "标签高"),
    ("top_margin", "上边距"),
    ("left_margin", "左边距"),
    ("gap_x", "列间距"),
    ("gap_y", "行间距"),
    ("corner_radius", "圆角半径"),
)


class LabelStockDialog(QDialog):
    """新建/编辑标签纸: name and geometry in millimetres; messages next to each field."""

    def __init__(self, parent: QWidget | None, stock: LabelStock, save: Callable[..., LabelStock]):
        super().__init__(parent)
        self.setObjectName("LabelStockDialog")
        self.setWindowTitle(self.tr("编辑标签纸") if stock.key else self.tr("新建标签纸"))
        self._key = stock.key
        self._save_fn = save
        self.errors = FieldErrors()
        self.saved: LabelStock | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(stock.name, objectName="stock_name")
        self._add(form, self.tr("名称"), self.name_edit, "stock_name")
        self.numbers: dict[str, QDoubleSpinBox] = {}
        grid_fields: list[tuple[str, str, QWidget]] = []
        for field, label in _NUMBER_FIELDS:
            box = QDoubleSpinBox(objectName=f"stock_{field}")
            box.setDecimals(2)
            box.setRange(-1000.0, 2000.0)  # the domain checks the real limits and says why
            box.setSingleStep(0.5)
            box.setSuffix(" mm")
            box.setValue(float(getattr(stock, field)))
            self.numbers[field] = box
            grid_fields.append((field, label, box))
        self.rows = QSpinBox(objectName="stock_rows")
        self.columns = QSpinBox(objectName="stock_columns")
        for box, value in ((self.rows, stock.rows), (self.columns, stock.columns)):
            box.setRange(0, 99)
            box.setValue(value)
        order = [
            ("page_width", self.tr("纸宽"), self.numbers["page_width"]),
            ("page_height", self.tr("纸高"), self.numbers["page_height"]),
            ("columns", self.tr("列数"), self.columns),
            ("rows", self.tr("行数"), self.rows),
        ] + [(f, self.tr(label), box) for f, label, box in grid_fields[2:]]
        for field, label, widget in order:
            self._add(form, label, widget, f"stock_{field}")
        self.cut_lines = QCheckBox(self.tr("打印裁切框（普通纸或整张不干胶，打印后裁开）"))
        self.cut_lines.setObjectName("stock_cut_lines")
        self.cut_lines.setChecked(stock.cut_lines)
        form.addRow("", self.cut_lines)
        layout.addLayout(form)
        hint = QLabel(
            self.tr(
                "尺寸以毫米计，按标签纸包装或说明书上的数据填写；位置从纸的左上角量起。"
                "保存后可打印校准页核对。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, 620)

    def _add(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(widget)
        box.addWidget(self.errors.label_for(field))
        holder = QWidget()
        holder.setLayout(box)
        form.addRow(label, holder)

    def stock(self) -> LabelStock:
        """The stock as typed."""
        values = {field: round(box.value(), 2) for field, box in self.numbers.items()}
        return LabelStock(
            key=self._key,
            name=self.name_edit.text(),
            rows=self.rows.value(),
            columns=self.columns.value(),
            cut_lines=self.cut_lines.isChecked(),
            **values,
        )

    def save(self) -> None:
        """Save through the service; keep the dialog open with messages on refusal."""
        self.errors.clear()
        self.general.clear()
        try:
            self.saved = self._save_fn(self.stock())
        except ValidationFailed as exc:
            self.general.setText("\n".join(self.errors.show(exc)))
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.accept()


class LabelSheetDialog(QDialog):
    """打印标签: stock, start position, preview/print, calibration page, user stocks."""

    def __init__(
        self,
        parent: QWidget | None,
        labels: Sequence[LabelContent],
        actions: LabelActions,
        *,
        title: str | None = None,
        memory: SheetMemory | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LabelSheetDialog")
        self.memory = memory or SheetMemory()
        self._labels = list(labels)
        self._actions = actions
        self._title = title or self.tr("标签")
        self.setWindowTitle(self.tr("打印标签"))
        self.errors = FieldErrors()
        self.last_pdf: bytes | None = None
        self.stocks: list[LabelStock] = []
        self._build_ui()
        self._connect_signals()
        self.reload_stocks(self.memory.last_stock())
        self.resize(760, 560)

    # --- building ---------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        body = QHBoxLayout()
        left = QVBoxLayout()
        form = QFormLayout()
        stock_row = QHBoxLayout()
        self.stock_box = QComboBox(objectName="stock")
        self.stock_box.setMinimumWidth(300)
        stock_row.addWidget(self.stock_box, 1)
        form.addRow(self.tr("标签纸"), stock_row)
        self.stock_info = QLabel(objectName="stock_info")
        self.stock_info.setWordWrap(True)
        self.stock_info.setStyleSheet("color: #444;")
        form.addRow("", self.stock_info)
        manage = QHBoxLayout()
        self.new_button = QPushButton(self.tr("新建标签纸…"), objectName="new_stock")
        self.edit_button = QPushButton(self.tr("编辑…"), objectName="edit_stock")
        self.delete_button = QPushButton(self.tr("删除"), objectName="delete_stock")
        for button in (self.new_button, self.edit_button, self.delete_button):
            button.setAutoDefault(False)
            manage.addWidget(button)
        manage.addStretch(1)
        form.addRow("", manage)
        start_row = QGridLayout()
        self.start_row = QSpinBox(objectName="start_row")
        self.start_column = QSpinBox(objectName="start_column")
        start_row.addWidget(QLabel(self.tr("第")), 0, 0)
        start_row.addWidget(self.start_row, 0, 1)
        start_row.addWidget(QLabel(self.tr("行，第")), 0, 2)
        start_row.addWidget(self.start_column, 0, 3)
        start_row.addWidget(QLabel(self.tr("列")), 0, 4)
        start_row.setColumnStretch(5, 1)
        holder = QWidget()
        holder.setLayout(start_row)
        form.addRow(self.tr("起始位置"), holder)
        form.addRow("", self.errors.label_for("start_position"))
        self.start_hint = QLabel(objectName="start_hint")
        self.start_hint.setWordWrap(True)
        self.start_hint.setStyleSheet("color: #444;")
        form.addRow("", self.start_hint)
        left.addLayout(form)
        left.addStretch(1)
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        left.addWidget(self.general)
        body.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("点击第一张空白标签：")))
        self.diagram = SheetDiagramWidget()
        right.addWidget(self.diagram, 1)
        body.addLayout(right, 2)
        layout.addLayout(body, 1)
        buttons = QHBoxLayout()
        self.calibration_button = QPushButton(self.tr("打印校准页…"), objectName="calibration")
        self.preview_button = QPushButton(self.tr("预览并打印…"), objectName="preview")
        self.close_button = QPushButton(self.tr("关闭"), objectName="close")
        for button in (self.calibration_button, self.preview_button, self.close_button):
            button.setAutoDefault(False)
        self.preview_button.setDefault(True)
        buttons.addWidget(self.calibration_button)
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.stock_box.currentIndexChanged.connect(self._stock_changed)
        self.start_row.valueChanged.connect(self._spins_changed)
        self.start_column.valueChanged.connect(self._spins_changed)
        self.diagram.start_chosen.connect(self.set_start)
        self.new_button.clicked.connect(self.new_stock)
        self.edit_button.clicked.connect(self.edit_stock)
        self.delete_button.clicked.connect(self.delete_stock)
        self.calibration_button.clicked.connect(self.show_calibration)
        self.preview_button.clicked.connect(self.show_preview)
        self.close_button.clicked.connect(self.reject)

    # --- state ------------------------------------------------------------------------------
    @property
    def stock(self) -> LabelStock:
        """The chosen stock."""
        return self.stocks[max(0, self.stock_box.currentIndex())]

    @property
    def start(self) -> int:
        """The chosen start position (0 = top left)."""
        return start_index(self.stock, self.start_row.value(), self.start_column.value())

    def reload_stocks(self, select_key: str | None = None) -> None:
        """Read the stocks again and select ``select_key`` (or keep the current one)."""
        keep = select_key or (self.stock.key if self.stocks else None)
        try:
            self.stocks = self._actions.list_stocks()
        except AppError as exc:
            show_error(self, exc)
            if self.stocks:
                return
            self.stocks = list(BUILTIN_STOCKS)  # the built-in ones need no database
        self.stock_box.blockSignals(True)
        self.stock_box.clear()
        for stock in self.stocks:
            suffix = "" if stock.builtin else self.tr("（自定义）")
            self.stock_box.addItem(stock.name + suffix, stock.key)
        index = next((i for i, s in enumerate(self.stocks) if s.key == keep), 0)
        self.stock_box.setCurrentIndex(index)
        self.stock_box.blockSignals(False)
        self._stock_changed()

    def select_stock(self, key: str) -> None:
        """Choose the stock ``key``."""
        index = next(i for i, s in enumerate(self.stocks) if s.key == key)
        self.stock_box.setCurrentIndex(index)

    def set_start(self, index: int) -> None:
        """Start at position ``index`` (0-based) of the chosen stock."""
        row, column = self.stock.cell(max(0, min(index, self.stock.per_page - 1)))
        for box, value in ((self.start_row, row + 1), (self.start_column, column + 1)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self._refresh()

    def _stock_changed(self) -> None:
        stock = self.stock
        self.start_row.blockSignals(True)
        self.start_column.blockSignals(True)
        self.start_row.setRange(1, stock.rows)
        self.start_column.setRange(1, stock.columns)
        row, column = stock.cell(self.memory.next_start(stock))
        self.start_row.setValue(row + 1)
        self.start_column.setValue(column + 1)
        self.start_row.blockSignals(False)
        self.start_column.blockSignals(False)
        self.edit_button.setEnabled(not stock.builtin)
        self.delete_button.setEnabled(not stock.builtin)
        info = stock.description
        if stock.builtin:
            info += self.tr("；内置，不能修改（可新建一种相同尺寸的）")
        self.stock_info.setText(info)
        self._refresh()

    def _spins_changed(self) -> None:
        self._refresh()

    def pages_needed(self) -> int:
        """Pages the labels take from the chosen start position."""
        per_page = self.stock.per_page
        return max(1, -(-(self.start + len(self._labels)) // per_page))

    def _refresh(self) -> None:
        start = self.start
        self.diagram.set_stock(self.stock, start)
        kinds = Counter(label.kind for label in self._labels)
        parts = "，".join(
            f"{self.tr(KIND_CAPTIONS[kind])} {count}" for kind, count in sorted(kinds.items())
        )
        self.summary.setText(
            self.tr("共 {0} 张标签（{1}），需 {2} 页。").format(
                len(self._labels), parts, self.pages_needed()
            )
        )
        if start:
            hint = self.tr("第一页跳过已用的 {0} 张，从第 {1} 张开始。").format(start, start + 1)
            if start == self.memory.next_start(self.stock):
                hint += self.tr("（上次打印到此为止；换新纸请点左上角第一张。）")
            self.start_hint.setText(hint)
        else:
            self.start_hint.setText(self.tr("从第一张开始（整张新纸）。"))

    # --- stocks -----------------------------------------------------------------------------
    def new_stock(self) -> None:
        """新建标签纸, starting from the chosen stock's sizes."""
        base = replace(self.stock, key="", name=self.tr("{0} 副本").format(self.stock.name))
        self._open_stock_dialog(base)

    def edit_stock(self) -> None:
        """编辑 the chosen user stock."""
        if not self.stock.builtin:
            self._open_stock_dialog(self.stock)

    def _open_stock_dialog(self, stock: LabelStock) -> None:
        dialog = LabelStockDialog(self, stock, self._actions.save_stock)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.reload_stocks(dialog.saved.key)

    def delete_stock(self) -> None:
        """删除 the chosen user stock after a confirmation."""
        stock = self.stock
        if stock.builtin:
            return
        answer = QMessageBox.question(
            self,
            self.tr("删除标签纸"),
            self.tr("删除标签纸“{0}”？已打印的标签不受影响。").format(stock.name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._actions.delete_stock(stock.key)
        except AppError as exc:
            show_error(self, exc)
            return
        self.reload_stocks(self.stocks[0].key)

    # --- output -----------------------------------------------------------------------------
    def render_pdf(self) -> bytes:
        """The label sheet PDF for the current choices."""
        from app.printing.labels import render_labels

        return render_labels(self._labels, self.stock, start=self.start, title=self._title)

    def _busy(self, work: Callable[[], bytes]) -> bytes | None:
        self.errors.clear()
        self.general.clear()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return work()
        except ValidationFailed as exc:
            self.general.setText("\n".join(self.errors.show(exc)))
        except AppError as exc:
            show_error(self, exc)
        finally:
            QGuiApplication.restoreOverrideCursor()
        return None

    def show_preview(self) -> None:
        """Render the labels and open the print preview (printing and saving are audited)."""
        pdf = self._busy(self.render_pdf)
        if pdf is None:
            return
        self.last_pdf = pdf
        stock, start, labels = self.stock, self.start, self._labels
        record = self._actions.record_output

        def on_output(kind: str) -> None:
            if record is not None:
                record(labels, stock, start, kind)
            if kind == "print":
                self.memory.printed(stock, start, len(labels))
                self._stock_changed()  # the next labels go on the rest of this sheet

        LabelPreviewDialog(
            self.tr("{0}（{1} 张）").format(self._title, len(labels)),
            pdf,
            stock,
            parent=self,
            on_output=on_output,
            file_name=self.tr("标签-{0}张.pdf").format(len(labels)),
        ).exec()

    def show_calibration(self) -> None:
        """Open the calibration page of the chosen stock (no archive data on it)."""
        from app.printing.labels import render_calibration

        stock, start = self.stock, self.start
        printed_at = self._actions.now() if self._actions.now is not None else None
        pdf = self._busy(lambda: render_calibration(stock, start=start, printed_at=printed_at))
        if pdf is None:
            return
        self.last_pdf = pdf
        LabelPreviewDialog(
            self.tr("标签纸校准页"),
            pdf,
            stock,
            parent=self,
            file_name=self.tr("标签纸校准页.pdf"),
        ).exec()
