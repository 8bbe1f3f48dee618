"""待关联案卷: volumes imported without a customer, linked one by one or in a batch.

Each volume shows the suggestion the service found (from the 客户编号 or the name in its
title, masked, R5). 按建议关联 links every volume that has a suggestion in one go; 关联到客户…
links the selected volume to a customer picked by 客户编号.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.errors import AppError, FieldError, ValidationFailed
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import search_customers
from ui.context import AppContext
from ui.dialogs.table_dialog import TableDialog
from ui.errors import show_error

COLUMNS = ("档号", "年度", "案卷题名", "台账中的客户", "建议关联", "依据")
BASIS = {"number": "题名中的客户编号", "name": "题名中的客户名称"}


def _cells(v: imports.UnlinkedVolume) -> list[str]:
    s = v.suggestion
    suggestion = f"{s.number} {s.name}" if s else ""
    return [
        v.reference_code,
        str(v.year),
        v.title,
        v.hint,
        suggestion,
        BASIS.get(s.basis, "") if s else "",
    ]


class LinkVolumesDialog(TableDialog):
    """The volumes waiting for a customer, with the batch and the one-by-one link."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(
            parent,
            title="",
            object_name="LinkVolumesDialog",
            table="unlinked_table",
            columns=COLUMNS,
            cells=_cells,
        )
        self.context, self.session = context, session
        self.customer_number: str | None = None  # tests set it instead of the input dialog
        self.count = self.add_line("unlinked_count", above=True)
        self.batch = self.panel.add_button("", "link_suggested", self.link_suggested)
        self.one = self.panel.add_button("", "link_one", self.link_selected)
        self.panel.end_bar()
        self.finish(width=900, height=520)
        self.retranslate_ui()
        self.load()

    def retranslate_ui(self) -> None:
        """Texts."""
        self.setWindowTitle(self.tr("待关联案卷"))
        self.batch.setText(self.tr("按建议关联"))
        self.one.setText(self.tr("关联到客户…"))

    def load(self) -> None:
        """Reload the list."""
        rows = self.show_rows(
            lambda: imports.list_unlinked_volumes(session=self.session, clock=self.context.clock)
        )
        suggested = sum(1 for v in rows if v.suggestion is not None)
        self.count.setText(
            self.tr("{0} 卷案卷尚未关联客户，其中 {1} 卷有建议。").format(len(rows), suggested)
        )
        self.batch.setEnabled(suggested > 0)

    def link_suggested(self) -> None:
        """Link every volume that has a suggestion (one audit entry)."""
        links = {v.id: v.suggestion.customer_id for v in self.rows if v.suggestion is not None}
        if not links:
            return
        answer = QMessageBox.question(
            self,
            self.tr("按建议关联"),
            self.tr("把 {0} 卷案卷关联到建议的客户？").format(len(links)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._link(links)

    def link_selected(self) -> None:
        """Link the selected volume to a customer named by 客户编号."""
        volume = self.selected()
        if volume is None:
            return
        number = self.customer_number
        if number is None:
            default = volume.suggestion.number if volume.suggestion else ""
            number, ok = QInputDialog.getText(
                self, self.tr("关联到客户"), self.tr("客户编号："), text=default
            )
            if not ok:
                return
        try:
            found = search_customers(
                session=self.session, query=number.strip(), clock=self.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        match = [c for c in found.rows if c.number == number.strip().upper()]
        if len(match) != 1:
            show_error(self, ValidationFailed([FieldError("customer_number", "not_found")]))
            return
        self._link({volume.id: match[0].id})

    def _link(self, links: dict[int, int]) -> None:
        try:
            imports.link_volumes(session=self.session, links=links, clock=self.context.clock)
        except AppError as exc:
            show_error(self, exc)
        self.load()
