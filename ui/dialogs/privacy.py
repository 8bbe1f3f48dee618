"""Dialogs of the personal data lifecycle (issue 18): consents, requests, recipients, 对外提供.

Each is a :class:`FormDialog` calling one service in ``submit``; field errors land next to the
fields, other refusals (no consent, a hold, self-approval) in a message box naming the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.domain import privacy as rules
from app.errors import FieldError, ValidationFailed
from app.services import privacy
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.files import open_file_name
from ui.geometry import fit_to_screen
from ui.widgets.consent_editor import ConsentEditor, parse_date

PROVIDED_FIELDS = ("姓名/名称", "联系电话", "地址", "证件号码", "合同资料")


class ConsentDialog(FormDialog):
    """添加同意: a new consent or legal basis for a customer."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, customer_id: int
    ) -> None:
        super().__init__(parent, title=self.tr("添加同意或处理依据"), object_name="ConsentDialog")
        self._context, self._session, self._customer_id = context, session, customer_id
        lists = privacy.get_privacy_settings(session=session, clock=context.clock)
        self.editor = ConsentEditor(self, lists.purposes, tuple(lists.legal_bases()))
        for label, widget, field in self.editor.rows():
            self.add_field(label, widget, field)
        self.finish()
        fit_to_screen(self, 640, 420)

    def submit(self) -> Any:
        """Record the entry (R4)."""
        problems: list[FieldError] = []
        entry, basis = self.editor.read(problems)
        if problems:
            raise ValidationFailed(problems)
        if entry is None and basis:
            entry = privacy.ConsentInput(kind="basis", basis=basis)
        if entry is None:
            raise ValidationFailed([FieldError("consent", "consent_or_basis")])
        return privacy.add_consent(
            session=self._session,
            customer_id=self._customer_id,
            entry=entry,
            clock=self._context.clock,
        )


class WithdrawDialog(FormDialog):
    """撤回同意: tick the purposes the customer withdraws; effective at once."""

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        session: SignedIn,
        row: privacy.ConsentRow,
    ) -> None:
        super().__init__(parent, title=self.tr("撤回同意"), object_name="WithdrawDialog")
        self._context, self._session, self._row = context, session, row
        box = QWidget(objectName="withdraw_purposes")
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        self.checks: dict[str, QCheckBox] = {}
        for p in row.purposes:
            if p.withdrawn_on is None:
                check = QCheckBox(p.purpose, objectName=f"withdraw_{p.purpose}")
                self.checks[p.purpose] = check
                line.addWidget(check)
        line.addStretch(1)
        self.add_field(self.tr("撤回用途："), box, "consent.purposes")
        self.note = self.add_field(self.tr("说明："), QLineEdit(objectName="note"), "note")
        self.finish()
        fit_to_screen(self, 560, 220)

    def submit(self) -> Any:
        """Withdraw the ticked purposes."""
        chosen = tuple(n for n, c in self.checks.items() if c.isChecked())
        note = self.note.text() if isinstance(self.note, QLineEdit) else ""
        return privacy.withdraw_consent(
            session=self._session,
            consent_id=self._row.id,
            purposes=chosen,
            note=note,
            clock=self._context.clock,
        )


class ErasureRequestDialog(FormDialog):
    """申请删除/匿名化: the reason and a note; the outcome follows the customer's volumes."""

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        session: SignedIn,
        customer_id: int,
        reason: str = rules.RequestReason.CUSTOMER.value,
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("申请删除或匿名化客户信息"),
            object_name="ErasureRequestDialog",
            ok_text=self.tr("提交申请"),
        )
        self._context, self._session, self._customer_id = context, session, customer_id
        self.reason = QComboBox(objectName="reason")
        for r in rules.RequestReason:
            self.reason.addItem(rules.REASON_LABELS[r], r.value)
        self.reason.setCurrentIndex(max(self.reason.findData(reason), 0))
        self.add_field(self.tr("原因："), self.reason, "reason")
        self.note = QLineEdit(objectName="note")
        self.add_field(self.tr("说明："), self.note, "note")
        self.add_note(
            self.tr(
                "没有案卷的客户将被删除；仍有须保存案卷的客户将被匿名化（证件、电话、地址等"
                "随密钥销毁，姓名改为化名，案卷与借阅记录保留）。须由其他审批人批准后执行。"
            )
        )
        self.finish()
        fit_to_screen(self, 560, 260)

    def submit(self) -> Any:
        """File the request; returns its number."""
        return privacy.request_erasure(
            session=self._session,
            customer_id=self._customer_id,
            reason=str(self.reason.currentData()),
            note=self.note.text(),
            clock=self._context.clock,
        )


class DecisionDialog(FormDialog):
    """批准/驳回 an erasure request (an approver other than the requester)."""

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        session: SignedIn,
        row: privacy.ErasureRow,
        *,
        approve: bool,
    ) -> None:
        title = self.tr("批准申请 {0}") if approve else self.tr("驳回申请 {0}")
        super().__init__(
            parent,
            title=title.format(row.number),
            object_name="DecisionDialog",
            ok_text=self.tr("批准") if approve else self.tr("驳回"),
        )
        self._context, self._session, self._row, self._approve = context, session, row, approve
        outcome = rules.OUTCOME_LABELS[rules.Outcome(row.outcome)]
        self.add_widget(
            QLabel(
                self.tr("客户 {0}，原因：{1}，处理方式：{2}，申请人：{3}").format(
                    row.customer_number,
                    rules.REASON_LABELS[rules.RequestReason(row.reason)],
                    outcome,
                    row.requested_by,
                )
            )
        )
        self.note = QLineEdit(objectName="decision_note")
        self.add_field(self.tr("意见："), self.note, "note")
        self.finish()
        fit_to_screen(self, 560, 200)

    def submit(self) -> Any:
        """Record the decision."""
        return privacy.decide_erasure(
            session=self._session,
            request_id=self._row.id,
            approve=self._approve,
            note=self.note.text(),
            clock=self._context.clock,
        )


class SubjectRequestDialog(FormDialog):
    """登记客户请求 (查询/更正/删除) with the date it was received."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, customer_id: int
    ) -> None:
        super().__init__(parent, title=self.tr("登记客户请求"), object_name="SubjectRequestDialog")
        self._context, self._session, self._customer_id = context, session, customer_id
        self.kind = QComboBox(objectName="kind")
        for k in rules.SubjectKind:
            self.kind.addItem(rules.SUBJECT_LABELS[k], k.value)
        self.add_field(self.tr("请求类型："), self.kind, "kind")
        self.received = QLineEdit(objectName="received_on")
        self.received.setPlaceholderText(self.tr("YYYY-MM-DD，留空为今天"))
        self.add_field(self.tr("收到日期："), self.received, "received_on")
        self.finish()
        fit_to_screen(self, 480, 200)

    def submit(self) -> Any:
        """Register the request; returns its number."""
        problems: list[FieldError] = []
        received = parse_date(self.received.text(), "received_on", problems)
        if problems:
            raise ValidationFailed(problems)
        return privacy.record_subject_request(
            session=self._session,
            customer_id=self._customer_id,
            kind=str(self.kind.currentData()),
            received_on=received,
            clock=self._context.clock,
        )


class AnswerDialog(FormDialog):
    """答复 a customer's request: what was done; the answer date is today."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, request_id: int
    ) -> None:
        super().__init__(parent, title=self.tr("答复客户请求"), object_name="AnswerDialog")
        self._context, self._session, self._request_id = context, session, request_id
        self.answer = QPlainTextEdit(objectName="answer")
        self.add_field(self.tr("答复内容："), self.answer, "answer")
        self.finish()
        fit_to_screen(self, 560, 260)

    def submit(self) -> Any:
        """Record the answer."""
        return privacy.answer_subject_request(
            session=self._session,
            request_id=self._request_id,
            answer=self.answer.toPlainText(),
            clock=self._context.clock,
        )


class RecipientDialog(FormDialog):
    """新增接收方: organisation, USCC, contact and the signed 保密协议 (R36)."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("新增对外提供接收方"), object_name="RecipientDialog")
        self._context, self._session = context, session
        self.name = QLineEdit(objectName="recipient_name")
        self.uscc = QLineEdit(objectName="uscc")
        self.contact = QLineEdit(objectName="contact")
        self.phone = QLineEdit(objectName="contact_phone")
        self.signed = QLineEdit(objectName="agreement_signed_on")
        self.signed.setPlaceholderText("YYYY-MM-DD")
        self.until = QLineEdit(objectName="agreement_until")
        self.until.setPlaceholderText(self.tr("YYYY-MM-DD，留空表示长期"))
        scan_box = QWidget()
        line = QHBoxLayout(scan_box)
        line.setContentsMargins(0, 0, 0, 0)
        self.scan_button = QPushButton(self.tr("附保密协议扫描件…"), objectName="agreement")
        self.scan_label = QLabel(self.tr("（未附）"))
        line.addWidget(self.scan_button)
        line.addWidget(self.scan_label, 1)
        self.scan_path: Path | None = None
        self.scan_button.clicked.connect(self._pick)
        for label, widget, field in (
            (self.tr("单位名称："), self.name, "recipient"),
            (self.tr("统一社会信用代码："), self.uscc, "uscc"),
            (self.tr("联系人："), self.contact, "contact"),
            (self.tr("联系电话："), self.phone, "phone"),
            (self.tr("保密协议签订日期："), self.signed, "agreement_signed_on"),
            (self.tr("保密协议有效期至："), self.until, "agreement_until"),
            (self.tr("扫描件："), scan_box, "agreement"),
        ):
            self.add_field(label, widget, field)
        self.finish()
        fit_to_screen(self, 600, 380)

    def _pick(self) -> None:
        chosen = open_file_name(
            self, "agreement_scan", self.tr("选择保密协议扫描件"), "PDF/图片 (*.pdf *.jpg *.png)"
        )
        if chosen:
            self.scan_path = Path(chosen)
            self.scan_label.setText(self.tr("已选择"))

    def submit(self) -> Any:
        """Register the recipient; returns its id."""
        problems: list[FieldError] = []
        signed = parse_date(self.signed.text(), "agreement_signed_on", problems)
        until = parse_date(self.until.text(), "agreement_until", problems)
        if problems:
            raise ValidationFailed(problems)
        return privacy.add_recipient(
            session=self._session,
            recipient=privacy.RecipientInput(
                name=self.name.text(),
                uscc=self.uscc.text(),
                contact=self.contact.text(),
                contact_phone=self.phone.text(),
                agreement_signed_on=signed,
                agreement_until=until,
                agreement=self.scan_path.read_bytes() if self.scan_path else None,
                agreement_name=self.scan_path.name if self.scan_path else "",
            ),
            clock=self._context.clock,
        )


class ProvisionDialog(FormDialog):
    """对外提供: a customer (by 客户编号), a recipient with a valid agreement, purpose, content."""

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        session: SignedIn,
        recipients: Sequence[privacy.RecipientRow],
    ) -> None:
        super().__init__(parent, title=self.tr("登记对外提供"), object_name="ProvisionDialog")
        self._context, self._session = context, session
        self.customer = QLineEdit(objectName="customer_number")
        self.customer.setPlaceholderText(self.tr("客户编号，如 KH00000001"))
        self.recipient = QComboBox(objectName="recipient")
        for r in recipients:
            mark = "" if r.agreement_valid else self.tr("（保密协议无效）")
            self.recipient.addItem(f"{r.name}{mark}", r.id)
        self.purpose = QLineEdit(objectName="purpose")
        self.application = QLineEdit(objectName="application")
        self.application.setPlaceholderText(self.tr("已批准的对外提供申请编号（可选）"))
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        self.field_checks = {f: QCheckBox(f) for f in PROVIDED_FIELDS}
        for check in self.field_checks.values():
            line.addWidget(check)
        for label, widget, field in (
            (self.tr("客户编号："), self.customer, "customer"),
            (self.tr("接收方："), self.recipient, "recipient"),
            (self.tr("用途："), self.purpose, "purpose"),
            (self.tr("提供内容："), box, "fields"),
            (self.tr("申请编号："), self.application, "application"),
        ):
            self.add_field(label, widget, field)
        self.finish()
        fit_to_screen(self, 680, 300)

    def submit(self) -> Any:
        """Record the provision; returns its number (refused without agreement or consent)."""
        from app.services.customers import search_customers

        number = self.customer.text().strip().upper()
        found = search_customers(session=self._session, query=number, clock=self._context.clock)
        match = next((r for r in found.rows if r.number == number), None)
        if match is None:
            raise ValidationFailed([FieldError("customer", "not_found")])
        return privacy.provide_data(
            session=self._session,
            customer_id=match.id,
            recipient_id=int(self.recipient.currentData() or 0),
            purpose=self.purpose.text(),
            fields=tuple(n for n, c in self.field_checks.items() if c.isChecked()),
            application_number=self.application.text(),
            clock=self._context.clock,
        )


class PrivacySettingsDialog(FormDialog):
    """个人信息设置 (administrator): purposes, legal bases, years, deadline, approvers (R4, R8)."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("个人信息设置"), object_name="PrivacySettingsDialog")
        from PySide6.QtWidgets import QSpinBox

        from app.domain.roles import TITLE_LABELS, ApproverTitle

        self._context, self._session = context, session
        self._current = privacy.get_privacy_settings(session=session, clock=context.clock)
        self.purposes = QLineEdit("、".join(self._current.purposes), objectName="purposes")
        self.add_field(self.tr("使用用途（以“、”分隔）："), self.purposes, "settings")
        self.import_basis = QComboBox(objectName="import_basis")
        for name in self._current.legal_bases():
            self.import_basis.addItem(name, name)
        self.import_basis.setCurrentIndex(
            max(self.import_basis.findData(self._current.import_basis), 0)
        )
        self.add_field(self.tr("导入客户的默认处理依据："), self.import_basis, "consent.basis")
        self.lost_years = QSpinBox(objectName="lost_years")
        self.lost_years.setRange(0, 50)
        self.lost_years.setValue(self._current.lost_years)
        self.lost_years.setSuffix(self.tr(" 年"))
        self.add_field(self.tr("流失客户信息保存："), self.lost_years, "lost_years")
        self.answer_days = QSpinBox(objectName="answer_days")
        self.answer_days.setRange(1, 60)
        self.answer_days.setValue(self._current.answer_days)
        self.answer_days.setSuffix(self.tr(" 天"))
        self.add_field(self.tr("客户请求答复期限："), self.answer_days, "answer_days")
        box = QWidget(objectName="approver_titles")
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        self.titles: dict[str, QCheckBox] = {}
        for title in ApproverTitle:
            check = QCheckBox(TITLE_LABELS[title])
            check.setChecked(title.value in self._current.approver_titles)
            self.titles[title.value] = check
            line.addWidget(check)
        self.add_field(self.tr("删除/匿名化审批人："), box, "approver_titles")
        self.finish()
        fit_to_screen(self, 760, 320)

    def submit(self) -> Any:
        """Store the settings."""
        from dataclasses import replace

        names = tuple(p.strip() for p in self.purposes.text().replace(",", "、").split("、"))
        chosen = replace(
            self._current,
            purposes=tuple(p for p in names if p),
            import_basis=str(self.import_basis.currentData()),
            lost_years=self.lost_years.value(),
            answer_days=self.answer_days.value(),
            approver_titles=tuple(t for t, c in self.titles.items() if c.isChecked()),
        )
        return privacy.update_privacy_settings(
            session=self._session, settings=chosen, clock=self._context.clock
        )
