"""Step 2 of the import wizard: the header row found (title rows skipped); it may be moved.

The page also says what the reading found: a declared sheet size that disagreed with the data
(every row was read all the same), the encoding of a CSV file (which the operator may change,
the rows are then read again and shown), and the rows below the header that are not data
(totals, sign-offs, the header repeated), greyed with the reason.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.imports import cells
from app.imports.source import ENCODINGS
from app.messages import ENCODING_NAMES
from app.services import imports
from ui.dialogs.import_wizard.host import WizardHost

NOTE_STYLE = "color: #8a5a00;"
SKIPPED_COLOUR = "#e6e6e6"
AUTO = ""  # the encoding choice 自动识别


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
        row.addSpacing(24)
        self.encoding_label = QLabel()
        self.encoding = QComboBox(objectName="import_encoding")
        row.addWidget(self.encoding_label)
        row.addWidget(self.encoding)
        row.addStretch()
        layout.addLayout(row)
        self.notes = QLabel(objectName="read_notes", wordWrap=True)
        self.notes.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.notes)
        self.names = QLabel(objectName="header_names", wordWrap=True)
        layout.addWidget(self.names)
        self.table = QTableWidget(objectName="header_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.header_row.valueChanged.connect(self._moved)
        self.encoding.activated.connect(self._encoding_chosen)
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
        self.encoding_label.setText(self.tr("文字编码"))
        self.encoding.blockSignals(True)
        current = self.encoding.currentData()
        self.encoding.clear()
        self.encoding.addItem(self.tr("自动识别"), AUTO)
        for code in ENCODINGS:
            self.encoding.addItem(ENCODING_NAMES.get(code, code), code)
        self.encoding.setCurrentIndex(max(self.encoding.findData(current), 0))
        self.encoding.blockSignals(False)

    def initializePage(self) -> None:
        """Show the first rows with the found header highlighted."""
        ledger = self.w.ledger
        assert ledger is not None
        self.header_row.blockSignals(True)
        self.header_row.setMaximum(max(len(ledger.sheet.rows), 1))
        self.header_row.setValue(ledger.header.rows[-1] + 1)
        self.header_row.blockSignals(False)
        is_text = ledger.sheet.encoding is not None
        self.encoding.setVisible(is_text)
        self.encoding_label.setVisible(is_text)
        self._show_header()

    def _encoding_chosen(self, _index: int) -> None:
        """Read the file again with the chosen encoding (or detected again) and show it."""
        ledger = self.w.ledger
        if ledger is None:
            return
        path, kind, chosen = ledger.path, self.w.kind, self.encoding.currentData() or None

        def load(_sink: object) -> imports.Ledger:
            return imports.load_ledger(path, kind=kind, encoding=chosen)

        again = self.w.run(self.tr("正在按所选编码重新读取…"), load)
        if again is not None:  # the header is found again (its names were garbled before)
            self.w.ledger = again
            self.initializePage()

    def _moved(self, value: int) -> None:
        if self.w.ledger is not None:
            self.w.ledger = imports.move_header(self.w.ledger, value - 1)
            self._show_header()

    def _show_header(self) -> None:
        ledger = self.w.ledger
        assert ledger is not None
        header = ledger.header
        skipped = {s.row - ledger.sheet.first_row: s for s in ledger.skipped}
        last_skipped = max(skipped, default=0)
        count = min(max(self.SHOWN, last_skipped + 1), len(ledger.sheet.rows), 200)
        rows = [  # skipped rows (totals, sign-offs) as they are: they hold no customer data
            [cells.text(v) for v in ledger.sheet.rows[i]]
            if i in skipped
            else imports.sheet_cells(self.w.kind, ledger, i)
            for i in range(count)
        ]
        width = max((len(r) for r in rows), default=0)
        self.table.setRowCount(count)
        self.table.setColumnCount(width)
        for r, values in enumerate(rows):  # data rows masked (R5): only the layout matters here
            for c in range(width):
                self.table.setItem(r, c, QTableWidgetItem(values[c] if c < len(values) else ""))
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is None:
                    continue
                colour = "#dbe9ff" if r in header.rows else "white"
                if r in skipped:
                    colour = SKIPPED_COLOUR
                    item.setToolTip(imports.describe_skipped(skipped[r]))
                item.setBackground(QColor(colour))
        names = "，".join(n for n in header.names if n)
        text = self.tr("列名：{0}\n表头下面共读到 {1} 行（空行不计）：数据 {2} 行").format(
            names, ledger.read_rows, ledger.data_rows
        )
        if ledger.skipped:
            text += self.tr("，跳过 {0} 行（不是数据：{1}）").format(
                len(ledger.skipped), self.skipped_summary(ledger.skipped)
            )
        self.names.setText(text + self.tr("。"))
        self.notes.setText("\n".join(imports.describe_note(n) for n in imports.read_notes(ledger)))

    def skipped_summary(self, skipped: list[imports.Skipped]) -> str:
        """``第 14 行（合计）、第 16 行（表尾说明）…`` for the first few skipped rows."""
        short = {
            "total": self.tr("合计"),
            "sign_off": self.tr("表尾说明"),
            "header_again": self.tr("重复表头"),
        }
        parts = [
            self.tr("第 {0} 行（{1}）").format(s.row, short.get(s.reason, s.reason))
            for s in skipped[:8]
        ]
        return "、".join(parts) + ("……" if len(skipped) > 8 else "")
