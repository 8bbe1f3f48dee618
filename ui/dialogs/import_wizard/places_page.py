"""A step of the volume import: the places the ledger's 存放位置 name that do not exist yet.

``3号库6列B面8节3层`` is read into the location tree's code; the places missing from the tree
are previewed (how many of each kind, which codes, which texts name them) and created in one
batch, or left out: then those volumes come in unplaced with the text in their 备注栏.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.services import imports
from ui.dialogs.import_wizard.host import WizardHost
from ui.tasks import ProgressSink
from ui.widgets.table_panel import configure_table, fit_columns


class PlacesPage(QWizardPage):
    """Preview the missing places; create them in one batch or import those volumes unplaced."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__()
        self.w = wizard
        self.plan: imports.PlacesPlan | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="places_summary", wordWrap=True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 2, objectName="places_table")
        configure_table(self.table)
        layout.addWidget(self.table, 1)
        self.create = QRadioButton(objectName="places_create")
        self.unplaced = QRadioButton(objectName="places_unplaced")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.create)
        self.choice.addButton(self.unplaced)
        self.create.setChecked(True)
        layout.addWidget(self.create)
        layout.addWidget(self.unplaced)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setTitle(self.tr("存放位置"))
        self.table.setHorizontalHeaderLabels([self.tr("缺少的位置"), self.tr("台账中的写法")])
        self.create.setText(self.tr("先一次新建这些位置，导入时案卷直接上架"))
        self.unplaced.setText(self.tr("不新建：这些案卷不上架导入，存放位置原文写入备注栏"))

    def initializePage(self) -> None:
        """Read the ledger's positions and preview what is missing."""
        w, ledger = self.w, self.w.ledger
        assert ledger is not None
        session, mapping, clock = w.session, w.mapping, w.context.clock

        def plan(_sink: ProgressSink) -> imports.PlacesPlan:
            return imports.plan_missing_places(
                session=session, ledger=ledger, mapping=mapping, clock=clock
            )

        self.plan = w.run(self.tr("正在读取存放位置…"), plan)
        self._fill()

    def _fill(self) -> None:
        plan = self.plan
        missing = plan.missing if plan is not None else {}
        self.table.setRowCount(len(missing))
        for n, (code, texts) in enumerate(sorted(missing.items())):
            self.table.setItem(n, 0, QTableWidgetItem(code))
            self.table.setItem(n, 1, QTableWidgetItem("；".join(dict.fromkeys(texts))))
        fit_columns(self.table)
        has_new = plan is not None and bool(plan.new)
        self.create.setEnabled(has_new)
        self.unplaced.setEnabled(has_new)
        if not has_new:
            self.unplaced.setChecked(True)
        lines = []
        if plan is None:
            lines.append(self.tr("无法读取存放位置。"))
        elif has_new:
            kinds = "，".join(f"{label} {n} 个" for label, n in plan.counts.items())
            lines.append(
                self.tr("台账中有 {0} 个存放位置尚未建立（涉及 {1} 行）。将新建：{2}。").format(
                    len(plan.missing), plan.volumes, kinds
                )
            )
        else:
            lines.append(self.tr("台账中写明的存放位置都已建立。"))
        if plan is not None and plan.unreadable:
            lines.append(
                self.tr(
                    "有 {0} 种写法看不懂（如“{1}”）：这些案卷不上架导入，原文写入备注栏。"
                ).format(len(plan.unreadable), plan.unreadable[0][:20])
            )
        self.summary.setText("\n".join(lines))

    def validatePage(self) -> bool:
        """Create the missing places in one batch when chosen (off the GUI thread)."""
        plan, w = self.plan, self.w
        if plan is None or not plan.new or not self.create.isChecked():
            return True
        ledger = w.ledger
        assert ledger is not None
        session, mapping, clock = w.session, w.mapping, w.context.clock

        def create(_sink: ProgressSink) -> int:
            return imports.create_missing_places(
                session=session, ledger=ledger, mapping=mapping, clock=clock
            )

        created = w.run(self.tr("正在新建存放位置…"), create)
        if created is None:
            return False
        self.plan = imports.PlacesPlan()
        self.summary.setText(self.tr("已新建 {0} 个位置。").format(created))
        return True
