"""Dialog for a new user or a user's roles and department; and the one-time password hand-over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import ROLE_LABELS, TITLE_LABELS, ApproverTitle, Role
from app.services.users import UserRow
from ui.dialogs.form import FormDialog
from ui.widgets.key_label import key_label, warning_label

DEPARTMENT_MAX = 64  # the staff_department column (set_staff_department checks it too)


class UserEditDialog(FormDialog):
    """Collects user name, name, department, roles and approver title.

    三员分立 (issue 23): the administrator edits the department only (roles read-only) and asks
    for roles when creating; the 安全保密员 grants roles and the post, not the department.

    ``submit`` is called with the dialog on OK and runs the service; its result is kept in
    ``result_value``. Field errors appear under the fields and the dialog stays open.
    """

    def __init__(
        self,
        existing: UserRow | None = None,
        parent: QWidget | None = None,
        *,
        submit: Callable[[UserEditDialog], Any] | None = None,
        roles_editable: bool = True,
        department_editable: bool = True,
    ) -> None:
        super().__init__(parent, title="", object_name="UserEditDialog")
        self._existing = existing
        self._submit = submit
        self._roles_editable = roles_editable
        # OK rather than Save: the administrator confirms an account change
        self.buttons.setStandardButtons(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.username = QLineEdit(objectName="username")
        self.display_name = QLineEdit(objectName="display_name")
        # 部门: overdue loans are escalated to the borrower's department head (R33)
        self.department = QLineEdit(objectName="department")
        self.department.setMaxLength(DEPARTMENT_MAX)
        roles = QWidget()
        roles_box = QVBoxLayout(roles)
        roles_box.setContentsMargins(0, 0, 0, 0)
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(ROLE_LABELS[role], objectName=f"role_{role.value}")
            box.setEnabled(roles_editable)
            self.role_boxes[role] = box
            roles_box.addWidget(box)
        self.title = QComboBox(objectName="approver_title")
        self.title.addItem("—", None)
        for title in ApproverTitle:
            self.title.addItem(TITLE_LABELS[title], title)
        for label, widget, field in (
            (self.tr("用户名："), self.username, "username"),
            (self.tr("姓名："), self.display_name, "display_name"),
            (self.tr("部门："), self.department, "department"),
            (self.tr("角色："), roles, "roles"),
            (self.tr("审批人职务："), self.title, "approver_title"),
        ):
            self.add_field(label, widget, field)
        self.finish(stretch=False)
        self.role_boxes[Role.APPROVER].toggled.connect(self._sync_title)
        if existing is not None:
            self.username.setText(existing.username)
            self.username.setReadOnly(True)
            self.display_name.setText(existing.display_name)
            self.display_name.setReadOnly(True)
            self.department.setText(existing.department)
            for role in existing.roles:
                self.role_boxes[role].setChecked(True)
            if existing.approver_title is not None:
                self.title.setCurrentIndex(self.title.findData(existing.approver_title))
        self.department.setReadOnly(not department_editable)
        self._sync_title()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        if self._existing is None:
            self.setWindowTitle(self.tr("新建用户（角色待安全保密员确认）"))
        elif self._roles_editable:
            self.setWindowTitle(self.tr("授予角色与审批职务"))
        else:
            self.setWindowTitle(self.tr("修改部门"))
        self.ok_button.setText(self.tr("确定"))
        self.department.setPlaceholderText(self.tr("如 销售部（逾期借阅将告知该部门负责人）"))

    def submit(self) -> Any:
        """Run the caller's service call."""
        return self._submit(self) if self._submit is not None else None

    def _sync_title(self) -> None:
        approver = self.role_boxes[Role.APPROVER].isChecked()
        self.title.setEnabled(approver and self._roles_editable)
        if not approver:
            self.title.setCurrentIndex(0)

    def roles(self) -> list[Role]:
        """The ticked roles."""
        return [r for r, box in self.role_boxes.items() if box.isChecked()]

    def approver_title(self) -> ApproverTitle | None:
        """The chosen title (None when not an approver)."""
        data = self.title.currentData()
        return ApproverTitle(data) if data else None

    def department_text(self) -> str:
        """The entered department, trimmed ("" for none)."""
        return self.department.text().strip()


class OneTimePasswordDialog(QDialog):
    """Shows a one-time password once so the administrator can hand it over in person."""

    def __init__(self, username: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("一次性密码"))
        layout = QVBoxLayout(self)
        text = warning_label(
            self.tr(
                "用户 {0} 的一次性密码如下。请当面告知本人，不要通过聊天工具发送。"
                "用户首次登录时必须修改密码。此密码关闭窗口后不再显示。"
            ).format(username)
        )
        layout.addWidget(text)
        self.password_label = key_label(password, object_name="one_time_password", point_size=16)
        layout.addWidget(self.password_label)
        row = QHBoxLayout()
        copy = QPushButton(self.tr("复制"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(password))
        row.addWidget(copy)
        row.addStretch()
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
