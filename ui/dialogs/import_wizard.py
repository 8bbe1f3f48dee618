"""导入向导: file and sheet → header row → column mapping → preview of every row → import → summary.

The wizard only collects choices and shows results; reading, checking and importing are the
services' (``app.services.imports``), run off the GUI thread behind a progress dialog with a
working 取消 (``ui.tasks.run_blocking``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import AppError, ImportCancelled
from app.imports import cells
from app.imports.source import sheet_names
from app.services import imports
from app.services.auth import SignedIn
from app.services.imports import RowOutcome
from app.storage.files import atomic_write_bytes
from ui.context import AppContext
from ui.errors import message_for, show_error, show_unexpected
from ui.tasks import ProgressSink, run_blocking

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
PREVIEW_SHOWN = 1_000  # rows in the preview table (every row is checked and counted)
NOT_IMPORTED = ""


class ImportWizard(QWizard):
    """The import wizard for one target kind (``customers`` or ``volumes``)."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, kind: str
    ) -> None:
        super().__init__(parent, objectName="ImportWizard")
        self.context, self.session, self.kind = context, session, kind
        self.ledger: imports.Ledger | None = None
        self.mapping: dict[int, str] = {}
        self.remembered = False
        self.check: imports.CheckResult | None = None
        self.summary: imports.ImportSummary | None = None
        self.rejected_target: Path | None = None  # tests set it instead of a file dialog
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(980, 640)
        self.file_page = FilePage(self)
        self.header_page = HeaderPage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.file_page,
            self.header_page,
            self.mapping_page,
            self.preview_page,
            self.summary_page,
        ):
            self.addPage(page)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Window title and buttons."""
        label = imports.kind_of(self.kind).label
        self.setWindowTitle(self.tr("导入{0}").format(self.tr(label)))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))

    def run(self, label: str, fn: Any) -> Any:
        """Run ``fn(sink)`` off the GUI thread with progress; errors shown, None returned."""
        try:
            return run_blocking(self, label, fn)
        except ImportCancelled as exc:
            show_error(self, exc, self.tr("已取消"))
        except AppError as exc:
            show_error(self, exc)
        except Exception as exc:  # a bug: a message, never a traceback
            log.exception("import step failed")
            show_unexpected(self, exc)
        return None


# --- 1. file and sheet -------------------------------------------------------------------------
class FilePage(QWizardPage):
    """Pick the file and the sheet."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path = QLineEdit(objectName="import_path")
        self.browse = QPushButton(objectName="import_browse")
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.path_label = QLabel()
        form.addRow(self.path_label, row)
        self.sheet = QComboBox(objectName="import_sheet")
        self.sheet_label = QLabel()
        form.addRow(self.sheet_label, self.sheet)
        layout.addLayout(form)
        self.error = QLabel(objectName="import_file_error", wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        layout.addStretch()
        self.browse.clicked.connect(self._browse)
        self.path.editingFinished.connect(self.load_sheets)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 1 步：选择文件和工作表"))
        self.intro.setText(
            self.tr(
                "可以导入 Excel 工作簿（.xlsx，旧版 .xls）、WPS 表格（.et）或 CSV 文件"
                "（UTF-8 或 GB18030 编码，自动识别）。无法读取的旧文件请先另存为 .xlsx。"
                "导入前会逐行检查，检查不通过的行不会导入。"
            )
        )
        self.path_label.setText(self.tr("文件"))
        self.browse.setText(self.tr("选择文件…"))
        self.sheet_label.setText(self.tr("工作表"))

    def _browse(self) -> None:
        name, _f = QFileDialog.getOpenFileName(
            self,
            self.tr("选择要导入的文件"),
            "",
            self.tr("Excel 或 CSV (*.xlsx *.xlsm *.csv *.txt *.xls *.et);;所有文件 (*)"),
        )
        if name:
            self.path.setText(name)
            self.load_sheets()

    def load_sheets(self) -> None:
        """Fill the sheet list of the chosen file (the workbook's index only: quick)."""
        self.sheet.clear()
        self.error.clear()
        text = self.path.text().strip()
        if not text:
            return
        try:
            self.sheet.addItems(sheet_names(Path(text)))
        except AppError as exc:
            self.error.setText(message_for(exc))
        except OSError:
            self.error.setText(self.tr("无法打开该文件，请检查路径。"))

    def validatePage(self) -> bool:
        """Read the sheet (off the GUI thread, limits checked before loading)."""
        if self.sheet.count() == 0:
            self.load_sheets()
        if self.error.text() or not self.path.text().strip():
            if not self.error.text():
                self.error.setText(self.tr("请选择要导入的文件。"))
            return False
        path, sheet = Path(self.path.text().strip()), self.sheet.currentText() or None
        kind = self.w.kind

        def load(_sink: ProgressSink) -> imports.Ledger:
            return imports.load_ledger(path, kind=kind, sheet=sheet)

        ledger = self.w.run(self.tr("正在读取文件…"), load)
        if ledger is None:
            return False
        self.w.ledger = ledger
        return True


# --- 2. header row -----------------------------------------------------------------------------
class HeaderPage(QWizardPage):
    """The header row found (title rows above it skipped); the operator may move it."""

    SHOWN = 15

    def __init__(self, wizard: ImportWizard) -> None:
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


# --- 3. column mapping -------------------------------------------------------------------------
class MappingPage(QWizardPage):
    """Which column holds what: guessed from the headers, or as last time for these headers."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.intro = QLabel(objectName="mapping_intro", wordWrap=True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(objectName="mapping_table")
        self.table.setColumnCount(3)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.error = QLabel(objectName="mapping_error", wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        self.combos: list[QComboBox] = []
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 3 步：对应列"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("文件中的列"), self.tr("示例（已脱敏）"), self.tr("导入为")]
        )

    def initializePage(self) -> None:
        """One row per column of the file, with a field chooser each."""
        ledger = self.w.ledger
        assert ledger is not None
        try:
            mapping, remembered = imports.guess_columns(
                session=self.w.session, kind=self.w.kind, ledger=ledger, clock=self.w.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            mapping, remembered = {}, False
        self.w.remembered = remembered
        self.intro.setText(
            self.tr("已按上次导入同样表头时的对应关系填好，请核对。")
            if remembered
            else self.tr(
                "已根据列名猜测每列的内容（如“身份证号”→证件号码），请核对，不需要的列选“不导入”。"
            )
        )
        fields = imports.ledger_fields(self.w.kind)
        names = ledger.header.names
        sample_index = next(
            (
                i
                for i in range(ledger.header.data_start, len(ledger.sheet.rows))
                if any(cells.text(v) for v in ledger.sheet.rows[i])
            ),
            ledger.header.data_start,
        )
        samples = imports.preview_cells(self.w.kind, ledger, mapping, sample_index)
        self.table.setRowCount(len(names))
        self.combos = []
        for col, name in enumerate(names):
            self.table.setItem(
                col, 0, QTableWidgetItem(name or self.tr("（第 {0} 列）").format(col + 1))
            )
            self.table.setItem(col, 1, QTableWidgetItem(samples[col] if col < len(samples) else ""))
            combo = QComboBox(objectName=f"map_{col}")
            combo.addItem(self.tr("不导入"), NOT_IMPORTED)
            for spec in fields:
                label = self.tr(spec.label) + (self.tr("（必填）") if spec.required else "")
                combo.addItem(label, spec.key)
            found = combo.findData(mapping.get(col, NOT_IMPORTED))
            combo.setCurrentIndex(max(found, 0))
            self.table.setCellWidget(col, 2, combo)
            self.combos.append(combo)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.error.clear()

    def chosen(self) -> dict[int, str]:
        """Column → field as chosen (a field chosen twice keeps its first column)."""
        out: dict[int, str] = {}
        for col, combo in enumerate(self.combos):
            key = combo.currentData()
            if key and key not in out.values():
                out[col] = str(key)
        return out

    def validatePage(self) -> bool:
        """Required fields must have a column."""
        from app.errors import ValidationFailed
        from app.messages import describe_field_error

        mapping = self.chosen()
        try:
            imports.check_mapping(self.w.kind, mapping)
        except ValidationFailed as exc:
            self.error.setText(
                self.tr("还缺少这些列：")
                + "；".join(describe_field_error(e).split("：")[0] for e in exc.errors)
            )
            return False
        self.w.mapping = mapping
        return True


# --- 4. preview --------------------------------------------------------------------------------
class PreviewModel(QAbstractTableModel):
    """The first rows of the ledger, masked, with each row's verdict."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[tuple[RowOutcome, list[str]]] = []

    def set_rows(self, headers: list[str], rows: list[tuple[RowOutcome, list[str]]]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.headers, self.rows = headers, rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows shown."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """行, 检查结果, then the file's columns."""
        return 0 if parent.isValid() else len(self.headers) + 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return self.tr("行")
        if section == 1:
            return self.tr("检查结果")
        return self.headers[section - 2] if section - 2 < len(self.headers) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; rejected rows in red."""
        if not index.isValid():
            return None
        outcome, values = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(outcome.row)
            if col == 1:
                if outcome.ok:
                    return self.tr("可导入") + (
                        "（" + imports.describe_outcome(outcome).replace("\n", "；") + "）"
                        if outcome.warnings
                        else ""
                    )
                return imports.describe_outcome(outcome).replace("\n", "；")
            return values[col - 2] if col - 2 < len(values) else ""
        if role == Qt.ItemDataRole.ForegroundRole and not outcome.ok:
            return QColor("#b00020")
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return imports.describe_outcome(outcome)
        return None


class PreviewPage(QWizardPage):
    """Every row checked by the forms' rules; the counts; what to do with rejected rows."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.counts = QLabel(objectName="preview_counts", wordWrap=True)
        layout.addWidget(self.counts)
        bar = QHBoxLayout()
        self.only_rejected = QCheckBox(objectName="only_rejected")
        bar.addWidget(self.only_rejected)
        bar.addStretch()
        self.export_rejected = QPushButton(objectName="export_rejected")
        self.export_rejected.clicked.connect(self.save_rejected)
        bar.addWidget(self.export_rejected)
        layout.addLayout(bar)
        self.model = PreviewModel()
        self.table = QTableView(objectName="preview_table")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.mode_all = QRadioButton(objectName="mode_all_or_nothing")
        self.mode_valid = QRadioButton(objectName="mode_valid_rows")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.mode_all)
        self.modes.addButton(self.mode_valid)
        self.mode_all.setChecked(True)
        layout.addWidget(self.mode_all)
        layout.addWidget(self.mode_valid)
        self.only_rejected.toggled.connect(self._fill)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 4 步：预览和检查"))
        self.only_rejected.setText(self.tr("只看未通过检查的行"))
        self.export_rejected.setText(self.tr("导出未通过的行…"))
        self.mode_all.setText(self.tr("全部导入或全部不导入（有一行不通过就一行也不导入）"))
        self.mode_valid.setText(
            self.tr("只导入通过检查的行，未通过的行连同原因导出为 Excel 文件（改正后可再导入）")
        )

    def initializePage(self) -> None:
        """Check every row (off the GUI thread) and show the first ones."""
        ledger, w = self.w.ledger, self.w
        assert ledger is not None
        session, kind, mapping, clock = w.session, w.kind, w.mapping, w.context.clock

        def check(sink: ProgressSink) -> imports.CheckResult:
            return imports.check_ledger(
                session=session,
                kind=kind,
                ledger=ledger,
                mapping=mapping,
                clock=clock,
                progress=sink,
            )

        # the first rows at once (a quick look while the rest is checked), then every row
        try:
            self.w.check = imports.check_ledger(
                session=session,
                kind=kind,
                ledger=ledger,
                mapping=mapping,
                clock=clock,
                limit=PREVIEW_SHOWN,
            )
        except AppError as exc:
            show_error(self, exc)
            self.w.check = None
        self._fill()
        QApplication.processEvents()
        self.w.check = self.w.run(
            self.tr("正在逐行检查全部 {0} 行…").format(ledger.data_rows), check
        )
        self._fill()

    def _fill(self) -> None:
        ledger, result = self.w.ledger, self.w.check
        if ledger is None or result is None:
            self.model.set_rows([], [])
            self.counts.setText(self.tr("检查未完成，请返回上一步重试。"))
            return
        outcomes = (
            [o for o in result.outcomes if not o.ok]
            if self.only_rejected.isChecked()
            else result.outcomes
        )
        shown = [
            (
                o,
                imports.preview_cells(
                    self.w.kind, ledger, self.w.mapping, o.row - ledger.sheet.first_row
                ),
            )
            for o in outcomes[:PREVIEW_SHOWN]
        ]
        self.model.set_rows(list(ledger.header.names), shown)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(max(self.table.columnWidth(1), 120), 420))
        warned = sum(1 for o in result.outcomes if o.ok and o.warnings)
        text = self.tr("共 {0} 行：可导入 {1} 行，未通过检查 {2} 行。").format(
            len(result.outcomes), result.valid, result.rejected
        )
        if warned:
            text += self.tr("其中 {0} 行有提示（可导入）。").format(warned)
        self.export_rejected.setEnabled(result.rejected > 0)
        if len(outcomes) > PREVIEW_SHOWN:
            text += self.tr("下表显示前 {0} 行；每一行都已检查。").format(PREVIEW_SHOWN)
        self.counts.setText(text)

    def mode(self) -> imports.ImportMode:
        """The chosen handling of rejected rows."""
        if self.mode_valid.isChecked():
            return imports.ImportMode.VALID_ROWS
        return imports.ImportMode.ALL_OR_NOTHING

    def validatePage(self) -> bool:
        """Import (off the GUI thread, with progress and 取消); save the rejected rows."""
        w, ledger, result = self.w, self.w.ledger, self.w.check
        if ledger is None or result is None:
            return False
        mode = self.mode()
        if mode == imports.ImportMode.ALL_OR_NOTHING and result.rejected:
            QMessageBox.warning(
                self,
                self.tr("不能全部导入"),
                self.tr(
                    "有 {0} 行未通过检查。请改正文件后重新导入，或选择“只导入通过检查的行”。"
                ).format(result.rejected),
            )
            return False
        if result.valid == 0:
            QMessageBox.warning(self, self.tr("没有可导入的行"), self.tr("没有一行通过检查。"))
            return False
        session, kind, mapping, clock = w.session, w.kind, w.mapping, w.context.clock

        def work(sink: ProgressSink) -> imports.ImportSummary:
            return imports.run_import(
                session=session,
                kind=kind,
                ledger=ledger,
                mapping=mapping,
                mode=mode,
                clock=clock,
                progress=sink,
            )

        summary = w.run(self.tr("正在导入…"), work)
        if summary is None:
            return False
        w.summary = summary
        if summary.rejected:
            self._save_rejected(summary)
        return True

    def save_rejected(self) -> None:
        """The rejected rows with reasons to a workbook now (to correct before importing)."""
        if self.w.check is not None:
            self._write_rejected(self.w.check.outcomes)

    def _save_rejected(self, summary: imports.ImportSummary) -> None:
        self._write_rejected(summary.outcomes)

    def _write_rejected(self, outcomes: list[RowOutcome]) -> None:
        ledger = self.w.ledger
        assert ledger is not None
        target = self.w.rejected_target
        if target is None:
            name, _f = QFileDialog.getSaveFileName(
                self, self.tr("保存未导入的行"), "未导入的行.xlsx", self.tr("Excel 工作簿 (*.xlsx)")
            )
            if not name:
                return
            target = Path(name)
        try:
            data = imports.rejected_rows_xlsx(
                session=self.w.session,
                kind=self.w.kind,
                ledger=ledger,
                outcomes=outcomes,
                clock=self.w.context.clock,
            )
            atomic_write_bytes(target, data)
            self.w.rejected_target = target
        except AppError as exc:
            show_error(self, exc)


# --- 5. summary --------------------------------------------------------------------------------
class SummaryPage(QWizardPage):
    """What was imported, and the way back (撤销本次导入)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.text = QLabel(objectName="import_summary", wordWrap=True)
        layout.addWidget(self.text)
        self.undo = QPushButton(objectName="undo_import")
        self.undo.clicked.connect(self.undo_import)
        row = QHBoxLayout()
        row.addWidget(self.undo)
        row.addStretch()
        layout.addLayout(row)
        layout.addStretch()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 5 步：完成"))
        self.undo.setText(self.tr("撤销本次导入…"))

    def initializePage(self) -> None:
        """The counts, where the rejected rows went."""
        s = self.w.summary
        assert s is not None
        lines = [
            self.tr("导入完成（导入批次 {0}，已记入审计日志）。").format(s.batch_id),
            self.tr("共 {0} 行：已导入 {1} 行，未导入 {2} 行。").format(
                s.total, s.imported, s.rejected
            ),
        ]
        if s.kind == "volumes":
            lines.append(
                self.tr("新建案卷 {0} 卷，卷内文件 {1} 件。").format(
                    s.details.get("volumes", 0), s.details.get("items", 0)
                )
            )
        if s.flagged:
            lines.append(
                self.tr(
                    "{0} 位新客户与其他客户电话或银行账号相同，已标记为“疑似重复”，请审批人复核。"
                ).format(s.flagged)
            )
        if s.rejected and self.w.rejected_target is not None:
            lines.append(
                self.tr(
                    "未导入的行及原因已保存到 {0}（含个人信息，改正并重新导入后请删除）。"
                ).format(self.w.rejected_target.name)
            )
        lines.append(self.tr("在这些记录被修改或使用之前，可以整批撤销本次导入。"))
        self.text.setText("\n".join(lines))

    def undo_import(self) -> None:
        """Undo the whole import after a confirmation."""
        s = self.w.summary
        if s is None or s.batch_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("撤销导入"),
            self.tr(
                "撤销后，本次导入的 {0} 行记录将全部删除（客户的加密信息不可恢复）。确定撤销吗？"
            ).format(s.imported),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            imports.undo_import(
                session=self.w.session, batch_id=s.batch_id, clock=self.w.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.undo.setEnabled(False)
        self.text.setText(self.text.text() + "\n" + self.tr("本次导入已撤销。"))


# --- 导入记录: earlier imports, each undoable while its rows are unchanged ---------------------
class ImportHistoryDialog(QDialog):
    """The latest imports of one kind, with 撤销 for the selected one."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, kind: str
    ) -> None:
        super().__init__(parent, objectName="ImportHistoryDialog")
        self.context, self.session, self.kind = context, session, kind
        self.setWindowTitle(self.tr("导入记录"))
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(objectName="import_history")
        self.table.setColumnCount(5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("批次"),
                self.tr("导入时间"),
                self.tr("导入人"),
                self.tr("行数"),
                self.tr("状态"),
            ]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.undo = QPushButton(self.tr("撤销所选导入…"), objectName="undo_selected_import")
        self.undo.clicked.connect(self.undo_selected)
        row.addWidget(self.undo)
        row.addStretch()
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)
        self.rows: list[imports.ImportRow] = []
        self.refresh()

    def refresh(self) -> None:
        """Read the list again."""
        from app.clock import format_local

        try:
            self.rows = imports.list_imports(
                session=self.session, kind=self.kind, clock=self.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            self.rows = []
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            state = self.tr("已撤销") if r.state == "undone" else self.tr("已导入")
            values = [
                str(r.id),
                format_local(r.created_at),
                r.created_by,
                self.tr("导入 {0}，未导入 {1}").format(r.imported, r.rejected),
                state,
            ]
            for c, v in enumerate(values):
                self.table.setItem(n, c, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()

    def undo_selected(self) -> None:
        """Undo the selected import after a confirmation."""
        index = self.table.currentRow()
        if not 0 <= index < len(self.rows):
            return
        chosen = self.rows[index]
        answer = QMessageBox.question(
            self,
            self.tr("撤销导入"),
            self.tr("撤销导入批次 {0}？其中的 {1} 行记录将全部删除。").format(
                chosen.id, chosen.imported
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            imports.undo_import(session=self.session, batch_id=chosen.id, clock=self.context.clock)
        except AppError as exc:
            show_error(self, exc)
        self.refresh()
