"""申请与审批: applications, filing one, approvers signing at the desk or their own workstation."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QInputDialog, QWidget

from app.errors import AppError
from app.services.auth import sign_out
from app.services.catalogue import find_by_reference, get_volume
from app.services.loans import (
    file_application,
    get_application,
    issue_loan,
    list_applications,
    list_borrowers,
    volume_id_for_scan,
)
from app.services.loans import printing as loan_print
from ui.dialogs.loans import ApplicationDialog, ApprovalDialog, ApproverSignInDialog
from ui.errors import message_for, show_error
from ui.pages.loans.common import APPLICATION_COLUMNS, Desk, application_cells
from ui.widgets.table_panel import TablePanel


class ApplicationsTab(TablePanel):
    """The applications, newest first, with the desk's and the approver's buttons."""

    def __init__(self, desk: Desk, *, approver: bool, parent: QWidget | None = None) -> None:
        super().__init__(
            name="application_table",
            columns=APPLICATION_COLUMNS,
            cells=application_cells,
            parent=parent,
        )
        self._desk = desk
        tr = self.tr
        self.new_button = self.add_button(
            tr("登记申请…"), "new_application", self.new_application, visible=desk.desk
        )
        self.approver_button = self.add_button(
            tr("审批人登录审批…"), "approver_sign_in", self.approve_at_desk, visible=desk.desk
        )
        self.queue_button = self.add_button(
            tr("我的审批…"), "my_approvals", self.my_approvals, visible=approver
        )
        self.pick_button = self.add_button(
            tr("选卷借出…"), "issue_picked", self.issue_picked, visible=desk.desk
        )
        self.pick_button.setToolTip(tr("没有扫码枪时：从所选的已批准申请中选择案卷借出"))
        self.form_button = self.add_button(
            tr("打印申请单…"), "print_application", self.print_application
        )
        self.end_bar()

    def load(self) -> None:
        """Reload the applications (AppError goes to the caller)."""
        desk = self._desk
        self.set_rows(list_applications(session=desk.session, clock=desk.context.clock))

    def new_application(self) -> None:
        """登记申请: the dialog files it; the list shows it waiting for its approvers."""
        session, clock = self._desk.session, self._desk.context.clock
        try:
            borrowers = list_borrowers(session=session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return

        def lookup(text: str) -> list[Any]:
            volume_id = volume_id_for_scan(session=session, scan=text, clock=clock)
            if volume_id is not None:
                return [get_volume(session=session, volume_id=volume_id, clock=clock)]
            return find_by_reference(session=session, prefix=text, clock=clock, limit=5)

        def submit(dialog: ApplicationDialog) -> Any:
            return file_application(session=session, draft=dialog.draft(), clock=clock)

        dialog = ApplicationDialog(self, borrowers, lookup, submit, clock.now().astimezone().date())
        if dialog.exec() and dialog.result_value is not None:
            saved = dialog.result_value
            self._desk.issue_message(
                self.tr("已登记申请 {0}，待审批：{1}").format(saved.number, " → ".join(saved.steps))
            )
            self._desk.refresh()

    def approve_at_desk(self) -> None:
        """An approver signs in here, decides their queue, and is signed out again."""
        context = self._desk.context
        ask = ApproverSignInDialog(self, context)
        if ask.exec() != QDialog.DialogCode.Accepted or ask.session is None:
            return
        approver = ask.session
        try:
            ApprovalDialog(self, context, approver).exec()
        finally:
            sign_out(session=approver, clock=context.clock, reason="approval_done")
        self._desk.refresh()

    def my_approvals(self) -> None:
        """The signed-in approver's own queue (at their workstation)."""
        ApprovalDialog(self, self._desk.context, self._desk.session).exec()
        self._desk.refresh()

    def print_application(self) -> None:
        """Preview the selected application's form (print or save from there)."""
        row = self.selected()
        if row is None:
            return
        session, clock, app_id = self._desk.session, self._desk.context.clock, row.id
        self._desk.preview_later(
            "application",
            row.number,
            lambda: loan_print.application_pdf(session=session, application_id=app_id, clock=clock),
        )

    def issue_picked(self) -> None:
        """Issue a volume picked from the selected approved application (no scanner at hand)."""
        row = self.selected()
        if row is None:
            return
        session, clock = self._desk.session, self._desk.context.clock
        try:
            view = get_application(session=session, application_id=row.id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        waiting = [v for v in view.volumes if not v.issued]
        if row.state != "approved" or not waiting:
            self._desk.issue_message(self.tr("所选申请没有等待借出的案卷（须已批准）。"))
            return
        labels = [f"{v.reference_code}　{v.title}" for v in waiting]
        choice, ok = QInputDialog.getItem(
            self, self.tr("选卷借出 — {0}").format(row.number), self.tr("案卷"), labels, 0, False
        )
        if not ok:
            return
        volume = waiting[labels.index(choice)]
        try:
            issued = issue_loan(
                session=session, application_id=row.id, volume_id=volume.volume_id, clock=clock
            )
        except AppError as exc:
            self._desk.issue_message(message_for(exc), error=True)
            return
        self._desk.issued(issued)
