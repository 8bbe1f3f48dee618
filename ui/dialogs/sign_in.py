"""Sign-in dialog: user name and password unlock the database."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from ui.context import AppContext
from ui.errors import message_for, show_unexpected

if TYPE_CHECKING:  # the storage layer loads after the window is on screen (cold start)
    from app.services.auth import SignedIn

log = logging.getLogger(__name__)


class SignInDialog(QDialog):
    """Asks for user name and password; ``session`` holds the result when accepted."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.session: SignedIn | None = None
        self._build_ui()
        self._connect_signals()
        self.retranslate_ui()

    def _build_ui(self) -> None:
        self.setObjectName("SignInDialog")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self._heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._heading)
        self._database = QLabel()
        self._database.setWordWrap(True)
        self._database.setStyleSheet("color: #555;")
        layout.addWidget(self._database)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self._username_label = QLabel()
        self._password_label = QLabel()
        form.addRow(self._username_label, self.username)
        form.addRow(self._password_label, self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)
        self._demo = QLabel()
        self._demo.setStyleSheet("background: #fff8e1; border: 1px solid #e0c060; padding: 6px;")
        self._demo.setVisible(bool(self._context.demo_accounts))
        layout.addWidget(self._demo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("登录 - 档案室"))
        self._heading.setText(self.tr("档案室 · 客户档案管理"))
        self._database.setText(self.tr("数据库：{0}").format(self._context.location.display()))
        self._username_label.setText(self.tr("用户名(&U)："))
        self._password_label.setText(self.tr("密码(&P)："))
        self._username_label.setBuddy(self.username)
        self._password_label.setBuddy(self.password)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        if self._context.demo_accounts:
            from app.demo import DEMO_PASSWORD
            from app.domain.roles import ROLE_LABELS

            lines = [self.tr("演示数据库，所有账户的密码均为 {0}").format(DEMO_PASSWORD)]
            for account in self._context.demo_accounts:
                roles = "、".join(ROLE_LABELS[r] for r in account.roles)
                lines.append(f"{account.username}：{account.display_name}（{roles}）")
            self._demo.setText("\n".join(lines))

    def show_error(self, text: str) -> None:
        """Show a message under the fields."""
        self.error.setText(text)
        self.error.show()

    def attempt(self) -> None:
        """Try to sign in with what was typed."""
        username = self.username.text().strip()
        if not username:
            self.show_error(self.tr("请输入用户名。"))
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_error(self.tr("请输入密码。"))
            self.password.setFocus()
            return
        from app.services.auth import sign_in

        self.setEnabled(False)
        try:
            self.session = sign_in(
                location=self._context.location,
                username=username,
                password=self.password.text(),
                clock=self._context.clock,
            )
        except AppError as exc:
            self.password.clear()
            self.show_error(message_for(exc))
            self.password.setFocus()
            return
        except Exception as exc:
            log.exception("sign-in failed unexpectedly")
            show_unexpected(self, exc)
            return
        finally:
            self.setEnabled(True)
        self.password.clear()
        self.accept()
