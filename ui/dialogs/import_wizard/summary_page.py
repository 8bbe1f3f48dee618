"""Step 5 of the import wizard: what was imported, and the way back (撤销本次导入)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from app.errors import AppError
from app.services import imports
from ui.dialogs.import_wizard.host import WizardHost
from ui.errors import show_error


class SummaryPage(QWizardPage):
    """What was imported, and the way back (撤销本次导入)."""

    def __init__(self, wizard: WizardHost) -> None:
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
            )
            if not s.skipped
            else self.tr(
                "读到 {0} 行：已导入 {1} 行，未导入 {2} 行，跳过 {3} 行（不是数据）。"
            ).format(s.read, s.imported, s.rejected, len(s.skipped)),
        ]
        if s.kind == "volumes":
            lines.append(
                self.tr("新建案卷 {0} 卷，卷内文件 {1} 件。").format(
                    s.details.get("volumes", 0), s.details.get("items", 0)
                )
            )
        if s.details.get("unlinked"):
            lines.append(
                self.tr("其中 {0} 卷未关联客户，请在档案页“待关联案卷…”中关联。").format(
                    s.details["unlinked"]
                )
            )
        if s.kind == "loans":
            lines.append(
                self.tr("借阅登记 {0} 条：未还 {1} 条（案卷显示“借出”），已还 {2} 条。").format(
                    s.details.get("loans", 0),
                    s.details.get("open", 0),
                    s.details.get("returned", 0),
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
