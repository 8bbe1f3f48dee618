"""导入记录: the latest imports of one kind, each undoable while its rows are unchanged."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.clock import format_local
from app.errors import AppError
from app.services import imports
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.table_dialog import TableDialog
from ui.errors import show_error

COLUMNS = ("批次", "导入时间", "导入人", "行数", "状态")


class ImportHistoryDialog(TableDialog):
    """The latest imports of one kind, with 撤销 for the selected one."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, kind: str
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("导入记录"),
            object_name="ImportHistoryDialog",
            table="import_history",
            columns=COLUMNS,
            cells=self._cells,
        )
        self.context, self.session, self.kind = context, session, kind
        self.undo = self.panel.add_button(
            self.tr("撤销所选导入…"), "undo_selected_import", self.undo_selected
        )
        self.panel.end_bar()
        self.finish(width=720, height=420)
        self.refresh()

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
        self.show_rows(
            lambda: imports.list_imports(
                session=self.session, kind=self.kind, clock=self.context.clock
            )
        )

    def undo_selected(self) -> None:
        """Undo the selected import after a confirmation."""
        chosen: imports.ImportRow | None = self.selected()
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
