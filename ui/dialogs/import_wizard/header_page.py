"""Step 2 of the import wizard: the header row found (title rows skipped); it may be moved."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.services import imports
from ui.dialogs.import_wizard.host import WizardHost


class HeaderPage(QWizardPage):
    """The header row found (title rows above it skipped); the operator may move it."""

    SHOWN = 15

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        self.row_label = QLabel()
        self.header_row = QSpinBox(objectName="header_row")
        self.header_row.setMinimum(1)
        row.addWidget(self.row_label)
        row.addWidget(self.header_row)
        row.addStretch()
        layout.addLayout(row)
        self.names = QLabel(objectName="header_names", wordWrap=True)
        layout.addWidget(self.names)
        self.table = QTableWidget(objectName="header_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.header_row.valueChanged.connect(self._moved)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 2 步：确认表头"))
        self.intro.setText(
            self.tr(
                "已自动找到表头（表头上方的标题行会跳过；合并单元格按所在区域的内容处理，"
                "两行表头会合并成一个列名）。如不对，请改表头所在的行号。"
            )
        )
        self.row_label.setText(self.tr("表头所在行（最下面一行）"))

    def initializePage(self) -> None:
        """Show the first rows with the found header highlighted."""
        ledger = self.w.ledger
        assert ledger is not None
        self.header_row.blockSignals(True)
        self.header_row.setMaximum(max(len(ledger.sheet.rows), 1))
        self.header_row.setValue(ledger.header.rows[-1] + 1)
        self.header_row.blockSignals(False)
        self._show_header()

    def _moved(self, value: int) -> None:
        if self.w.ledger is not None:
            self.w.ledger = imports.move_header(self.w.ledger, value - 1)
            self._show_header()

    def _show_header(self) -> None:
        ledger = self.w.ledger
        assert ledger is not None
        header = ledger.header
        count = min(self.SHOWN, len(ledger.sheet.rows))
        rows = [imports.sheet_cells(self.w.kind, ledger, i) for i in range(count)]
        width = max((len(r) for r in rows), default=0)
        self.table.setRowCount(count)
        self.table.setColumnCount(width)
        for r, values in enumerate(rows):  # data rows masked (R5): only the layout matters here
            for c in range(width):
                self.table.setItem(r, c, QTableWidgetItem(values[c] if c < len(values) else ""))
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    colour = QColor("#dbe9ff") if r in header.rows else QColor("white")
                    item.setBackground(colour)
        names = "，".join(n for n in header.names if n)
        self.names.setText(
            self.tr("列名：{0}\n表头下面共有 {1} 行数据（空行不计）。").format(
                names, ledger.data_rows
            )
        )
