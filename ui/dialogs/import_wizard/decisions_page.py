"""A step of the import wizard: duplicates shown together, one decision per group.

Every row is checked (off the GUI thread); the rows sharing an ID number, USCC, phone, bank
account or 档号 — within the file or with a registered record — are listed as groups. The
selected group's rows are shown side by side below (personal values masked, R5) and the
operator decides: import all of them with a note, only one of them, or none. The decisions go
to the preview and the import (``WizardHost.decisions``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.services import imports
from ui.dialogs.import_wizard.host import WizardHost, ledger_work
from ui.widgets.table_panel import configure_table, fit_columns


class DecisionsPage(QWizardPage):
    """The duplicate groups, each with its decision; the selected group's rows side by side."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__()
        self.w = wizard
        self.groups: list[imports.DuplicateGroup] = []
        self.combos: list[QComboBox] = []
        layout = QVBoxLayout(self)
        self.intro = QLabel(objectName="decisions_intro", wordWrap=True)
        layout.addWidget(self.intro)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 4, objectName="decisions_table")
        configure_table(self.table)
        self.rows = QTableWidget(0, 0, objectName="decision_rows")
        configure_table(self.rows)
        split.addWidget(self.table)
        split.addWidget(self.rows)
        layout.addWidget(split, 1)
        self.table.itemSelectionChanged.connect(self._show_rows)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("检查重复项"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("重复的内容"), self.tr("台账中的行"), self.tr("已登记"), self.tr("处理")]
        )

    def initializePage(self) -> None:
        """Check every row (off the GUI thread) and list the duplicate groups."""
        result = self.w.run(self.tr("正在查找重复项…"), ledger_work(self.w, imports.check_ledger))
        self.groups = list(result.duplicates) if result is not None else []
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.groups))
        self.combos = []
        for n, g in enumerate(self.groups):
            shown = g.label + (f"（{g.shown}）" if g.shown else "")
            self.table.setItem(n, 0, QTableWidgetItem(shown))
            rows = "、".join(str(r) for r in g.rows)
            self.table.setItem(n, 1, QTableWidgetItem(self.tr("第 {0} 行").format(rows)))
            self.table.setItem(n, 2, QTableWidgetItem("、".join(g.existing)))
            combo = QComboBox(objectName=f"decision_{n}")
            if g.allow_all:
                combo.addItem(self.tr("都导入（加备注）"), imports.Choice(imports.Decision.ALL))
            if not (g.existing and not g.allow_all):
                for r in g.rows:
                    combo.addItem(
                        self.tr("只导入第 {0} 行").format(r),
                        imports.Choice(imports.Decision.ONE, keep=r),
                    )
            skip = self.tr("都跳过（保留已登记的）") if g.existing else self.tr("都跳过")
            combo.addItem(skip, imports.Choice(imports.Decision.SKIP))
            current = self.w.decisions.get(g.key)
            for i in range(combo.count()):
                choice = combo.itemData(i)
                if (current is not None and choice == current) or (
                    current is None and choice.decision is g.default
                ):
                    combo.setCurrentIndex(i)
                    break
            self.table.setCellWidget(n, 3, combo)
            self.combos.append(combo)
        fit_columns(self.table)
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), 280))
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), 120))
        self.table.setColumnWidth(2, max(self.table.columnWidth(2), 160))
        if self.groups:
            self.intro.setText(
                self.tr(
                    "发现 {0} 组重复：同一证件号码、电话、银行账号或档号出现在多行，"
                    "或与已登记的记录相同。选中一组可在下方并排查看这些行，然后为每组选择处理方式。"
                    "同一证件号码只能登记一次。"
                ).format(len(self.groups))
            )
            self.table.selectRow(0)
        else:
            self.intro.setText(self.tr("未发现重复项，请继续。"))
            self.rows.setRowCount(0)
            self.rows.setColumnCount(0)

    def _show_rows(self) -> None:
        """The selected group's rows side by side (masked as in the preview)."""
        ledger = self.w.ledger
        index = self.table.currentRow()
        if ledger is None or not 0 <= index < len(self.groups):
            return
        group = self.groups[index]
        names = [self.tr("行号"), *ledger.header.names]
        self.rows.setColumnCount(len(names))
        self.rows.setHorizontalHeaderLabels(names)
        self.rows.setRowCount(len(group.rows))
        for n, row in enumerate(group.rows):
            cells = imports.preview_cells(
                self.w.kind, ledger, self.w.mapping, row - ledger.sheet.first_row
            )
            self.rows.setItem(n, 0, QTableWidgetItem(str(row)))
            for col, text in enumerate(cells, start=1):
                self.rows.setItem(n, col, QTableWidgetItem(text))
        fit_columns(self.rows)

    def choose(self, group_index: int, text: str) -> None:
        """Pick the decision whose text is ``text`` for a group (tests, keyboard users)."""
        combo = self.combos[group_index]
        combo.setCurrentIndex(combo.findText(text))

    def validatePage(self) -> bool:
        """Keep the decisions for the preview and the import."""
        for group, combo in zip(self.groups, self.combos, strict=True):
            choice = combo.currentData()
            if isinstance(choice, imports.Choice):
                self.w.decisions[group.key] = choice
        return True
