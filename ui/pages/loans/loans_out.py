"""借出中: the entries still out — return one, ask to renew it, reprint its slip."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.errors import AppError
from app.services.loans import get_return_check, list_open_loans, request_renewal
from ui.dialogs.loans import TextDialog
from ui.errors import show_error
from ui.pages.loans.common import Desk, LoanTable


class LoansOutTab(LoanTable):
    """Entries still out, by due date (overdue ones tinted)."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, "open_loan_table", parent)
        tr = self.tr
        self.return_button = self.add_button(
            tr("归还…"), "return_selected", self.return_selected, visible=desk.desk
        )
        self.renew_button = self.add_button(
            tr("续借申请…"), "renew", self.renew_selected, visible=desk.desk
        )
        self.reslip_button = self.add_button(
            tr("补打借条…"), "reprint_slip", self.print_selected_slip, visible=desk.desk
        )
        self.end_bar()

    def load(self) -> None:
        """Reload the entries out (AppError goes to the caller)."""
        desk = self._desk
        self.set_rows(list_open_loans(session=desk.session, clock=desk.context.clock))

    def return_selected(self) -> None:
        """Return the selected loan."""
        row = self.selected()
        if row is None:
            return
        try:
            check = get_return_check(
                session=self._desk.session, loan_id=row.id, clock=self._desk.context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._desk.open_return(check)

    def renew_selected(self) -> None:
        """续借: a new application on the loan's route (it needs approval again)."""
        row = self.selected()
        if row is None:
            return
        session, clock = self._desk.session, self._desk.context.clock
        ask = TextDialog(
            self,
            self.tr("续借申请 — {0}").format(row.number),
            self.tr("续借理由"),
            "reason",
            lambda text: request_renewal(session=session, loan_id=row.id, reason=text, clock=clock),
        )
        if not ask.exec() or ask.result_value is None:
            return
        saved = ask.result_value
        self._desk.issue_message(
            self.tr("已登记续借申请 {0}，待审批：{1}").format(saved.number, " → ".join(saved.steps))
        )
        self._desk.refresh()

    def print_selected_slip(self) -> None:
        """Reprint the slip of the selected loan."""
        row = self.selected()
        if row is not None:
            self._desk.print_slip(row.id, row.number)
