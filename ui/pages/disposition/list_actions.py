"""The 销毁清册 tab's actions: compile, submit, approve or reject, carry out, notes, printing.

A mixin of :class:`ui.pages.disposition.page.DispositionPage` (``_run``, ``_preview``, the
tables and the session come from the page).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from app.services import disposition as svc
from app.services.disposition import printing
from ui.errors import REFUSED
from ui.pages.disposition.dialogs import CarryOutDialog, CompileDialog, TextDialog


class ListActions:
    """What the buttons under the lists do (issue 17)."""

    _session: Any
    _context: Any

    def compile_list(self) -> None:
        """Draft a 销毁清册 from the volumes appraised 销毁."""
        if CompileDialog(self, self._context, self._session).exec():
            self.refresh()
            self.lists.select_row(0)

    def _selected_list(self) -> svc.ListSummary | None:
        return self.lists.selected()  # type: ignore[no-any-return]

    def submit_list(self) -> None:
        """Send the selected draft for approval."""
        s = self._selected_list()
        if s is not None:
            self._run(svc.submit_list, list_id=s.id)

    def approve(self) -> None:
        """Sign the selected list's current step."""
        s = self._selected_list()
        if s is not None:
            self._run(svc.approve_list, list_id=s.id, opinion="同意销毁")

    def reject(self) -> None:
        """Refuse the selected list with a reason."""
        s = self._selected_list()
        if s is None:
            return
        dialog = TextDialog(
            self,
            title=self.tr("退回销毁清册"),
            label=self.tr("退回原因"),
            field="reason",
            object_name="reject_dialog",
            action=lambda text: svc.reject_list(
                session=self._session, list_id=s.id, reason=text, clock=self._context.clock
            ),
        )
        if dialog.exec():
            self.refresh()

    def carry_out(self) -> None:
        """Record the destruction of the selected approved list."""
        s = self._selected_list()
        if s is not None and CarryOutDialog(self, self._context, self._session, s.id).exec():
            self.refresh()

    def add_note(self) -> None:
        """Append a correction to the selected list."""
        s = self._selected_list()
        if s is None:
            return
        dialog = TextDialog(
            self,
            title=self.tr("追加备注"),
            label=self.tr("备注"),
            field="note",
            object_name="note_dialog",
            action=lambda text: svc.add_list_note(
                session=self._session, list_id=s.id, text=text, clock=self._context.clock
            ),
        )
        if dialog.exec():
            self.refresh()

    def print_list(self) -> None:
        """Preview the selected 销毁清册."""
        s = self._selected_list()
        if s is not None:
            self._preview(
                self.tr("销毁清册 {0}").format(s.number),
                lambda: printing.destruction_list_pdf(
                    session=self._session, list_id=s.id, clock=self._context.clock
                ),
                "destruction_list",
                s.id,
            )

    def print_certificate(self) -> None:
        """Preview the 销毁证明 of the selected carried-out list."""
        s = self._selected_list()
        if s is not None:
            self._preview(
                self.tr("销毁证明 {0}").format(s.number),
                lambda: printing.certificate_pdf(
                    session=self._session, list_id=s.id, clock=self._context.clock
                ),
                "destruction_certificate",
                s.id,
            )

    def verify(self) -> None:
        """The auditor's check: each destroyed volume has its approved list and witnesses."""
        check = self._run(svc.verify_destructions)
        if check is REFUSED:
            return
        text = self.tr("已核查 {0} 卷已销毁案卷、{1} 份已执行清册。").format(
            check.volumes, check.lists
        )
        if check.ok:
            text += self.tr("\n全部有已批准的销毁清册和两名监销人。")
        else:
            text += "\n" + "\n".join(f"{f.reference_code}：{f.problem}" for f in check.findings)
        QMessageBox.information(self, self.tr("核查销毁记录"), text)
