"""借阅: the loan desk — applications and approvals, issue and return by scan, overdue, registers.

The page only shows what the services return (titles above the user's clearance come back as
"受限") and runs each use case on the user's action; approvers sign in themselves here (or use
their own workstation, where the page shows their approval queue). Each tab is its own panel
(``applications``, ``loans_out``, ``overdue``, ``registers``); the page holds the two scanners
and, under the 借出 scanner, the 快速借出 form (:mod:`.quick`). Both scanners read codes by the
one input rule: a label or slip scanned, or a 档号 or 登记号 typed, with or without its check
character (issue 21).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.roles import Role
from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn
from app.services.loans import (
    ApplicationDraft,
    LoanIssued,
    RequestedVolume,
    ReturnCheck,
    find_application_for_scan,
    find_open_loan,
    issue_loan,
    plan_quick_loan,
    return_loan,
    volume_id_for_scan,
)
from app.services.loans import printing as loan_print
from ui.context import AppContext
from ui.dialogs.loans import ReturnDialog
from ui.dialogs.print_preview import preview_in_background, show_print_preview
from ui.errors import message_for, show_error
from ui.pages.loans.applications import ApplicationsTab
from ui.pages.loans.common import ERROR_STYLE
from ui.pages.loans.loans_out import LoansOutTab
from ui.pages.loans.overdue import OverdueTab
from ui.pages.loans.quick import QuickLoanPanel
from ui.pages.loans.registers import RegistersTab

log = logging.getLogger(__name__)


class LoansPage(QWidget):
    """The loan desk: scan to issue, scan to return; applications, loans out, overdue, reports."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LoansPage")
        self._context = context
        self._session = session
        self.last_issued: LoanIssued | None = None
        self._build_ui()
        self.refresh()

    @property
    def session(self) -> SignedIn:
        """Who works at the desk."""
        return self._session

    @property
    def context(self) -> AppContext:
        """The database and clock."""
        return self._context

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        actor = self._session.actor
        self.desk = actor.has(Role.ARCHIVIST)
        self.approver = actor.has(Role.APPROVER)
        layout = QVBoxLayout(self)
        scans = QHBoxLayout()
        scans.addWidget(self._issue_box(), 1)
        scans.addWidget(self._return_box(), 1)
        layout.addLayout(scans)
        self.tabs = QTabWidget(objectName="loan_tabs")
        self.applications_tab = ApplicationsTab(self, approver=self.approver)
        self.loans_out_tab = LoansOutTab(self)
        self.overdue_tab = OverdueTab(self)
        self.registers_tab = RegistersTab(self)
        self.tabs.addTab(self.applications_tab, self.tr("申请与审批"))
        self.tabs.addTab(self.loans_out_tab, self.tr("借出中"))
        self.tabs.addTab(self.overdue_tab, self.tr("逾期"))
        self.tabs.addTab(self.registers_tab, self.tr("登记簿与报告"))
        layout.addWidget(self.tabs, 1)
        # the tabs' lists and buttons, as the page has always named them
        apps = self.applications_tab
        self.applications, self.application_table = apps.model, apps.table
        self.new_button, self.approver_button = apps.new_button, apps.approver_button
        self.queue_button, self.pick_button = apps.queue_button, apps.pick_button
        self.form_button = apps.form_button
        self.open_loans, self.open_table = self.loans_out_tab.model, self.loans_out_tab.table
        self.overdue, self.overdue_table = self.overdue_tab.model, self.overdue_tab.table
        reports = self.registers_tab.reports
        self.reports, self.report_table = reports.model, reports.table
        self.stats_label = self.registers_tab.stats_label

    def _issue_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("借出"))
        layout = QVBoxLayout(box)
        self.issue_scan = QLineEdit(objectName="issue_scan")
        self.issue_scan.setPlaceholderText(
            self.tr("扫描案卷二维码或输入档号，回车借出（没有已批准的申请时：快速借出）")
        )
        self.issue_scan.returnPressed.connect(self.issue_by_scan)
        layout.addWidget(self.issue_scan)
        row = QHBoxLayout()
        self.issue_status = QLabel(objectName="issue_status")
        self.issue_status.setWordWrap(True)
        row.addWidget(self.issue_status, 1)
        self.slip_button = QPushButton(self.tr("打印借条…"), objectName="print_slip")
        self.slip_button.setEnabled(False)
        self.slip_button.clicked.connect(self.print_last_slip)
        row.addWidget(self.slip_button)
        layout.addLayout(row)
        self.quick = QuickLoanPanel(self)
        layout.addWidget(self.quick)
        box.setVisible(self.desk)
        return box

    def _return_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("归还"))
        layout = QVBoxLayout(box)
        self.return_scan = QLineEdit(objectName="return_scan")
        self.return_scan.setPlaceholderText(self.tr("扫描借条或案卷二维码，回车归还"))
        self.return_scan.returnPressed.connect(self.return_by_scan)
        layout.addWidget(self.return_scan)
        self.return_status = QLabel(objectName="return_status")
        self.return_status.setWordWrap(True)
        layout.addWidget(self.return_status)
        box.setVisible(self.desk)
        return box

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload every list from the current state."""
        try:
            self.applications_tab.load()
            self.loans_out_tab.load()
            overdue = self.overdue_tab.load()
            self.registers_tab.load()
        except AppError as exc:
            show_error(self, exc)
            return
        self.tabs.setTabText(2, self.tr("逾期（{0}）").format(len(overdue)) if overdue else "逾期")

    def refresh_after_change(self, _changes: Changes) -> None:
        """A write changed loans, volumes or people: reload every list."""
        self.refresh()

    # -- lending ------------------------------------------------------------------------
    def issue_message(self, text: str, *, error: bool = False) -> None:
        """Show a line under the issue scanner (red for a refusal)."""
        self.issue_status.setText(text)
        self.issue_status.setStyleSheet(ERROR_STYLE if error else "")

    def showEvent(self, event: Any) -> None:
        """The desk's scanner has the focus when the page is shown: scan at once."""
        super().showEvent(event)
        if self.desk:
            self.issue_scan.setFocus()

    def issue_by_scan(self) -> None:
        """Scan at the desk: what is out comes back, what is approved goes out.

        A slip or a volume that is out opens its return count; a volume an approved
        application waits for is issued (R32, R34); any other volume starts a 快速借出.
        """
        text = self.issue_scan.text().strip()
        self.issue_scan.clear()
        if not text:
            return
        clock = self._context.clock
        if not self.quick.is_open:
            try:
                check = find_open_loan(session=self._session, scan=text, clock=clock)
            except AppError:
                check = None  # not out: lend it (a wrong check character is refused below)
            if check is not None:
                self.issue_message(self.tr("{0} 借出中：归还清点。").format(check.number))
                self.open_return(check)
                self.issue_scan.setFocus()
                return
        try:
            if self.quick.is_open:  # another volume for the quick loan being made
                self._quick_add(text)
                return
            app_id = find_application_for_scan(session=self._session, scan=text, clock=clock)
            issued = issue_loan(
                session=self._session, application_id=app_id, scan=text, clock=clock
            )
        except ValidationFailed as exc:
            if any(e.reason == "no_approved_application" for e in exc.errors):
                try:
                    self._quick_add(text)
                except AppError as again:
                    self.issue_message(message_for(again), error=True)
                return
            self.issue_message(message_for(exc), error=True)
            return
        except AppError as exc:
            self.issue_message(message_for(exc), error=True)
            return
        self.issued(issued)

    def _quick_add(self, text: str) -> None:
        """A volume no approved application waits for: the 快速借出 form takes it."""
        volume_id = volume_id_for_scan(session=self._session, scan=text, clock=self._context.clock)
        if volume_id is None:
            self.issue_message(self.tr("没有找到该档号的案卷：“{0}”").format(text), error=True)
            return
        # a volume out or in repair is refused here, before any form (R34)
        plan_quick_loan(
            session=self._session,
            draft=ApplicationDraft(kind="loan", purpose="", volumes=(RequestedVolume(volume_id),)),
            clock=self._context.clock,
        )
        self.issue_message(
            self.tr("没有等待该案卷的已批准申请：可在下方快速借出（Ctrl+Enter），或 Esc 取消。")
        )
        self.quick.add_volume(volume_id)

    def issued(self, issued: LoanIssued) -> None:
        """Say the volume went out and offer its slip."""
        self.last_issued = issued
        self.issue_status.setStyleSheet("")
        self.issue_status.setText(
            self.tr("已借出 {0}（登记号 {1}），应还日期 {2}。请打印借条由借阅人签字。").format(
                issued.reference_code, issued.number, issued.due_on.isoformat()
            )
        )
        self.slip_button.setEnabled(True)
        self.refresh()

    def print_last_slip(self) -> None:
        """Preview the slip of the loan just issued."""
        if self.last_issued is not None:
            self.print_slip(self.last_issued.loan_id, self.last_issued.number)

    def print_slip(self, loan_id: int, number: str) -> None:
        """Preview a loan's slip (借条), rendered off the GUI thread."""
        session, clock = self._session, self._context.clock
        self.preview_later(
            "slip",
            number,
            lambda: loan_print.slip_pdf(session=session, loan_id=loan_id, clock=clock),
        )

    # -- returns ------------------------------------------------------------------------
    def return_by_scan(self) -> None:
        """Scan the slip or the volume: the return screen with the expected counts."""
        text = self.return_scan.text().strip()
        self.return_scan.clear()
        self.return_status.clear()
        self.return_status.setStyleSheet("")  # an earlier refusal never outlives a new scan
        if not text:
            return
        try:
            check = find_open_loan(session=self._session, scan=text, clock=self._context.clock)
        except AppError as exc:
            self.return_status.setText(message_for(exc))
            self.return_status.setStyleSheet(ERROR_STYLE)
            return
        self.open_return(check)

    def open_return(self, check: ReturnCheck) -> None:
        """Count the loan back in face to face; say where the volume went."""
        clock = self._context.clock

        def submit(dialog: ReturnDialog) -> Any:
            return return_loan(
                session=self._session, loan_id=check.loan_id, count=dialog.count(), clock=clock
            )

        dialog = ReturnDialog(self, check, submit)
        if dialog.exec() and dialog.result_value is not None:
            done = dialog.result_value
            where = self.tr("送修") if done.volume_state == "in_repair" else self.tr("回原位")
            text = self.tr("{0} 已归还注销，案卷{1}。").format(done.number, where)
            if done.report_id is not None:
                text += self.tr("清点有短缺或损坏：已生成损坏/遗失报告，待处理。")
            self.return_status.setStyleSheet("" if done.report_id is None else ERROR_STYLE)
            self.return_status.setText(text)
            self.issue_message(text, error=done.report_id is not None)
            self.refresh()

    # -- printouts ----------------------------------------------------------------------
    def _output_audit(self, form: str, key: str) -> Callable[[str], None]:
        clock = self._context.clock

        def audit(kind: str) -> None:
            loan_print.record_loan_output(
                session=self._session, form=form, kind=kind, object_id=key, clock=clock
            )

        return audit

    def _printout(self, form: str, key: str) -> tuple[str, Callable[[str], None], str]:
        """A desk printout's preview caption, its audit of printing or saving, its file name."""
        title = loan_print.OUTPUTS[form]
        caption = self.tr("{0} — {1}").format(title, key)
        return caption, self._output_audit(form, key), f"{title}-{key}.pdf"

    def preview(self, form: str, key: str, pdf: bytes) -> None:
        """Preview a desk printout; printing or saving it is audited first."""
        caption, audit, name = self._printout(form, key)
        show_print_preview(self, caption, pdf, self._context, on_output=audit, file_name=name)

    def preview_later(
        self,
        form: str,
        key: str,
        render: Callable[[], bytes],
        on_shown: Callable[[], None] | None = None,
    ) -> None:
        """Render a desk printout off the GUI thread, then preview it (issue 21, point 8)."""
        caption, audit, name = self._printout(form, key)
        preview_in_background(
            self, caption, render, self._context, on_output=audit, file_name=name, on_shown=on_shown
        )
