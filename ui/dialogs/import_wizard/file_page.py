"""Step 1 of the import wizard: the file and the sheet (read off the GUI thread)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from app.errors import AppError
from app.imports.source import sheet_names
from app.services import imports
from ui import files
from ui.dialogs.form import ERROR_STYLE
from ui.dialogs.import_wizard.host import WizardHost
from ui.errors import message_for
from ui.tasks import ProgressSink


class FilePage(QWizardPage):
    """Pick the file and the sheet."""

    def __init__(self, wizard: WizardHost) -> None:
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
        self.error.setStyleSheet(ERROR_STYLE)
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
                "（UTF-8、GB18030 或 UTF-16 编码，自动识别，下一步可改选）。"
                "无法读取的旧文件请先另存为 .xlsx。"
                "导入前会逐行检查，检查不通过的行不会导入。"
            )
        )
        self.path_label.setText(self.tr("文件"))
        self.browse.setText(self.tr("选择文件…"))
        self.sheet_label.setText(self.tr("工作表"))

    def _browse(self) -> None:
        name = files.open_file_name(
            self,
            "import",
            self.tr("选择要导入的文件"),
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
