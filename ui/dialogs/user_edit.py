"""Dialog for a new user or a user's roles and department; and the one-time password hand-over."""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import ROLE_LABELS, TITLE_LABELS, ApproverTitle, Role
from app.errors import ValidationFailed
from app.services.users import UserRow
from ui.errors import FieldErrors

DEPARTMENT_MAX = 64  # the staff_department column (set_staff_department checks it too)


class UserEditDialog(QDialog):
    """Collects user name, name, department, roles and approver title; the caller runs the service.

    ``submit`` is called with the dialog on OK and returns True when the service succeeded.
    """

    def __init__(self, existing: UserRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._existing = existing
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.username = QLineEdit(objectName="username")
        self.display_name = QLineEdit(objectName="display_name")
        # 部门: overdue loans are escalated to the borrower's department head (R33)
        self.department = QLineEdit(objectName="department")
        self.department.setMaxLength(DEPARTMENT_MAX)
        self._username_label, self._name_label, self._roles_label, self._title_label = (
            QLabel(),
            QLabel(),
            QLabel(),
            QLabel(),
        )
        self._department_label = QLabel()
        form.addRow(self._username_label, self.username)
        form.addRow("", self.errors.label_for("username"))
        form.addRow(self._name_label, self.display_name)
        form.addRow("", self.errors.label_for("display_name"))
        form.addRow(self._department_label, self.department)
        form.addRow("", self.errors.label_for("department"))
        roles_box = QVBoxLayout()
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(ROLE_LABELS[role], objectName=f"role_{role.value}")
            self.role_boxes[role] = box
            roles_box.addWidget(box)
        form.addRow(self._roles_label, roles_box)
        form.addRow("", self.errors.label_for("roles"))
        self.title = QComboBox(objectName="approver_title")
        self.title.addItem("—", None)
        for title in ApproverTitle:
            self.title.addItem(TITLE_LABELS[title], title)
        form.addRow(self._title_label, self.title)
        form.addRow("", self.errors.label_for("approver_title"))
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
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
        self._sync_title()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(
            self.tr("新建用户") if self._existing is None else self.tr("修改角色与部门")
        )
        self._username_label.setText(self.tr("用户名："))
        self._name_label.setText(self.tr("姓名："))
        self._roles_label.setText(self.tr("角色："))
        self._title_label.setText(self.tr("审批人职务："))
        self._department_label.setText(self.tr("部门："))
        self.department.setPlaceholderText(self.tr("如 销售部（逾期借阅将告知该部门负责人）"))

    def _sync_title(self) -> None:
        approver = self.role_boxes[Role.APPROVER].isChecked()
        self.title.setEnabled(approver)
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

    def show_validation(self, exc: ValidationFailed) -> None:
        """Show field messages from the service."""
        self.general.setText("\n".join(self.errors.show(exc)))


class OneTimePasswordDialog(QDialog):
    """Shows a one-time password once so the administrator can hand it over in person."""

    def __init__(self, username: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("一次性密码"))
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr(
                "用户 {0} 的一次性密码如下。请当面告知本人，不要通过聊天工具发送。"
                "用户首次登录时必须修改密码。此密码关闭窗口后不再显示。"
            ).format(username)
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.password_label = QLabel(password, objectName="one_time_password")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        self.password_label.setFont(font)
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
