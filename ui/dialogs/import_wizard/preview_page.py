"""Step 4 of the import wizard: every row checked, the counts, what to do with rejected rows.

The first rows are checked at once (a quick look), then every row off the GUI thread; the
import itself runs off the GUI thread too, with progress and 取消.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from app.errors import AppError
from app.services import imports
from app.storage.files import atomic_write_bytes
from ui import files
from ui.dialogs.import_wizard.host import PREVIEW_SHOWN, WizardHost, ledger_work
from ui.dialogs.import_wizard.preview_model import PreviewModel
from ui.errors import show_error
from ui.widgets.table_panel import TablePanel, fit_columns

VERDICT_WIDTH = 420  # px: the widest a column gets (the reasons are in the tooltip)


class PreviewPage(QWizardPage):
    """Every row checked by the forms' rules; the counts; what to do with rejected rows."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__()
        self.w = wizard
        layout = QVBoxLayout(self)
        self.counts = QLabel(objectName="preview_counts", wordWrap=True)
        layout.addWidget(self.counts)
        self.model = PreviewModel()
        self.panel = TablePanel(name="preview_table", columns=(), model=self.model)
        self.table = self.panel.table
        self.only_rejected = QCheckBox(objectName="only_rejected")
        self.panel.add_bar_widget(self.only_rejected)
        self.panel.end_bar()
        self.export_rejected = self.panel.add_button("", "export_rejected", self.save_rejected)
        layout.addWidget(self.panel, 1)
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
        ledger = self.w.ledger
        assert ledger is not None
        check = ledger_work(self.w, imports.check_ledger)
        # the first rows at once (a quick look while the rest is checked), then every row
        try:
            self.w.check = ledger_work(self.w, imports.check_ledger, limit=PREVIEW_SHOWN)(None)
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
            self.model.set_table([], [])
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
        self.model.set_table(ledger.header.names, shown)
        fit_columns(self.table, VERDICT_WIDTH)
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), 120))
        warned = sum(1 for o in result.outcomes if o.ok and o.warnings)
        text = self.tr("共 {0} 行：可导入 {1} 行，未通过检查 {2} 行。").format(
            len(result.outcomes), result.valid, result.rejected
        )
        if result.skipped:
            rows = "、".join(str(s.row) for s in result.skipped[:10])
            more = "……" if len(result.skipped) > 10 else ""
            text = self.tr(
                "读到 {0} 行：可导入 {1} 行，未通过检查 {2} 行，跳过 {3} 行"
                "（合计、表尾说明或重复表头，第 {4}{5} 行）。"
            ).format(result.read, result.valid, result.rejected, len(result.skipped), rows, more)
        notes = [  # a declared size that disagreed (the encoding is shown in step 2)
            imports.describe_note(n)
            for n in imports.read_notes(ledger)
            if n.reason == "size_declared"
        ]
        if notes:
            text = "\n".join(notes) + "\n" + text
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
        # each row checked once: only uniqueness is looked at again
        work = ledger_work(w, imports.run_import, mode=mode, checked=result)
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

    def _write_rejected(self, outcomes: list[imports.RowOutcome]) -> None:
        ledger = self.w.ledger
        assert ledger is not None
        target = self.w.rejected_target
        if target is None:
            name = files.save_file_name(
                self,
                "import_rejects",
                self.tr("保存未导入的行"),
                "未导入的行.xlsx",
                self.tr("Excel 工作簿 (*.xlsx)"),
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
