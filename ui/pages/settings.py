"""设置: accounts, roles, policy, pending 三员 changes (issue 23) and one's own password.

Accounts are the 系统管理员's, roles and the security policy the 安全保密员's; a change to a
三员 account is confirmed by a second one of the three.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.reference_code import PRESETS
from app.domain.roles import Role
from app.errors import AppError
from app.services import account_review
from app.services import users as user_service
from app.services.account_review import PendingChange
from app.services.auth import SignedIn
from app.services.catalogue import (
    get_reference_pattern,
    preview_reference,
    set_reference_pattern,
)
from app.services.loans import set_staff_department
from app.services.settings import get_settings, update_security_settings
from app.services.users import OneTimePassword, UserRow
from app.storage.settings import SECURITY_RANGES
from ui.context import AppContext
from ui.dialogs.form import add_form_row
from ui.dialogs.user_edit import OneTimePasswordDialog, UserEditDialog
from ui.errors import REFUSED, FieldErrors, UseCases, save_with_status, show_error
from ui.models.users import PendingChangesModel, UserTableModel
from ui.widgets.loan_settings import LoanSettingsWidget
from ui.widgets.table_panel import TablePanel

log = logging.getLogger(__name__)


class UsersWidget(UseCases, QGroupBox):
    """The list of accounts, for the administrator and the 安全保密员 (三员分立, issue 23).

    The administrator creates, resets, disables, enables and sets departments; the 安全保密员
    grants roles and approver posts.
    """

    changed = Signal()

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="UsersWidget")
        self._context = context
        self._session = session
        self._admin = session.actor.has(Role.ADMIN)
        self._grants = session.actor.has(Role.SECURITY)
        layout = QVBoxLayout(self)
        self.model = UserTableModel()
        self.panel = TablePanel(name="users_table", columns=(), model=self.model)
        self.new_button = self.panel.add_button("", "new_user", self.create_user)
        self.roles_button = self.panel.add_button("", "edit_roles", self.edit_roles)
        self.reset_button = self.panel.add_button("", "reset_password", self.reset_password)
        self.disable_button = self.panel.add_button("", "disable_user", self.disable_user)
        self.enable_button = self.panel.add_button("", "enable_user", self.enable_user)
        self.panel.end_bar()
        for button in (self.new_button, self.reset_button, self.disable_button):
            button.setVisible(self._admin)
        self.enable_button.setVisible(self._admin)
        self.table = self.panel.table
        layout.addWidget(self.panel)
        self.table.selectionModel().selectionChanged.connect(self._sync_buttons)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("用户与角色"))
        self.new_button.setText(self.tr("新建用户…"))
        self.roles_button.setText(self.tr("授予角色…") if self._grants else self.tr("修改部门…"))
        self.reset_button.setText(self.tr("重置密码"))
        self.disable_button.setText(self.tr("停用"))
        self.enable_button.setText(self.tr("启用"))

    def refresh(self) -> None:
        """Reload the list."""
        rows = self.attempt(user_service.list_users)
        if rows is not REFUSED:
            self.panel.set_rows(rows)
        self._sync_buttons()

    def selected(self) -> UserRow | None:
        """The selected account."""
        row: UserRow | None = self.panel.selected()
        return row

    def _sync_buttons(self) -> None:
        row = self.selected()
        mine = row is not None and row.id == self._session.actor.user_id
        self.roles_button.setEnabled(row is not None and not mine)
        self.reset_button.setEnabled(row is not None and not mine and not row.disabled)
        self.disable_button.setEnabled(row is not None and not mine and not row.disabled)
        self.enable_button.setEnabled(row is not None and row.disabled)

    def create_user(self) -> None:
        """New account with a one-time password (and its department, when given)."""

        def create(dialog: UserEditDialog) -> OneTimePassword:
            return user_service.create_user(
                session=self._session,
                username=dialog.username.text(),
                display_name=dialog.display_name.text(),
                roles=dialog.roles(),
                approver_title=dialog.approver_title(),
                clock=self._context.clock,
            )

        dialog = UserEditDialog(parent=self, submit=create)
        otp = dialog.result_value if dialog.exec() else None
        if isinstance(otp, OneTimePassword) and dialog.department_text():
            # the account exists now: a failure here must not offer to create it again
            created = [
                r
                for r in user_service.list_users(session=self._session, clock=self._context.clock)
                if r.username == otp.username
            ]
            if created:
                self._set_department(created[0].id, dialog.department_text())
        self.refresh()
        if isinstance(otp, OneTimePassword):
            OneTimePasswordDialog(otp.username, otp.password, self).exec()
            if otp.pending_change is not None:
                self._pending_note()

    def _pending_note(self) -> None:
        """Tell that the change waits for its second person."""
        self.changed.emit()
        QMessageBox.information(
            self,
            self.tr("待确认"),
            self.tr(
                "已提交。角色只能由安全保密员授予；对三员账户的变更须由另一名三员确认。"
                "确认之前不会生效，请在“待确认的账户变更”中查看。"
            ),
        )

    def _set_department(self, user_id: int, department: str) -> None:
        self.attempt(set_staff_department, user_id=user_id, department=department)

    def edit_roles(self) -> None:
        """Change the selected user's roles, approver title and department."""
        row = self.selected()
        if row is None:
            return

        def save(dialog: UserEditDialog) -> int | None:
            # only what changed, so the audit trail shows real changes
            pending = None
            if self._grants and (set(dialog.roles()), dialog.approver_title()) != (
                set(row.roles),
                row.approver_title,
            ):
                pending = user_service.set_roles(
                    session=self._session,
                    user_id=row.id,
                    roles=dialog.roles(),
                    approver_title=dialog.approver_title(),
                    clock=self._context.clock,
                )
            if self._admin and dialog.department_text() != row.department:
                set_staff_department(
                    session=self._session,
                    user_id=row.id,
                    department=dialog.department_text(),
                    clock=self._context.clock,
                )
            return pending

        dialog = UserEditDialog(
            existing=row,
            parent=self,
            submit=save,
            roles_editable=self._grants,
            department_editable=self._admin,
        )
        done = dialog.exec()
        self.refresh()
        if done and dialog.result_value is not None:
            self._pending_note()

    def _hand_over(self, call: Callable[..., OneTimePassword], user_id: int) -> None:
        """Run ``call`` for ``user_id``; show the one-time password it returns."""
        otp = self.attempt(call, user_id=user_id)
        if otp is REFUSED:
            return
        self.refresh()
        if otp.pending_change is not None:
            self._pending_note()
            return
        OneTimePasswordDialog(otp.username, otp.password, self).exec()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("请确认"), text)
        return answer == QMessageBox.StandardButton.Yes

    def reset_password(self) -> None:
        """Give the selected user a one-time password."""
        row = self.selected()
        if row is None or not self._confirm(
            self.tr("为用户 {0} 生成新的一次性密码？其原密码将立即失效。").format(row.username)
        ):
            return
        self._hand_over(user_service.reset_password, row.id)

    def disable_user(self) -> None:
        """Disable the selected account (it can no longer sign in)."""
        row = self.selected()
        if row is None or not self._confirm(
            self.tr("停用用户 {0}？停用后该用户无法登录，其历史记录保留。").format(row.username)
        ):
            return
        from ui.tasks import run_blocking

        def work(sink: Any) -> int | None:  # disabling rotates the data key: all re-encrypted
            return user_service.disable_user(
                session=self._session,
                user_id=row.id,
                clock=self._context.clock,
                progress=lambda _stage, done, total: sink.report(done, total),
            )

        pending: int | None = None
        try:
            pending = run_blocking(
                self, self.tr("正在停用账户并轮换数据密钥…"), work, cancellable=False
            )
        except AppError as exc:
            show_error(self, exc)
        self.refresh()
        if pending is not None:
            self._pending_note()

    def enable_user(self) -> None:
        """Re-enable the selected account with a one-time password."""
        row = self.selected()
        if row is None:
            return
        self._hand_over(user_service.enable_user, row.id)


class PendingChangesWidget(UseCases, QGroupBox):
    """待确认的账户变更: what waits for a second one of the three (issue 23)."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="PendingChangesWidget")
        self._context = context
        self._session = session
        layout = QVBoxLayout(self)
        self.model = PendingChangesModel()
        self.panel = TablePanel(name="pending_table", columns=(), model=self.model)
        self.confirm_button = self.panel.add_button("", "confirm_change", self.confirm)
        self.reject_button = self.panel.add_button("", "reject_change", self.reject)
        self.panel.end_bar()
        self.missing = QLabel(objectName="three_missing")
        self.missing.setStyleSheet("color: #b00020;")
        self.missing.setWordWrap(True)
        layout.addWidget(self.missing)
        layout.addWidget(self.panel)
        self.panel.table.selectionModel().selectionChanged.connect(self._sync_buttons)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("待确认的账户变更（须另一名三员确认）"))
        self.confirm_button.setText(self.tr("确认并执行"))
        self.reject_button.setText(self.tr("拒绝/撤回"))

    def refresh(self) -> None:
        """Reload the pending changes and the 三员 still missing."""
        clock = self._context.clock
        try:
            self.panel.set_rows(
                account_review.list_pending_changes(session=self._session, clock=clock)
            )
            missing = account_review.three_roles_missing(session=self._session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self.missing.setVisible(bool(missing))
        self.missing.setText(
            self.tr("尚无启用的{0}账户：三员分立尚未落实，请由系统管理员新建。").format(
                "、".join(missing)
            )
        )
        self._sync_buttons()

    def selected(self) -> PendingChange | None:
        """The selected change."""
        row: PendingChange | None = self.panel.selected()
        return row

    def _sync_buttons(self) -> None:
        row = self.selected()
        self.confirm_button.setEnabled(row is not None and row.may_confirm)
        self.reject_button.setEnabled(row is not None)

    def confirm(self) -> None:
        """Confirm the selected change; show a one-time password it issues."""
        row = self.selected()
        if row is None:
            return
        otp = self.attempt(account_review.confirm_change, change_id=row.id)
        if otp is REFUSED:
            return
        self.refresh()
        if otp is not None:
            OneTimePasswordDialog(otp.username, otp.password, self).exec()

    def reject(self) -> None:
        """Reject (or, one's own, withdraw) the selected change."""
        row = self.selected()
        if row is None:
            return
        self.attempt(account_review.reject_change, change_id=row.id)
        self.refresh()


class SecurityPolicyWidget(QGroupBox):
    """Password, lockout and idle-lock policy (安全保密员)."""

    changed = Signal()

    LABELS: ClassVar[dict[str, str]] = {
        "password_min_length": "密码最短长度：",
        "password_min_classes": "密码至少包含的字符类别：",
        "lockout_max_failures": "连续登录失败锁定次数：",
        "lockout_minutes": "锁定时长（分钟）：",
        "idle_lock_minutes": "空闲多久锁屏（分钟）：",
    }

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="SecurityPolicyWidget")
        self._context = context
        self._session = session
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.spins: dict[str, QSpinBox] = {}
        current = get_settings(session=session, clock=context.clock).security
        for key, (low, high) in SECURITY_RANGES.items():
            spin = QSpinBox(objectName=key)
            spin.setRange(low, high)
            spin.setValue(int(getattr(current, key)))
            self.spins[key] = spin
            add_form_row(form, self.errors, self.tr(self.LABELS[key]), spin, key)
        self.save_button = QPushButton(objectName="save_policy")
        self.status = QLabel(objectName="policy_status")
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status)
        row.addStretch()
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("安全策略"))
        self.save_button.setText(self.tr("保存安全策略"))

    def save(self) -> None:
        """Apply the values."""
        changes = {k: s.value() for k, s in self.spins.items()}
        if save_with_status(
            self,
            self.errors,
            self.status,
            lambda: update_security_settings(
                session=self._session, changes=changes, clock=self._context.clock
            ),
        ):
            self.changed.emit()


class ReferencePatternWidget(QGroupBox):
    """档号 pattern (administrator): presets for DA/T 22-2015 and DA/T 13-2022, or one's own."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="ReferencePatternWidget")
        self._context = context
        self._session = session
        self.errors = FieldErrors()
        self.setTitle(self.tr("档号规则"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.presets = QComboBox(objectName="reference_presets")
        self.presets.addItem(self.tr("自定义"), "")
        for name, pattern in PRESETS.items():
            self.presets.addItem(name, pattern)
        self.pattern = QLineEdit(objectName="reference_pattern")
        self.pattern.setText(get_reference_pattern(session=session, clock=context.clock))
        self.example = QLabel(objectName="reference_example")
        form.addRow(self.tr("标准："), self.presets)
        add_form_row(form, self.errors, self.tr("规则："), self.pattern, "reference_pattern")
        form.addRow(self.tr("示例："), self.example)
        layout.addLayout(form)
        hint = QLabel(
            self.tr(
                "可用字段：{fonds} 全宗号、{category} 门类、{year} 年度、{retention} 保管期限、"
                "{org} 机构（问题）、{number:N} N 位顺序号；其余字符为分隔符。"
                "修改只影响新建案卷，已有档号不变，顺序号不会重复使用。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存档号规则"), objectName="save_pattern")
        self.status = QLabel(objectName="pattern_status")
        row.addWidget(self.save_button)
        row.addWidget(self.status)
        row.addStretch()
        layout.addLayout(row)
        found = self.presets.findData(self.pattern.text())
        self.presets.setCurrentIndex(max(found, 0))
        self.presets.currentIndexChanged.connect(self._preset_chosen)
        self.pattern.textChanged.connect(self._update_example)
        self.save_button.clicked.connect(self.save)
        self._update_example()

    def _preset_chosen(self) -> None:
        pattern = self.presets.currentData()
        if pattern:
            self.pattern.setText(pattern)

    def _update_example(self) -> None:
        found = self.presets.findData(self.pattern.text().strip())
        self.presets.blockSignals(True)
        self.presets.setCurrentIndex(max(found, 0))  # 自定义 unless a standard's pattern
        self.presets.blockSignals(False)
        example = preview_reference(self.pattern.text().strip())
        self.example.setText(example or self.tr("（规则不完整）"))

    def save(self) -> None:
        """Apply the pattern to volumes created from now on."""
        pattern = self.pattern.text()
        save_with_status(
            self,
            self.errors,
            self.status,
            lambda: set_reference_pattern(
                session=self._session, pattern=pattern, clock=self._context.clock
            ),
        )


class SettingsPage(QWidget):
    """The 设置 area."""

    policy_changed = Signal()
    change_password_requested = Signal()
    backup_requested = Signal()

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="SettingsPage")
        self._context, self._session = context, session
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("设置"))
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(heading)
        own = QHBoxLayout()
        self.change_password_button = QPushButton(
            self.tr("修改我的密码…"), objectName="change_password"
        )
        self.change_password_button.clicked.connect(self.change_password_requested)
        own.addWidget(self.change_password_button)
        self.backup_button = QPushButton(self.tr("备份与恢复…"), objectName="open_backup")
        self.backup_button.clicked.connect(self.backup_requested)
        self.backup_button.setVisible(
            session.actor.has(Role.ADMIN) or session.actor.has(Role.AUDITOR)
        )
        own.addWidget(self.backup_button)
        own.addStretch()
        layout.addLayout(own)
        self.users: UsersWidget | None = None
        self.pending: PendingChangesWidget | None = None
        self.policy: SecurityPolicyWidget | None = None
        self.reference: ReferencePatternWidget | None = None
        self.loans: LoanSettingsWidget | None = None
        actor = session.actor
        three = actor.has(Role.ADMIN) or actor.has(Role.SECURITY) or actor.has(Role.AUDITOR)
        if actor.has(Role.ADMIN) or actor.has(Role.SECURITY):
            self.users = UsersWidget(context, session)
            layout.addWidget(self.users, 3)
        if three:
            self.pending = PendingChangesWidget(context, session)
            layout.addWidget(self.pending, 1)
            if self.users is not None:
                self.users.changed.connect(self.pending.refresh)
        if actor.has(Role.SECURITY):
            self.policy = SecurityPolicyWidget(context, session)
            self.policy.changed.connect(self.policy_changed)
            layout.addWidget(self.policy, 1)
        if actor.has(Role.ADMIN):
            self.reference = ReferencePatternWidget(context, session)
            self.loans = LoanSettingsWidget(context, session)
            lower = QHBoxLayout()
            lower.addWidget(self.reference, 1)
            lower.addWidget(self.loans, 1)
            layout.addLayout(lower, 1)
            # inspections (issue 8): the checklist and the climate limits per room type
            self.inspection_button = QPushButton(
                self.tr("库房检查设置…"), objectName="inspection_settings"
            )
            self.inspection_button.clicked.connect(self.edit_inspection_settings)
            own.insertWidget(1, self.inspection_button)
            # issue 18: purposes, legal bases, storage after 流失, answer deadline, approvers
            self.privacy_button = QPushButton(
                self.tr("个人信息设置…"), objectName="privacy_settings"
            )
            self.privacy_button.clicked.connect(self.edit_privacy_settings)
            own.insertWidget(2, self.privacy_button)
        if not three:
            note = QLabel(
                self.tr("账户由系统管理员管理，角色和安全策略由安全保密员管理（三员分立）。")
            )
            note.setStyleSheet("color: #555;")
            layout.addWidget(note)
            layout.addStretch()

    def edit_privacy_settings(self) -> None:
        """The 个人信息设置 dialog (administrator)."""
        from ui.dialogs.privacy import PrivacySettingsDialog

        PrivacySettingsDialog(self, self._context, self._session).exec()

    def edit_inspection_settings(self) -> None:
        """The 库房检查设置 dialog (administrator)."""
        from ui.dialogs.inspection_settings import InspectionSettingsDialog

        InspectionSettingsDialog(self, self._context, self._session).exec()
