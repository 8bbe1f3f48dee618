"""显示完整信息: asks for the purpose (recorded, R5/R40) and shows the full values once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.domain.privacy import SERVICE
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.customers import CustomerDetail, reveal_customer
from app.services.privacy import get_privacy_settings
from ui.errors import message_for

COMMON_PURPOSES = ("办理借阅核对身份", "客户来电核实信息", "合同签订核对", "按客户要求更正信息")


class RevealDialog(QDialog):
    """Purpose first; on OK the service reveals and audits; the values are then shown here."""

    def __init__(
        self, session: SignedIn, clock: Clock, customer_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RevealDialog")
        self._session = session
        self._clock = clock
        self._customer_id = customer_id
        self.detail: CustomerDetail | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "显示完整的证件号码、电话、银行账号和地址。请说明用途，本次查看将记入审计记录。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        # the purpose from the configured list (R4: refused without consent or basis for it)
        self.use = QComboBox(objectName="use")
        for name in get_privacy_settings(session=session, clock=clock).purposes:
            self.use.addItem(name, name)
        self.use.setCurrentIndex(max(self.use.findData(SERVICE), 0))
        layout.addWidget(self.use)
        self.purpose = QComboBox(objectName="purpose")
        self.purpose.setEditable(True)
        self.purpose.addItem("")
        self.purpose.addItems(COMMON_PURPOSES)
        layout.addWidget(self.purpose)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        self.values = QFormLayout()
        layout.addLayout(self.values)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("显示"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("关闭"))
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.reveal)
        self.buttons.rejected.connect(self.reject)
        self.setWindowTitle(self.tr("显示完整信息"))

    def reveal(self) -> None:
        """Ask the service; show the values or the message."""
        if self.detail is not None:
            self.accept()
            return
        try:
            self.detail = reveal_customer(
                session=self._session,
                customer_id=self._customer_id,
                purpose=self.purpose.currentText(),
                use=str(self.use.currentData()),
                clock=self._clock,
            )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        self.error.clear()
        d = self.detail
        for label, value in (
            (self.tr("名称："), d.name),
            (self.tr("证件号码："), d.id_number or "—"),
            (self.tr("出生日期："), d.birth_date or "—"),
            (self.tr("电话："), "；".join(d.phones) or "—"),
            (self.tr("银行账号："), "；".join(d.bank_accounts) or "—"),
            (self.tr("地址："), "；".join(d.addresses) or "—"),
            (self.tr("电子邮箱："), d.email or "—"),
        ):
            shown = QLabel(value, objectName="revealed")
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values.addRow(label, shown)
        if d.masked:  # a class the reader's post may not see stays masked (R7)
            note = QLabel(
                self.tr(
                    "敏感信息（证件号码、出生日期、电话、银行账号）仍脱敏显示：您的职务无权查看。"
                ),
                objectName="still_masked",
            )
            note.setWordWrap(True)
            self.values.addRow(note)
        self.purpose.setEnabled(False)
        self.use.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("完成"))
