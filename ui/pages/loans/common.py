"""What the loan desk's tabs share: list columns and cells, the overdue tint, the desk itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.services.auth import SignedIn
from app.services.loans import ApplicationRow, DamageReportRow, LoanIssued, LoanRow, ReturnCheck
from ui.context import AppContext
from ui.widgets.table_panel import TablePanel

OVERDUE_COLOR = QColor("#fde2e1")
ERROR_STYLE = "color: #b00020;"

APPLICATION_COLUMNS = [
    "申请编号",
    "利用方式",
    "利用者",
    "单位/部门",
    "利用目的",
    "案卷",
    "密级",
    "状态",
    "待审批/驳回理由",
]
LOAN_COLUMNS = [
    "登记号",
    "利用方式",
    "档号",
    "题名",
    "利用者",
    "单位/部门",
    "借出日期",
    "应还日期",
    "逾期天数",
    "续借",
    "已催还",
    "告知部门负责人",
]
REPORT_COLUMNS = ["登记号", "档号", "类型", "应有", "清点", "情况说明", "状态", "处理结果"]


def overdue_tint(row: Any) -> Any:
    """Overdue rows tinted."""
    return OVERDUE_COLOR if getattr(row, "overdue_days", 0) > 0 else None


def application_cells(r: ApplicationRow) -> list[str]:
    """An application's cells."""
    return [
        r.number,
        r.kind_label + ("（续借）" if r.renewal else ""),
        r.applicant,
        r.unit or r.department,
        r.purpose,
        r.volumes,
        r.secrecy,
        r.state_label,
        r.waiting_for or r.rejection_reason,
    ]


def loan_cells(r: LoanRow) -> list[str]:
    """A register entry's cells."""
    return [
        r.number,
        r.kind_label,
        r.reference_code,
        r.title,
        r.borrower,
        r.department,
        r.issued_on.isoformat(),
        r.due_on.isoformat(),
        str(r.overdue_days) if r.overdue_days else "",
        str(r.renewals) if r.renewals else "",
        str(r.reminders) if r.reminders else "",
        r.escalate_to,
    ]


def report_cells(r: DamageReportRow) -> list[str]:
    """A damage/loss report's cells."""
    return [
        r.loan_number,
        r.reference_code,
        r.kind_label,
        r.expected,
        r.counted,
        r.description,
        "未处理" if r.state == "open" else "已处理",
        r.resolution,
    ]


class Desk(Protocol):
    """The loan page as its tabs see it: who works, what to refresh, where to report."""

    desk: bool  # an archivist: the desk's buttons show

    @property
    def session(self) -> SignedIn:
        """Who works at the desk."""

    @property
    def context(self) -> AppContext:
        """The database and clock."""

    def refresh(self) -> None:
        """Reload every list."""

    def preview(self, form: str, key: str, pdf: bytes) -> None:
        """Preview a printout (printing or saving it is audited)."""

    def preview_later(
        self,
        form: str,
        key: str,
        render: Callable[[], bytes],
        on_shown: Callable[[], None] | None = None,
    ) -> None:
        """Render a printout off the GUI thread, then preview it."""

    def issued(self, issued: LoanIssued) -> None:
        """Say a volume went out; offer its slip."""

    def issue_message(self, text: str, *, error: bool = False) -> None:
        """Show a line under the issue scanner."""

    def open_return(self, check: ReturnCheck) -> None:
        """Count a loan back in (the return dialog)."""

    def print_slip(self, loan_id: int, number: str) -> None:
        """Preview a loan's slip."""


class LoanTable(TablePanel):
    """A table of loan entries (:data:`LOAN_COLUMNS`), overdue ones tinted, for ``desk``."""

    def __init__(self, desk: Desk, name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            name=name,
            columns=LOAN_COLUMNS,
            cells=loan_cells,
            background=overdue_tint,
            parent=parent,
        )
        self._desk = desk
