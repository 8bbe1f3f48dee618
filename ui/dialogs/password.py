"""Password dialogs: change own password (forced after a reset) and unlock after idle."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AccountLocked, AppError
from app.services.auth import SignedIn, change_password, unlock
from app.services.settings import get_settings
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.errors import message_for

log = logging.getLogger(__name__)


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(FormDialog):
    """Change the signed-in user's password (re-wraps their keyring slot)."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        *,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, title="", object_name="ChangePasswordDialog")
        self._context = context
        self._session = session
        self._forced = forced
        self._intro = self.add_intro("")
        self.old = _password_edit("old_password")
        self.new = _password_edit("new_password")
        self.confirm = _password_edit("password_confirm")
        self.add_field(self.tr("原密码："), self.old, "old_password")
        self.add_field(self.tr("新密码："), self.new, "new_password")
        self.add_field(self.tr("确认新密码："), self.confirm, "password_confirm")
        self.finish(stretch=False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("修改密码"))
        policy = get_settings(session=self._session, clock=self._context.clock).security
        rule = self.tr(
            "新密码至少 {0} 个字符，包含大写字母、小写字母、数字、符号中的至少 {1} 类。"
        ).format(policy.password_min_length, policy.password_min_classes)
        intro = self.tr("这是管理员设置的一次性密码，请设置您自己的新密码后继续。")
        self._intro.setText(intro + "\n" + rule if self._forced else rule)
        self.ok_button.setText(self.tr("修改"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            self.tr("退出登录") if self._forced else self.tr("取消")
        )

    def submit(self) -> bool:
        """Run the change; the fields are emptied once it is done."""
        change_password(
            session=self._session,
            old_password=self.old.text(),
            new_password=self.new.text(),
            confirm=self.confirm.text(),
            clock=self._context.clock,
        )
        for edit in (self.old, self.new, self.confirm):
            edit.clear()
        return True

    def attempt(self) -> None:
        """Run the change; keep the dialog open with messages on error."""
        self.save()


class UnlockDialog(QDialog):
    """Shown after the idle time: the same user's password unlocks; or sign out.

    ``signed_out`` is True when the user chose to sign out or the account got locked.
    """

    def __init__(
        self, context: AppContext, session: SignedIn, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._session = session
        self.signed_out = False
        self.locked_error: AccountLocked | None = None
        self.setObjectName("UnlockDialog")
        layout = QVBoxLayout(self)
        self._text = QLabel()
        self._text.setWordWrap(True)
        layout.addWidget(self._text)
        self.password = _password_edit("password")
        layout.addWidget(self.password)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self._sign_out)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("已锁定 - 档案室"))
        actor = self._session.actor
        self._text.setText(
            self.tr("长时间未操作，窗口已锁定。请输入 {0}（{1}）的密码解锁。").format(
                actor.display_name, actor.username
            )
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("解锁"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出登录"))

    def _sign_out(self) -> None:
        self.signed_out = True
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        """Escape does not unlock: it signs out."""
        self._sign_out()

    def attempt(self) -> None:
        """Check the password."""
        try:
            unlock(session=self._session, password=self.password.text(), clock=self._context.clock)
        except AccountLocked as exc:
            self.signed_out = True
            self.locked_error = exc
            self.password.clear()
            self.error.setText(message_for(exc))
            self.done(QDialog.DialogCode.Rejected)
            return
        except AppError as exc:
            self.password.clear()
            self.error.setText(message_for(exc))
            return
        self.password.clear()
        self.accept()
