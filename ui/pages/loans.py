"""借阅: the loan desk — applications and approvals, issue and return by scan, overdue, registers.

The page only shows what the services return (titles above the user's clearance come back as
"受限") and runs each use case on the user's action; approvers sign in themselves here (or use
their own workstation, where the page shows their approval queue).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import Role
from app.errors import AppError
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import find_by_reference, get_volume
from app.services.loans import (
    ApplicationRow,
    DamageReportRow,
    LoanIssued,
    LoanRow,
    file_application,
    find_application_for_scan,
    find_open_loan,
    get_application,
    get_return_check,
    issue_loan,
    list_applications,
    list_borrowers,
    list_damage_reports,
    list_open_loans,
    list_overdue,
    request_renewal,
    resolve_damage_report,
    return_loan,
    use_statistics,
    volume_id_for_scan,
)
from app.services.loans import printing as loan_print
from ui.context import AppContext
from ui.dialogs.loans import (
    ApplicationDialog,
    ApprovalDialog,
    ApproverSignInDialog,
    ReturnDialog,
    TextDialog,
)
from ui.dialogs.print_preview import show_print_preview
from ui.errors import message_for, show_error
from ui.models.rows import RowsModel

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
OVERDUE_COLOR = QColor("#fde2e1")


class RowsTableModel(RowsModel):
    """A read-only table over row DTOs: ``columns`` titles, ``cells(row)`` texts."""

    def __init__(self, columns: Sequence[str], cells: Callable[[Any], Sequence[str]]) -> None:
        super().__init__(columns)
        self._cells = cells

    def cells(self, row: Any) -> Sequence[str]:
        """Cell texts of one row."""
        return self._cells(row)

    def background(self, row: Any) -> Any:
        """Overdue rows tinted."""
        return OVERDUE_COLOR if getattr(row, "overdue_days", 0) > 0 else None


def _application_cells(r: ApplicationRow) -> list[str]:
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


def _loan_cells(r: LoanRow) -> list[str]:
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


def _report_cells(r: DamageReportRow) -> list[str]:
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


class LoansPage(QWidget):
    """The loan desk: scan to issue, scan to return; applications, loans out, overdue, reports."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LoansPage")
        self._context = context
        self._session = session
        self.last_issued: LoanIssued | None = None
        self._build_ui()
        self.refresh()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        actor = self._session.actor
        self.desk = actor.has(Role.ARCHIVIST)
        self.approver = actor.has(Role.APPROVER)
        layout = QVBoxLayout(self)
        scans = QHBoxLayout()
        issue_box = QGroupBox(self.tr("借出"))
        issue_layout = QVBoxLayout(issue_box)
        self.issue_scan = QLineEdit(objectName="issue_scan")
        self.issue_scan.setPlaceholderText(self.tr("扫描案卷二维码或输入档号，回车借出"))
        self.issue_scan.returnPressed.connect(self.issue_by_scan)
        issue_layout.addWidget(self.issue_scan)
        row = QHBoxLayout()
        self.issue_status = QLabel(objectName="issue_status")
        self.issue_status.setWordWrap(True)
        row.addWidget(self.issue_status, 1)
        self.slip_button = QPushButton(self.tr("打印借条…"), objectName="print_slip")
        self.slip_button.setEnabled(False)
        self.slip_button.clicked.connect(self.print_last_slip)
        row.addWidget(self.slip_button)
        issue_layout.addLayout(row)
        return_box = QGroupBox(self.tr("归还"))
        return_layout = QVBoxLayout(return_box)
        self.return_scan = QLineEdit(objectName="return_scan")
        self.return_scan.setPlaceholderText(self.tr("扫描借条或案卷二维码，回车归还"))
        self.return_scan.returnPressed.connect(self.return_by_scan)
        return_layout.addWidget(self.return_scan)
        self.return_status = QLabel(objectName="return_status")
        self.return_status.setWordWrap(True)
        return_layout.addWidget(self.return_status)
        scans.addWidget(issue_box, 1)
        scans.addWidget(return_box, 1)
        issue_box.setVisible(self.desk)
        return_box.setVisible(self.desk)
        layout.addLayout(scans)

        self.tabs = QTabWidget(objectName="loan_tabs")
        # applications
        apps = QWidget()
        apps_layout = QVBoxLayout(apps)
        bar = QHBoxLayout()
        self.new_button = QPushButton(self.tr("登记申请…"), objectName="new_application")
        self.new_button.clicked.connect(self.new_application)
        self.new_button.setVisible(self.desk)
        self.approver_button = QPushButton(
            self.tr("审批人登录审批…"), objectName="approver_sign_in"
        )
        self.approver_button.clicked.connect(self.approve_at_desk)
        self.approver_button.setVisible(self.desk)
        self.queue_button = QPushButton(self.tr("我的审批…"), objectName="my_approvals")
        self.queue_button.clicked.connect(self.my_approvals)
        self.queue_button.setVisible(self.approver)
        self.form_button = QPushButton(self.tr("打印申请单…"), objectName="print_application")
        self.form_button.clicked.connect(self.print_application)
        self.pick_button = QPushButton(self.tr("选卷借出…"), objectName="issue_picked")
        self.pick_button.setToolTip(self.tr("没有扫码枪时：从所选的已批准申请中选择案卷借出"))
        self.pick_button.clicked.connect(self.issue_picked)
        self.pick_button.setVisible(self.desk)
        for button in (
            self.new_button,
            self.approver_button,
            self.queue_button,
            self.pick_button,
            self.form_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        apps_layout.addLayout(bar)
        self.applications = RowsTableModel(
            [
                "申请编号",
                "利用方式",
                "利用者",
                "单位/部门",
                "利用目的",
                "案卷",
                "密级",
                "状态",
                "待审批/驳回理由",
            ],
            _application_cells,
        )
        self.application_table = self._table("application_table", self.applications)
        apps_layout.addWidget(self.application_table, 1)
        self.tabs.addTab(apps, self.tr("申请与审批"))
        # loans out
        out = QWidget()
        out_layout = QVBoxLayout(out)
        bar = QHBoxLayout()
        self.return_button = QPushButton(self.tr("归还…"), objectName="return_selected")
        self.return_button.clicked.connect(self.return_selected)
        self.renew_button = QPushButton(self.tr("续借申请…"), objectName="renew")
        self.renew_button.clicked.connect(self.renew_selected)
        self.reslip_button = QPushButton(self.tr("补打借条…"), objectName="reprint_slip")
        self.reslip_button.clicked.connect(self.print_selected_slip)
        for button in (self.return_button, self.renew_button, self.reslip_button):
            button.setVisible(self.desk)
            bar.addWidget(button)
        bar.addStretch(1)
        out_layout.addLayout(bar)
        self.open_loans = RowsTableModel(LOAN_COLUMNS, _loan_cells)
        self.open_table = self._table("open_loan_table", self.open_loans)
        out_layout.addWidget(self.open_table, 1)
        self.tabs.addTab(out, self.tr("借出中"))
        # overdue
        late = QWidget()
        late_layout = QVBoxLayout(late)
        bar = QHBoxLayout()
        self.notice_button = QPushButton(self.tr("打印催还通知…"), objectName="print_notices")
        self.notice_button.clicked.connect(self.print_notices)
        self.notice_button.setVisible(self.desk)
        bar.addWidget(self.notice_button)
        bar.addStretch(1)
        late_layout.addLayout(bar)
        self.overdue = RowsTableModel(LOAN_COLUMNS, _loan_cells)
        self.overdue_table = self._table("overdue_table", self.overdue)
        late_layout.addWidget(self.overdue_table, 1)
        self.tabs.addTab(late, self.tr("逾期"))
        # registers
        registers = QWidget()
        reg_layout = QVBoxLayout(registers)
        bar = QHBoxLayout()
        today = self._context.clock.now().astimezone().date()
        self.date_from = QDateEdit(objectName="register_from")
        self.date_to = QDateEdit(objectName="register_to")
        for edit, day in ((self.date_from, today.replace(day=1)), (self.date_to, today)):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setDate(QDate(day.year, day.month, day.day))
        bar.addWidget(QLabel(self.tr("借出日期从")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("到")))
        bar.addWidget(self.date_to)
        self.register_button = QPushButton(self.tr("借阅登记簿…"), objectName="print_register")
        self.register_button.clicked.connect(lambda: self.print_register(open_only=False))
        self.open_register_button = QPushButton(
            self.tr("当前未还登记簿…"), objectName="print_open_register"
        )
        self.open_register_button.clicked.connect(lambda: self.print_register(open_only=True))
        self.copy_register_button = QPushButton(
            self.tr("复制摘抄登记簿…"), objectName="print_copy_register"
        )
        self.copy_register_button.clicked.connect(self.print_copy_register)
        for button in (self.register_button, self.open_register_button, self.copy_register_button):
            bar.addWidget(button)
        bar.addStretch(1)
        reg_layout.addLayout(bar)
        self.stats_label = QLabel(objectName="use_statistics")
        self.stats_label.setWordWrap(True)
        reg_layout.addWidget(self.stats_label)
        self.date_from.dateChanged.connect(lambda _d: self._show_statistics())
        self.date_to.dateChanged.connect(lambda _d: self._show_statistics())
        reg_layout.addWidget(
            QLabel(self.tr("损坏/遗失报告（归还时短缺或损坏自动生成，处理后关闭）"))
        )
        self.reports = RowsTableModel(
            ["登记号", "档号", "类型", "应有", "清点", "情况说明", "状态", "处理结果"],
            _report_cells,
        )
        self.report_table = self._table("report_table", self.reports)
        reg_layout.addWidget(self.report_table, 1)
        bar = QHBoxLayout()
        self.resolve_button = QPushButton(self.tr("处理报告…"), objectName="resolve_report")
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.resolve_button.setVisible(self.desk)
        bar.addWidget(self.resolve_button)
        bar.addStretch(1)
        reg_layout.addLayout(bar)
        self.tabs.addTab(registers, self.tr("登记簿与报告"))
        layout.addWidget(self.tabs, 1)

    def _table(self, name: str, model: QAbstractTableModel) -> QTableView:
        table = QTableView(objectName=name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload every list from the current state."""
        clock = self._context.clock
        try:
            self.applications.set_rows(list_applications(session=self._session, clock=clock))
            self.open_loans.set_rows(list_open_loans(session=self._session, clock=clock))
            overdue = list_overdue(session=self._session, clock=clock)
            self.overdue.set_rows(overdue)
            self.reports.set_rows(list_damage_reports(session=self._session, clock=clock))
        except AppError as exc:
            show_error(self, exc)
            return
        self.tabs.setTabText(2, self.tr("逾期（{0}）").format(len(overdue)) if overdue else "逾期")
        for table in (self.application_table, self.open_table, self.overdue_table):
            table.resizeColumnsToContents()
        self._show_statistics()

    def _show_statistics(self) -> None:
        """利用统计 of the chosen dates (R40, R50): 人次, 卷次, pages copied, overdue."""
        start, end = self._range()
        try:
            stats = use_statistics(
                session=self._session, clock=self._context.clock, date_from=start, date_to=end
            )
        except AppError as exc:
            self.stats_label.setText(message_for(exc))
            return
        kinds = "、".join(f"{k} {n}" for k, n in stats.by_kind.items()) or "—"
        self.stats_label.setText(
            self.tr(
                "利用统计（{0} 至 {1}）：{2} 人次，{3} 卷次（{4}），复制 {5} 页；"
                "外借 {6} 次，逾期未还 {7}，逾期归还 {8}"
            ).format(
                start.isoformat(),
                end.isoformat(),
                stats.person_times,
                stats.volume_times,
                kinds,
                stats.pages_copied,
                stats.loans,
                stats.overdue_now,
                stats.returned_late,
            )
        )

    @staticmethod
    def _selected(table: QTableView, model: RowsTableModel) -> Any:
        rows = table.selectionModel().selectedRows()
        return model.rows[rows[0].row()] if rows else None

    # -- applications and approvals -----------------------------------------------------
    def new_application(self) -> None:
        """登记申请: the dialog files it; the list shows it waiting for its approvers."""
        clock = self._context.clock
        try:
            borrowers = list_borrowers(session=self._session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return

        def lookup(text: str) -> list[Any]:
            volume_id = volume_id_for_scan(session=self._session, scan=text, clock=clock)
            if volume_id is not None:
                return [get_volume(session=self._session, volume_id=volume_id, clock=clock)]
            return find_by_reference(session=self._session, prefix=text, clock=clock, limit=5)

        def submit(dialog: ApplicationDialog) -> Any:
            return file_application(session=self._session, draft=dialog.draft(), clock=clock)

        dialog = ApplicationDialog(self, borrowers, lookup, submit, clock.now().astimezone().date())
        if dialog.exec() and dialog.result_value is not None:
            saved = dialog.result_value
            self.issue_status.setText(
                self.tr("已登记申请 {0}，待审批：{1}").format(saved.number, " → ".join(saved.steps))
            )
            self.refresh()

    def approve_at_desk(self) -> None:
        """An approver signs in here, decides their queue, and is signed out again."""
        ask = ApproverSignInDialog(self, self._context)
        if ask.exec() != QDialog.DialogCode.Accepted or ask.session is None:
            return
        approver = ask.session
        try:
            ApprovalDialog(self, self._context, approver).exec()
        finally:
            sign_out(session=approver, clock=self._context.clock, reason="approval_done")
        self.refresh()

    def my_approvals(self) -> None:
        """The signed-in approver's own queue (at their workstation)."""
        ApprovalDialog(self, self._context, self._session).exec()
        self.refresh()

    def print_application(self) -> None:
        """Preview the selected application's form (print or save from there)."""
        row = self._selected(self.application_table, self.applications)
        if row is None:
            return
        clock = self._context.clock
        try:
            pdf = loan_print.application_pdf(
                session=self._session, application_id=row.id, clock=clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._preview("application", row.number, pdf)

    # -- lending and returns ------------------------------------------------------------
    def issue_by_scan(self) -> None:
        """Scan a volume: the approved application waiting for it issues it (R32, R34)."""
        text = self.issue_scan.text().strip()
        self.issue_scan.clear()
        if not text:
            return
        clock = self._context.clock
        try:
            app_id = find_application_for_scan(session=self._session, scan=text, clock=clock)
            issued = issue_loan(
                session=self._session, application_id=app_id, scan=text, clock=clock
            )
        except AppError as exc:
            self.issue_status.setText(message_for(exc))
            self.issue_status.setStyleSheet("color: #b00020;")
            return
        self._issued(issued)

    def issue_picked(self) -> None:
        """Issue a volume picked from the selected approved application (no scanner at hand)."""
        row = self._selected(self.application_table, self.applications)
        if row is None:
            return
        clock = self._context.clock
        try:
            view = get_application(session=self._session, application_id=row.id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        waiting = [v for v in view.volumes if not v.issued]
        if row.state != "approved" or not waiting:
            self.issue_status.setText(self.tr("所选申请没有等待借出的案卷（须已批准）。"))
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
                session=self._session,
                application_id=row.id,
                volume_id=volume.volume_id,
                clock=clock,
            )
        except AppError as exc:
            self.issue_status.setText(message_for(exc))
            self.issue_status.setStyleSheet("color: #b00020;")
            return
        self._issued(issued)

    def _issued(self, issued: LoanIssued) -> None:
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
            self._print_slip(self.last_issued.loan_id, self.last_issued.number)

    def print_selected_slip(self) -> None:
        """Reprint the slip of the selected loan."""
        row = self._selected(self.open_table, self.open_loans)
        if row is not None:
            self._print_slip(row.id, row.number)

    def _print_slip(self, loan_id: int, number: str) -> None:
        try:
            pdf = loan_print.slip_pdf(
                session=self._session, loan_id=loan_id, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._preview("slip", number, pdf)

    def return_by_scan(self) -> None:
        """Scan the slip or the volume: the return screen with the expected counts."""
        text = self.return_scan.text().strip()
        self.return_scan.clear()
        if not text:
            return
        try:
            check = find_open_loan(session=self._session, scan=text, clock=self._context.clock)
        except AppError as exc:
            self.return_status.setText(message_for(exc))
            self.return_status.setStyleSheet("color: #b00020;")
            return
        self._return(check)

    def return_selected(self) -> None:
        """Return the loan selected in 借出中."""
        row = self._selected(self.open_table, self.open_loans)
        if row is None:
            return
        try:
            check = get_return_check(
                session=self._session, loan_id=row.id, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._return(check)

    def _return(self, check: Any) -> None:
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
            self.return_status.setStyleSheet("" if done.report_id is None else "color: #b00020;")
            self.return_status.setText(text)
            self.refresh()

    def renew_selected(self) -> None:
        """续借: a new application on the loan's route (it needs approval again)."""
        row = self._selected(self.open_table, self.open_loans)
        if row is None:
            return
        ask = TextDialog(self, self.tr("续借申请 — {0}").format(row.number), self.tr("续借理由"))
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            saved = request_renewal(
                session=self._session,
                loan_id=row.id,
                reason=ask.text.text(),
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.issue_status.setText(
            self.tr("已登记续借申请 {0}，待审批：{1}").format(saved.number, " → ".join(saved.steps))
        )
        self.refresh()

    # -- overdue, registers, reports ----------------------------------------------------
    def print_notices(self) -> None:
        """催还通知 for the selected overdue loan, or for all of them (from the current state)."""
        row = self._selected(self.overdue_table, self.overdue)
        ids = [row.id] if row is not None else None
        try:
            pdf = loan_print.overdue_notices_pdf(
                session=self._session, clock=self._context.clock, loan_ids=ids
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._preview("notice", self._context.clock.now().astimezone().date().isoformat(), pdf)
        self.refresh()

    def _range(self) -> tuple[date, date]:
        a, b = self.date_from.date(), self.date_to.date()
        return date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day())

    def print_register(self, *, open_only: bool) -> None:
        """借阅登记簿 for the chosen dates, or the entries still out."""
        start, end = self._range()
        try:
            pdf = loan_print.register_pdf(
                session=self._session,
                clock=self._context.clock,
                date_from=start,
                date_to=end,
                open_only=open_only,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._preview("register", "open" if open_only else f"{start}_{end}", pdf)

    def print_copy_register(self) -> None:
        """复制摘抄登记簿 for the chosen dates."""
        start, end = self._range()
        try:
            pdf = loan_print.copy_register_pdf(
                session=self._session, clock=self._context.clock, date_from=start, date_to=end
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._preview("copy_register", f"{start}_{end}", pdf)

    def resolve_selected(self) -> None:
        """Close the selected damage/loss report with what was done."""
        row = self._selected(self.report_table, self.reports)
        if row is None:
            return
        ask = TextDialog(
            self, self.tr("处理报告 — {0}").format(row.loan_number), self.tr("处理结果")
        )
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            resolve_damage_report(
                session=self._session,
                report_id=row.id,
                resolution=ask.text.text(),
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.refresh()

    def _preview(self, form: str, key: str, pdf: bytes) -> None:
        clock = self._context.clock
        title = loan_print.OUTPUTS[form]

        def audit(kind: str) -> None:
            loan_print.record_loan_output(
                session=self._session, form=form, kind=kind, object_id=key, clock=clock
            )

        show_print_preview(
            self,
            self.tr("{0} — {1}").format(title, key),
            pdf,
            self._context,
            on_output=audit,
            file_name=f"{title}-{key}.pdf",
        )
