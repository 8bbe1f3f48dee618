"""逾期: entries out past their due date (with the department head told), and 催还通知."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.loans import LoanRow, list_overdue
from app.services.loans import printing as loan_print
from ui.pages.loans.common import Desk, LoanTable


class OverdueTab(LoanTable):
    """Overdue entries, most overdue first, tinted."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, "overdue_table", parent)
        self.notice_button = self.add_button(
            self.tr("打印催还通知…"), "print_notices", self.print_notices, visible=desk.desk
        )
        self.end_bar()

    def load(self) -> list[LoanRow]:
        """Reload the overdue entries and return them (AppError goes to the caller)."""
        rows = list_overdue(session=self._desk.session, clock=self._desk.context.clock)
        self.set_rows(rows)
        return rows

    def print_notices(self) -> None:
        """催还通知 for the selected overdue loan, or for all of them (from the current state)."""
        row = self.selected()
        ids = [row.id] if row is not None else None
        session, clock = self._desk.session, self._desk.context.clock
        self._desk.preview_later(
            "notice",
            clock.now().astimezone().date().isoformat(),
            lambda: loan_print.overdue_notices_pdf(session=session, clock=clock, loan_ids=ids),
            on_shown=self._desk.refresh,
        )
