"""个人信息: the 到期处理 queue, erasure requests, customers' requests, recipients (issue 18).

Four tabs over the privacy services; each list is read when the page is first shown and again
after a write that changed customers or privacy records. Archivists file and carry out,
approvers approve; buttons a role cannot use are hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app.domain import privacy as rules
from app.domain.customers import LABELS, Status
from app.domain.roles import Role
from app.errors import AppError
from app.services import privacy
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.privacy import (
    AnswerDialog,
    DecisionDialog,
    ErasureRequestDialog,
    ProvisionDialog,
    RecipientDialog,
)
from ui.errors import REFUSED, UseCases, show_error
from ui.widgets.table_panel import TablePanel

RULE_LABELS = {"consent": "同意到期", "lost": "流失后保存期满", "volumes": "案卷保管期满"}


def _status(value: str) -> str:
    try:
        return LABELS[Status(value)]
    except ValueError:
        return value


class PrivacyPage(UseCases, QWidget):
    """到期处理 / 删除与匿名化 / 客户请求 / 接收方与对外提供."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_privacy")
        self._context, self._session = context, session
        self._loaded = False
        archivist = session.actor.has(Role.ARCHIVIST)
        approver = session.actor.has(Role.APPROVER)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(objectName="privacy_tabs")
        layout.addWidget(self.tabs)

        self.due = TablePanel(
            name="storage_due",
            columns=["客户编号", "名称", "状态", "存储期限至", "依据", "案卷", "删除/匿名化申请"],
            cells=lambda r: [
                r.number,
                r.name,
                _status(r.status),
                r.ends.isoformat(),
                RULE_LABELS.get(r.rule, r.rule),
                str(r.volumes),
                f"{r.request_number}（{rules.STATE_LABELS[rules.RequestState(r.request_state)]}）"
                if r.request_number
                else "—",
            ],
        )
        self.request_button = self.due.add_button(
            self.tr("申请删除/匿名化…"), "request_erasure", self.request_for_due, visible=archivist
        )
        self.tabs.addTab(self.due, self.tr("到期处理"))

        self.requests = TablePanel(
            name="erasure_requests",
            columns=["编号", "客户编号", "名称", "原因", "处理方式", "状态", "申请人", "审批人"],
            cells=lambda r: [
                r.number,
                r.customer_number,
                r.customer_name or "（已删除）",
                rules.REASON_LABELS[rules.RequestReason(r.reason)],
                rules.OUTCOME_LABELS[rules.Outcome(r.outcome)],
                rules.STATE_LABELS[rules.RequestState(r.state)],
                r.requested_by,
                r.decided_by or "—",
            ],
        )
        self.approve_button = self.requests.add_button(
            self.tr("批准…"), "approve_erasure", lambda: self.decide(True), visible=approver
        )
        self.refuse_button = self.requests.add_button(
            self.tr("驳回…"), "refuse_erasure", lambda: self.decide(False), visible=approver
        )
        self.execute_button = self.requests.add_button(
            self.tr("执行删除/匿名化"), "execute_erasure", self.carry_out, visible=archivist
        )
        self.tabs.addTab(self.requests, self.tr("删除与匿名化"))

        self.subjects = TablePanel(
            name="subject_requests",
            columns=["编号", "客户编号", "类型", "收到日期", "答复期限", "答复日期", "逾期"],
            cells=lambda r: [
                r.number,
                r.customer_number,
                rules.SUBJECT_LABELS[rules.SubjectKind(r.kind)],
                r.received_on.isoformat(),
                r.due_on.isoformat(),
                r.answered_on.isoformat() if r.answered_on else "—",
                self.tr("逾期") if r.overdue else "",
            ],
        )
        self.answer_button = self.subjects.add_button(
            self.tr("答复…"), "answer_subject", self.answer, visible=archivist
        )
        self.report_button = self.subjects.add_button(
            self.tr("打印查询答复…"), "print_report", self.print_report
        )
        self.tabs.addTab(self.subjects, self.tr("客户请求"))

        self.recipients = TablePanel(
            name="recipients",
            columns=["单位名称", "统一社会信用代码", "联系人", "电话", "保密协议", "有效期至"],
            cells=lambda r: [
                r.name,
                r.uscc,
                r.contact,
                r.contact_phone,
                (r.agreement_signed_on.isoformat() if r.agreement_signed_on else "—")
                + ("" if r.agreement_valid else self.tr("（无效）")),
                r.agreement_until.isoformat() if r.agreement_until else self.tr("长期"),
            ],
        )
        self.recipients.add_button(
            self.tr("新增接收方…"), "add_recipient", self.add_recipient, visible=archivist
        )
        self.recipients.add_button(
            self.tr("登记对外提供…"), "provide", self.provide, visible=archivist
        )
        self.recipients.add_button(
            self.tr("打印对外提供登记簿"), "print_provisions", self.print_register
        )
        self.tabs.addTab(self.recipients, self.tr("接收方与对外提供"))

    # -- reading ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        """Read the lists the first time the area is shown."""
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        """Read every list again."""
        self._loaded = True
        clock = self._context.clock
        try:
            self.due.set_rows(privacy.list_storage_due(session=self._session, clock=clock))
            self.requests.set_rows(
                privacy.list_erasure_requests(session=self._session, clock=clock)
            )
            self.subjects.set_rows(
                privacy.list_subject_requests(session=self._session, clock=clock)
            )
            self.recipients.set_rows(privacy.list_recipients(session=self._session, clock=clock))
        except AppError as exc:
            show_error(self, exc)

    def refresh_after_change(self, _changes: Any) -> None:
        """A write changed customers or privacy records."""
        if self._loaded:
            self.refresh()

    # -- actions ------------------------------------------------------------------------
    def _run(self, dialog: QDialog) -> bool:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            return True
        return False

    def request_for_due(self) -> None:
        """File a request (存储期限届满) for the selected customer of the queue."""
        row = self.due.selected()
        if row is None:
            return
        self._run(
            ErasureRequestDialog(
                self,
                self._context,
                self._session,
                row.customer_id,
                reason=rules.RequestReason.PERIOD_ENDED.value,
            )
        )

    def decide(self, approve: bool) -> None:
        """Approve or refuse the selected request."""
        row = self.requests.selected()
        if row is None:
            return
        self._run(DecisionDialog(self, self._context, self._session, row, approve=approve))

    def carry_out(self) -> None:
        """Carry out the selected approved request after a confirmation."""
        row = self.requests.selected()
        if row is None:
            return
        outcome = rules.OUTCOME_LABELS[rules.Outcome(row.outcome)]
        answer = QMessageBox.question(
            self,
            self.tr("执行{0}").format(outcome),
            self.tr("将对客户 {0} 执行{1}，密钥销毁后无法恢复（备份中亦无法读取）。继续？").format(
                row.customer_number, outcome
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self.attempt(privacy.carry_out_erasure, request_id=row.id) is not REFUSED:
            self.refresh()

    def answer(self) -> None:
        """Answer the selected customer request."""
        row = self.subjects.selected()
        if row is not None:
            self._run(AnswerDialog(self, self._context, self._session, row.id))

    def print_report(self) -> None:
        """The selected request's customer report in the print preview."""
        row = self.subjects.selected()
        if row is None or row.customer_id is None:
            return
        show_customer_report(self, self._context, self._session, row.customer_id, row.number)

    def add_recipient(self) -> None:
        """Register a recipient."""
        self._run(RecipientDialog(self, self._context, self._session))

    def provide(self) -> None:
        """Record an 对外提供."""
        self._run(ProvisionDialog(self, self._context, self._session, self.recipients.rows))

    def print_register(self) -> None:
        """The 对外提供登记簿 in the print preview."""
        from app.services.privacy import printing
        from ui.dialogs.print_preview import preview_rendered

        preview_rendered(
            self,
            self.tr("客户信息对外提供登记簿"),
            lambda: printing.print_provision_register(
                session=self._session, clock=self._context.clock
            ),
            self._context,
        )


def show_customer_report(
    parent: QWidget, context: AppContext, session: SignedIn, customer_id: int, request: str = ""
) -> None:
    """Print a customer's own report (purpose 客户查询, audited) into the print preview."""
    from app.services.privacy import printing
    from ui.dialogs.print_preview import preview_rendered

    preview_rendered(
        parent,
        parent.tr("客户个人信息查询答复"),
        lambda: printing.print_customer_report(
            session=session, customer_id=customer_id, clock=context.clock, request_number=request
        ),
        context,
        file_name="个人信息查询答复.pdf",
    )
