"""审批人登录: an approver signs in at the desk with their own name and password.

For a quick loan the dialog names who may sign (``choices``: the people holding the step's
title, never the operator or the borrower); with only one, their name is filled in and the
password has the focus, so the approver types only the password and Enter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QWidget

from app.errors import AppError
from app.services.auth import SignedIn, sign_in
from ui.context import AppContext
from ui.dialogs.form import ERROR_STYLE, FormDialog
from ui.errors import message_for


class ApproverSignInDialog(FormDialog):
    """审批人登录: the approver types their own name and password at the desk.

    Enter in the user name moves to the password; Enter in the password signs in.
    """

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        *,
        choices: Sequence[tuple[str, str]] = (),
        what: str = "",
    ) -> None:
        """``choices``: (user name, shown name) of who may sign; ``what``: what they sign."""
        super().__init__(
            parent, title="审批人登录", object_name="ApproverSignInDialog", ok_text="登录"
        )
        self.setWindowTitle(self.tr("审批人登录"))
        self._context = context
        self.session: SignedIn | None = None
        text = self.tr("请审批人本人输入用户名和密码。审批结束后自动退出，不影响档案管理员的登录。")
        if what:
            text = what + "\n" + text
        if choices:
            text += "\n" + self.tr("可签批的审批人：{0}").format(
                "、".join(f"{shown}（{name}）" for name, shown in choices)
            )
        self.add_intro(text, "sign_in_note")
        self.username = QLineEdit(objectName="username")
        if choices:
            self.username.setCompleter(QCompleter([name for name, _ in choices], self))
        if len(choices) == 1:
            self.username.setText(choices[0][0])
        self.password = QLineEdit(objectName="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(self.tr("用户名"), self.username, "username")
        self.add_field(self.tr("密码"), self.password, "password")
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.add_widget(self.error)
        self.finish(stretch=False)

    def showEvent(self, event: Any) -> None:
        """With the approver's name filled in, the password has the focus."""
        super().showEvent(event)
        if self.username.text():
            self.password.setFocus()

    def enter_pressed(self, widget: QObject) -> None:
        """Enter in the password signs in."""
        if widget is self.password:
            self.attempt()
            return
        super().enter_pressed(widget)

    def save(self) -> None:
        """The 登录 button signs in."""
        self.attempt()

    def attempt(self) -> None:
        """Sign the approver in (lockout and audit as for any sign-in)."""
        try:
            session = sign_in(
                location=self._context.location,
                username=self.username.text(),
                password=self.password.text(),
                clock=self._context.clock,
            )
        except AppError as exc:
            self.password.clear()
            self.error.setText(message_for(exc))
            return
        self.session = session
        self.accept()
