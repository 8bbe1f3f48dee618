"""The customer's 同意 tab (R4, R8): consents and legal bases, withdrawal, requests, report.

Lists the customer's entries with what is in force today; archivists add an entry, record a
withdrawal, file a 删除/匿名化 request or a customer's own request, and anyone who may reveal
prints the customer's report (客户查询).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.domain.roles import Role
from app.errors import AppError
from app.services import privacy
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.privacy import (
    ConsentDialog,
    ErasureRequestDialog,
    SubjectRequestDialog,
    WithdrawDialog,
)
from ui.errors import message_for
from ui.widgets.table_panel import TablePanel


def _purposes(row: privacy.ConsentRow) -> str:
    return "、".join(
        p.purpose + (f"（{p.withdrawn_on} 撤回）" if p.withdrawn_on else "") for p in row.purposes
    )


class ConsentTab(QWidget):
    """The 同意 tab of the customer detail pane."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="consent_tab")
        self._context, self._session = context, session
        self.customer_id: int | None = None
        archivist = session.actor.has(Role.ARCHIVIST)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.panel = TablePanel(
            name="consents",
            columns=["类型", "用途", "日期", "有效期至", "签字同意书", "现行"],
            cells=lambda r: [
                r.label,
                _purposes(r),
                r.given_on.isoformat(),
                r.valid_until.isoformat() if r.valid_until else self.tr("长期"),
                self.tr("已附") if r.has_form else "—",
                self.tr("有效") if r.in_force else self.tr("失效"),
            ],
        )
        self.add_button = self.panel.add_button(
            self.tr("添加…"), "add_consent", self.add, visible=archivist
        )
        self.withdraw_button = self.panel.add_button(
            self.tr("撤回…"), "withdraw_consent", self.withdraw, visible=archivist
        )
        self.erasure_button = self.panel.add_button(
            self.tr("删除/匿名化…"), "customer_erasure", self.request_erasure, visible=archivist
        )
        self.subject_button = self.panel.add_button(
            self.tr("客户请求…"), "customer_subject", self.subject_request, visible=archivist
        )
        self.report_button = self.panel.add_button(
            self.tr("查询答复…"), "customer_report", self.print_report
        )
        layout.addWidget(self.panel, 1)
        self.end_label = QLabel(objectName="storage_end")
        layout.addWidget(self.end_label)

    def show_customer(self, cid: int | None) -> None:
        """List the entries of ``cid`` (None: nothing selected)."""
        self.customer_id = cid
        for b in (
            self.add_button,
            self.withdraw_button,
            self.erasure_button,
            self.subject_button,
            self.report_button,
        ):
            b.setEnabled(cid is not None)
        if cid is None:
            self.panel.set_rows([])
            self.end_label.clear()
            return
        clock = self._context.clock
        try:
            self.panel.set_rows(
                privacy.list_consents(session=self._session, customer_id=cid, clock=clock)
            )
            end = privacy.get_storage_end(session=self._session, customer_id=cid, clock=clock)
        except AppError as exc:
            self.panel.set_rows([])
            self.end_label.setText(message_for(exc))
            return
        self.end_label.setText(
            self.tr("存储期限至：{0}").format(end.ends.isoformat())
            if end.ends
            else self.tr("存储期限：未届满（无确定期限）")
        )

    def _run(self, dialog: QDialog) -> object:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.show_customer(self.customer_id)
            return getattr(dialog, "result_value", None)
        return None

    def add(self) -> None:
        """Add a consent or legal basis."""
        if self.customer_id is not None:
            self._run(ConsentDialog(self, self._context, self._session, self.customer_id))

    def withdraw(self) -> None:
        """Withdraw purposes of the selected consent."""
        row = self.panel.selected()
        if row is None or row.kind != "consent":
            QMessageBox.information(self, self.tr("撤回同意"), self.tr("请先选中一条客户同意。"))
            return
        self._run(WithdrawDialog(self, self._context, self._session, row))

    def request_erasure(self) -> None:
        """File a 删除/匿名化 request for this customer."""
        if self.customer_id is None:
            return
        number = self._run(
            ErasureRequestDialog(self, self._context, self._session, self.customer_id)
        )
        if number:
            QMessageBox.information(
                self,
                self.tr("已提交申请"),
                self.tr("申请 {0} 已提交，待审批人（非申请人）批准后在“个人信息”中执行。").format(
                    number
                ),
            )

    def subject_request(self) -> None:
        """Register a customer's own request."""
        if self.customer_id is not None:
            self._run(SubjectRequestDialog(self, self._context, self._session, self.customer_id))

    def print_report(self) -> None:
        """The customer's own report in the print preview."""
        from ui.pages.privacy import show_customer_report

        if self.customer_id is not None:
            show_customer_report(self, self._context, self._session, self.customer_id)
