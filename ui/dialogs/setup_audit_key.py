"""The set-up wizard's last page: the 安全审计员 receives the audit verification key (issue 23).

The key is given to the auditor only, printed once as a sheet with a QR code at set-up, like the
recovery key. The auditor comes to the keyboard, signs in with the one-time password of the page
before, sets their own password at once (so the administrator who saw the one-time password
never holds the auditor's account) and only then is the key issued and shown. An auditor who is
not present receives it at their first sign-in instead (``ui.sign_in_hooks``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.errors import AppError, ValidationFailed, WrongCredentials
from app.services.audit import IssuedKey, start_audit_sealing
from app.services.auth import SignedIn, change_password, sign_in, sign_out
from app.storage.store import Store
from ui.context import AppContext
from ui.dialogs.audit_key import AuditKeyPanel
from ui.dialogs.form import add_form_row
from ui.errors import FieldErrors, message_for

log = logging.getLogger(__name__)


class SetupState(Protocol):
    """What the page needs from the wizard: who the auditor is, the administrator's session."""

    @property
    def session(self) -> SignedIn | None:
        """The administrator's session, once the database exists."""

    def auditor_username(self) -> str:
        """The auditor's user name."""


class AuditKeyPage(QWizardPage):
    """The auditor signs in with the one-time password, sets a password, receives the key."""

    FIELDS = ("old_password", "new_password", "password_confirm")

    def __init__(self, context: AppContext, state: SetupState) -> None:
        super().__init__()
        self._context = context
        self._state = state
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        layout.addWidget(self._hint)
        self.form = QWidget(objectName="auditor_form")
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        self.auditor = QLabel(objectName="auditor_name")
        self.one_time_password = QLineEdit(objectName="auditor_one_time_password")
        self.new_password = QLineEdit(objectName="auditor_new_password")
        self.password_confirm = QLineEdit(objectName="auditor_password_confirm")
        for widget in (self.one_time_password, self.new_password, self.password_confirm):
            widget.setEchoMode(QLineEdit.EchoMode.Password)
        self._auditor_label = QLabel()
        form.addRow(self._auditor_label, self.auditor)
        self._labels = [QLabel() for _ in self.FIELDS]
        for field, widget, label in zip(
            self.FIELDS,
            (self.one_time_password, self.new_password, self.password_confirm),
            self._labels,
            strict=True,
        ):
            label.setBuddy(widget)
            add_form_row(form, self.errors, label, widget, field)
        self.issue_button = QPushButton(objectName="issue_audit_key")
        form.addRow("", self.issue_button)
        self.general_error = QLabel(objectName="audit_key_error")
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet("color: #b00020;")
        form.addRow("", self.general_error)
        layout.addWidget(self.form)
        self.panel = AuditKeyPanel()
        self.panel.hide()
        layout.addWidget(self.panel)
        self.later = QCheckBox(objectName="audit_key_later")
        layout.addWidget(self.later)
        layout.addStretch()
        self.issue_button.clicked.connect(self.issue_key)
        self.panel.confirm.toggled.connect(self.completeChanged)
        self.later.toggled.connect(self.completeChanged)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("审计验证密钥（交给安全审计员本人）"))
        self._hint.setText(
            self.tr(
                "请安全审计员本人操作本页，其他人请回避。审计员输入上页的一次性密码并设置自己的"
                "新密码，随后程序显示审计验证密钥：只显示这一次，程序不保存。凭它可以核对审计记录"
                "是否被删改（即使删改者掌握数据库密钥）。请审计员保存并打印密钥单，放入保险柜，"
                "不要交给系统管理员。"
            )
        )
        self._auditor_label.setText(self.tr("安全审计员："))
        for label, text in zip(
            self._labels,
            (self.tr("一次性密码(&O)："), self.tr("新密码(&N)："), self.tr("确认新密码(&R)：")),
            strict=True,
        ):
            label.setText(text)
        self.issue_button.setText(self.tr("领取审计验证密钥"))
        self.later.setText(self.tr("安全审计员不在场：改为在其首次登录时领取密钥"))

    def initializePage(self) -> None:
        """Name the auditor the wizard created."""
        self.auditor.setText(self._state.auditor_username())

    @property
    def issued(self) -> IssuedKey | None:
        """The key handed over on this page, if it was."""
        return self.panel.issued

    def isComplete(self) -> bool:
        """Finishing needs the key kept (confirmed) or handed over later."""
        if self.issued is not None:
            return self.panel.confirm.isChecked()
        return self.later.isChecked()

    def issue_key(self) -> bool:
        """Sign the auditor in, make the password theirs, issue the key; True when shown."""
        admin = self._state.session
        assert admin is not None  # the page follows the database's creation
        self.errors.clear()
        self.general_error.clear()
        one_time = self.one_time_password.text()
        clock = self._context.clock
        try:
            session = sign_in(
                location=self._context.location,
                username=self.auditor.text(),
                password=one_time,
                clock=clock,
            )
        except WrongCredentials as exc:  # a wrong and a locked account read the same
            label = self.errors.label_for("old_password")
            label.setText(message_for(exc))
            label.show()
            return False
        except AppError as exc:
            self.general_error.setText(message_for(exc))
            return False
        try:
            if session.actor.must_change_password:
                change_password(
                    session=session,
                    old_password=one_time,
                    new_password=self.new_password.text(),
                    confirm=self.password_confirm.text(),
                    clock=clock,
                )
            issued = start_audit_sealing(session=session, clock=clock)
        except ValidationFailed as exc:
            self.general_error.setText("\n".join(self.errors.show(exc)))
            return False
        except AppError as exc:
            self.general_error.setText(message_for(exc))
            return False
        finally:
            sign_out(session=session, clock=clock)
        log.info("audit verification key handed over at set-up")
        self._show(admin.store, issued)
        return True

    def _show(self, store: Store, issued: IssuedKey) -> None:
        for widget in (self.one_time_password, self.new_password, self.password_confirm):
            widget.clear()
        self.form.hide()
        self._hint.hide()  # the panel's own warning says what to do with the key
        self.later.setChecked(False)
        self.later.hide()
        self.panel.show_key(store, issued)
        self.panel.show()
        self.completeChanged.emit()
