"""打印标签: choose a label stock and a start position, preview and print; calibration page; stocks.

The dialog is given the label contents (``LabelContent``, built by the caller: volume, box or
shelf labels) and a :class:`LabelActions` with what it may call (list, save and delete stocks,
audit an output). Positions already used on a half-used sheet are skipped: click the first free
label in the sheet diagram, or set its row and column. The preview is the app's print preview,
with the printer's paper set to the stock's page size (a thermal roll's label is the page).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.label_stock import BUILTIN_STOCKS, LabelStock, start_index
from app.errors import AppError, ValidationFailed
from app.printing.labels import KIND_CAPTIONS, LabelContent
from ui.dialogs.form import add_form_row
from ui.dialogs.label_sheet.actions import LabelActions, SheetMemory
from ui.dialogs.label_sheet.diagram import LabelPreviewDialog, SheetDiagramWidget
from ui.dialogs.label_sheet.stock_editor import LabelStockDialog
from ui.errors import FieldErrors, show_error
from ui.geometry import fit_to_screen


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
        fit_to_screen(self, 760, 560)

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
        add_form_row(form, self.errors, self.tr("起始位置"), holder, "start_position")
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
