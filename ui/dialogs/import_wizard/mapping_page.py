"""Step 3 of the import wizard: which column holds what (remembered, or guessed).

Each guess shows how sure it is and why (把握: 高/中/低 — the column's name, its values or
both; the field the name alone suggested when the values said otherwise); a choice the
operator changes shows as theirs.
"""

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
        self.table.setColumnCount(4)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.error = QLabel(objectName="mapping_error", wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error)
        self.combos: list[QComboBox] = []
        self.guesses: dict[int, imports.Guess] = {}
        self.initial: dict[int, str] = {}
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("第 3 步：对应列"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("文件中的列"), self.tr("示例（已脱敏）"), self.tr("导入为"), self.tr("把握")]
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
        self.guesses = {} if remembered else imports.column_guesses(self.w.kind, ledger)
        self.initial = dict(mapping)
        self.intro.setText(
            self.tr("已按上次导入同样表头时的对应关系填好，请核对。")
            if remembered
            else self.tr(
                "已根据列名和列中的值猜测每列的内容（如“身份证号”→证件号码；“客户类型”一列"
                "填的是个人/企业，就是客户性质），右边是猜测的把握，请核对，不需要的列选“不导入”。"
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
            self.table.setItem(col, 3, QTableWidgetItem())
            self._show_confidence(col)
            combo.currentIndexChanged.connect(lambda _i, c=col: self._show_confidence(c))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.error.clear()

    def confidence_text(self, col: int) -> tuple[str, str]:
        """The 把握 cell of a column: a short text and the reason (tooltip)."""
        key = self.combos[col].currentData()
        if key != self.initial.get(col, NOT_IMPORTED):
            return self.tr("已手工选择"), ""
        if not key:
            return "", ""
        if self.w.remembered:
            return self.tr("沿用上次"), self.tr("上次导入同样表头的文件时选定")
        guess = self.guesses.get(col)
        if guess is None:
            return "", ""
        level = {"high": self.tr("高"), "medium": self.tr("中"), "low": self.tr("低")}
        share = f"{guess.share:.0%}" if guess.share is not None else ""
        labels = {f.key: self.tr(f.label) for f in imports.ledger_fields(self.w.kind)}
        basis = {
            "name": self.tr("列名相符"),
            "name_part": self.tr("列名部分相符，请核对"),
            "name_values": self.tr("列名相符，列中 {0} 的值也相符").format(share),
            "values": self.tr("按列中的值（{0} 相符）").format(share),
            "rows": self.tr("按行判断（每个档号一行为案卷题名，有件号或档号重复为文件题名）"),
        }.get(guess.basis, guess.basis)
        if guess.instead:
            basis += self.tr("；列名像“{0}”，但值不符").format(labels.get(guess.instead, ""))
        return f"{level.get(guess.confidence, '')}：{basis}", basis

    def _show_confidence(self, col: int) -> None:
        item = self.table.item(col, 3)
        if item is None or col >= len(self.combos):
            return
        text, tip = self.confidence_text(col)
        item.setText(text)
        item.setToolTip(tip)

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
