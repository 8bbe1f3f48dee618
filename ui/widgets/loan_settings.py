"""借阅设置 (administrator): loan periods, holidays, escalation, and the approval routes."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.domain.loans import DEFAULT_ROUTING, KIND_LABELS, LEVEL_KEYS, LEVEL_LABELS, MAX_POLICY_DAYS
from app.services.auth import SignedIn
from app.services.loans import get_loan_settings, update_loan_settings
from ui.context import AppContext
from ui.dialogs.form import add_form_row
from ui.errors import FieldErrors, save_with_status
from ui.widgets.loan_routing import LoanRoutingDialog


class LoanSettingsWidget(QGroupBox):
    """The loan desk's configurable rules (R32), edited by the administrator."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LoanSettingsWidget")
        self._context = context
        self._session = session
        self.errors = FieldErrors()
        current = get_loan_settings(session=session, clock=context.clock)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.max_days = QSpinBox(objectName="loan_max_days")
        self.max_days.setRange(1, MAX_POLICY_DAYS)
        self.max_days.setValue(current.max_days)
        self.loan_days = QSpinBox(objectName="loan_days")
        self.loan_days.setRange(1, MAX_POLICY_DAYS)
        self.loan_days.setValue(current.loan_days)
        self.working_days = QCheckBox(self.tr("按工作日计算（跳过周末和节假日）"))
        self.working_days.setObjectName("loan_working_days")
        self.working_days.setChecked(current.working_days)
        self.holidays = QLineEdit(objectName="loan_holidays")
        self.holidays.setPlaceholderText(self.tr("节假日，如 2026-01-01 2026-02-17"))
        self.holidays.setText(" ".join(d.isoformat() for d in current.holidays))
        self.escalation = QSpinBox(objectName="loan_escalation_days")
        self.escalation.setRange(1, 60)
        self.escalation.setValue(current.escalation_days)
        for label, widget, field in (
            (self.tr("制度规定的最长借期（天）"), self.max_days, "loan_max_days"),
            (self.tr("外借借期（天）"), self.loan_days, "loan_days"),
            (self.tr("计算方式"), self.working_days, "loan_working_days"),
            (self.tr("节假日"), self.holidays, "loan_holidays"),
            (self.tr("逾期几天后告知部门负责人"), self.escalation, "loan_escalation_days"),
        ):
            add_form_row(form, self.errors, label, widget, field)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存借阅设置"), objectName="save_loans")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel(objectName="loan_settings_status")
        self.status.setWordWrap(True)
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        layout.addWidget(
            QLabel(
                self.tr(
                    "人员所在部门（逾期时告知其部门负责人）在“用户与角色”中设置：选中用户，"
                    "点“修改角色与部门…”。"
                ),
                wordWrap=True,
            )
        )
        self.routes = QLabel(objectName="loan_routes")
        self.routes.setWordWrap(True)
        layout.addWidget(self.routes)
        self.routes_button = QPushButton(self.tr("编辑审批路线…"), objectName="edit_routes")
        self.routes_button.clicked.connect(self.edit_routes)
        layout.addWidget(self.routes_button)
        self.setTitle(self.tr("借阅设置"))
        self._show_routes()

    def _show_routes(self) -> None:
        settings = get_loan_settings(session=self._session, clock=self._context.clock)
        changed = [
            f"{KIND_LABELS[kind]}/{LEVEL_LABELS[level]}"
            for kind in KIND_LABELS
            for level in LEVEL_KEYS
            if settings.routing[kind][level] != DEFAULT_ROUTING[kind][level]
        ]
        if changed:
            self.routes.setText(
                self.tr("审批路线：{0} 格与默认不同（{1}）。").format(
                    len(changed), "、".join(changed)
                )
            )
        else:
            self.routes.setText(self.tr("审批路线：使用默认路线。"))

    def edit_routes(self) -> None:
        """Open the routing editor; the summary follows what was saved there."""
        dialog = LoanRoutingDialog(self._context, self._session, self)
        dialog.exec()
        self._show_routes()

    def save(self) -> None:
        """Store the loan rules (errors next to the fields)."""
        self.status.clear()
        holidays = [t for t in re.split(r"[\s,，、;；]+", self.holidays.text()) if t]
        changes = {
            "loan_max_days": self.max_days.value(),
            "loan_days": self.loan_days.value(),
            "loan_working_days": self.working_days.isChecked(),
            "loan_holidays": holidays,
            "loan_escalation_days": self.escalation.value(),
        }
        save_with_status(
            self,
            self.errors,
            self.status,
            lambda: update_loan_settings(
                session=self._session, changes=changes, clock=self._context.clock
            ),
        )
