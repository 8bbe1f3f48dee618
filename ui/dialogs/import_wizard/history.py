"""导入记录: the latest imports of one kind, each undoable while its rows are unchanged."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QVBoxLayout, QWidget

from app.clock import format_local
from app.errors import AppError
from app.services import imports
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import show_error
from ui.geometry import fit_to_screen
from ui.widgets.table_panel import TablePanel

COLUMNS = ("批次", "导入时间", "导入人", "行数", "状态")


class ImportHistoryDialog(QDialog):
    """The latest imports of one kind, with 撤销 for the selected one."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, kind: str
    ) -> None:
        super().__init__(parent, objectName="ImportHistoryDialog")
        self.context, self.session, self.kind = context, session, kind
        self.setWindowTitle(self.tr("导入记录"))
        fit_to_screen(self, 720, 420)
        layout = QVBoxLayout(self)
        self.panel = TablePanel(name="import_history", columns=COLUMNS, cells=self._cells)
        self.table = self.panel.table
        self.undo = self.panel.add_button(
            self.tr("撤销所选导入…"), "undo_selected_import", self.undo_selected
        )
        self.panel.end_bar()
        layout.addWidget(self.panel, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)
        self.refresh()

    @property
    def rows(self) -> list[imports.ImportRow]:
        """The imports listed."""
        return self.panel.rows

    def _cells(self, r: imports.ImportRow) -> list[str]:
        return [
            str(r.id),
            format_local(r.created_at),
            r.created_by,
            self.tr("导入 {0}，未导入 {1}").format(r.imported, r.rejected),
            self.tr("已撤销") if r.state == "undone" else self.tr("已导入"),
        ]

    def refresh(self) -> None:
        """Read the list again."""
        try:
            rows = imports.list_imports(
                session=self.session, kind=self.kind, clock=self.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            rows = []
        self.panel.set_rows(rows)

    def undo_selected(self) -> None:
        """Undo the selected import after a confirmation."""
        chosen: imports.ImportRow | None = self.panel.selected()
        if chosen is None:
            return
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
