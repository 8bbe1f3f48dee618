"""The customer detail pane: masked details, history, incident note and the action buttons."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock, format_local
from app.domain.customers import Category, Importance, Kind, Party, Status
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.customers import CustomerDetail, customer_history, get_customer
from ui.context import AppContext
from ui.errors import message_for
from ui.models.customers import label
from ui.pages.customers.consents import ConsentTab


class CustomerDetailPane(QWidget):
    """详情 and 历史 tabs over the 修改 / 变更状态 / 显示完整信息 buttons."""

    def __init__(self, session: SignedIn, clock: Clock, context: AppContext | None = None) -> None:
        super().__init__()
        self._session = session
        self._clock = clock
        self.detail: CustomerDetail | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(objectName="customer_tabs")
        self.detail_label = QLabel(objectName="customer_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.history = QListWidget(objectName="customer_history")
        self.tabs.addTab(self.detail_label, self.tr("详情"))
        self.tabs.addTab(self.history, self.tr("历史"))
        # 同意 (issue 18): consents, withdrawal, erasure and customers' requests, the report
        self.consents = ConsentTab(context, session) if context is not None else None
        if self.consents is not None:
            self.tabs.addTab(self.consents, self.tr("同意"))
        layout.addWidget(self.tabs, 1)
        actions = QHBoxLayout()
        self.edit_button = QPushButton(self.tr("修改…"), objectName="edit_customer")
        self.status_button = QPushButton(self.tr("变更状态…"), objectName="change_status")
        self.reveal_button = QPushButton(self.tr("显示完整信息…"), objectName="reveal")
        for b in self._buttons():
            b.setEnabled(False)
            actions.addWidget(b)
        layout.addLayout(actions)

    def _buttons(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.edit_button, self.status_button, self.reveal_button

    def show_customer(self, cid: int | None) -> None:
        """Show customer ``cid`` (None: nothing selected)."""
        self.detail = None
        self.history.clear()
        if self.consents is not None:
            self.consents.show_customer(cid)
        for b in self._buttons():
            b.setEnabled(cid is not None)
        if cid is None:
            self.detail_label.clear()
            return
        try:
            detail = get_customer(session=self._session, customer_id=cid, clock=self._clock)
            history = customer_history(session=self._session, customer_id=cid, clock=self._clock)
        except AppError as exc:
            self.detail_label.setText(html.escape(message_for(exc)))
            for b in self._buttons():
                b.setEnabled(False)
            return
        self.detail = detail
        self.detail_label.setText(self._detail_html(detail) + self._incidents_html(cid))
        for h in history:
            self.history.addItem(f"{format_local(h.at)}  {h.who}  {h.action}  {h.summary}")

    def _incidents_html(self, cid: int) -> str:
        """A red line naming the incidents that affect this customer (R45)."""
        from app.services.incidents import list_incidents_for

        try:
            found = list_incidents_for(
                session=self._session, object_type="customer", object_id=cid, clock=self._clock
            )
        except AppError:
            return ""
        if not found:
            return ""
        text = self.tr("涉及事件：{0}（文件 → 泄密/丢失事件登记簿）").format(
            "、".join(f"{i.number} {i.title}（{i.status}）" for i in found)
        )
        return f"<p style='color:#b00020'>{html.escape(text)}</p>"

    def _detail_html(self, d: CustomerDetail) -> str:
        def row(name: str, value: str) -> str:
            cells = f"<td style='color:#555'>{html.escape(name)}</td><td>{html.escape(value)}</td>"
            return f"<tr>{cells}</tr>"

        parts = [
            f"<h3>{html.escape(d.name)}　<small>{html.escape(d.number)}</small></h3>",
            "<table cellspacing='4'>",
            row(self.tr("性质"), label(Party, d.party)),
            row(self.tr("类别"), label(Kind, d.kind) + "·" + label(Category, d.category)),
            row(self.tr("状态"), label(Status, d.status)),
            row(self.tr("重要程度"), label(Importance, d.importance)),
            row(self.tr("负责人员"), d.responsible_name or self.tr("（未指定）")),
            row(self.tr("证件号码"), d.id_number or "—"),
            row(self.tr("电话"), "；".join(d.phones) or "—"),
            row(self.tr("银行账号"), "；".join(d.bank_accounts) or "—"),
            row(self.tr("地址"), "；".join(d.addresses) or "—"),
            row(self.tr("备注"), d.remarks or "—"),
            "</table>",
        ]
        if d.suspected_duplicate:
            parts.append(
                f"<p style='color:#8a5a00'>⚠ {html.escape(self.tr('疑似重复，待审批人复核'))}</p>"
            )
        parts.append(f"<p style='color:#777'>{html.escape(self.tr('敏感信息已脱敏显示。'))}</p>")
        return "".join(parts)
