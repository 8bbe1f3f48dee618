"""Step 3 of the import wizard: which column holds what (remembered, or guessed from names)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.errors import AppError, ValidationFailed
from app.imports import cells
from app.messages import describe_field_error
from app.services import imports
from ui.dialogs.form import ERROR_STYLE
from ui.dialogs.import_wizard.host import NOT_IMPORTED, WizardHost
from ui.errors import show_error


class MappingPage(QWizardPage):
    """Which column holds what: guessed from the headers, or as last time for these headers."""

    def __init__(self, wizard: WizardHost) -> None:
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
        self.error.setStyleSheet(ERROR_STYLE)
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
