"""借阅设置 (administrator): loan periods, holidays, escalation, departments, approval routes."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QCheckBox,
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

from app.domain.loans import KIND_LABELS, LEVEL_KEYS, LEVEL_LABELS, MAX_POLICY_DAYS, route
from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn
from app.services.loans import (
    get_loan_settings,
    list_borrowers,
    set_staff_department,
    step_label,
    update_loan_settings,
)
from ui.context import AppContext
from ui.errors import FieldErrors, message_for, show_error


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
            form.addRow(label, widget)
            form.addRow("", self.errors.label_for(field))
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存借阅设置"), objectName="save_loans")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel(objectName="loan_settings_status")
        self.status.setWordWrap(True)
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        department = QHBoxLayout()
        self.staff = QComboBox(objectName="department_user")
        self.department = QLineEdit(objectName="department")
        self.department.setPlaceholderText(self.tr("部门，如 销售部"))
        self.department_button = QPushButton(self.tr("设置部门"), objectName="save_department")
        self.department_button.clicked.connect(self.save_department)
        self.staff.currentIndexChanged.connect(self._staff_chosen)
        department.setContentsMargins(0, 0, 0, 0)
        department.addWidget(self.staff, 1)
        department.addWidget(self.department, 1)
        department.addWidget(self.department_button)
        holder = QWidget()
        holder.setLayout(department)
        layout.addWidget(QLabel(self.tr("人员所在部门（逾期时告知其部门负责人）：")))
        layout.addWidget(holder)
        self.routes = QLabel(objectName="loan_routes")  # shown by the button, not inline
        self.routes_button = QPushButton(self.tr("查看审批路线…"), objectName="show_routes")
        self.routes_button.clicked.connect(
            lambda: QMessageBox.information(self, self.tr("审批路线"), self.routes.text())
        )
        layout.addWidget(self.routes_button)
        self.setTitle(self.tr("借阅设置"))
        self._departments: dict[int, str] = {}
        self._load_staff()
        self._show_routes()

    def _load_staff(self) -> None:
        self.staff.clear()
        self._departments = {}
        try:
            rows = list_borrowers(session=self._session, clock=self._context.clock)
        except AppError:
            rows = []  # the administrator may not read the loan desk: no staff list then
        for r in rows:
            self.staff.addItem(f"{r.display_name}（{r.username}）", r.id)
            self._departments[r.id] = r.department
        self.staff.setEnabled(bool(rows))
        self.department_button.setEnabled(bool(rows))
        self._staff_chosen()

    def _staff_chosen(self) -> None:
        user_id = self.staff.currentData()
        self.department.setText(self._departments.get(user_id, ""))

    def _show_routes(self) -> None:
        settings = get_loan_settings(session=self._session, clock=self._context.clock)
        lines = [self.tr("审批路线（依次审批；机密、绝密必须经客服部经理或总经理）：")]
        for kind, label in KIND_LABELS.items():
            cells = []
            for level in LEVEL_KEYS:
                steps = route(settings.routing, kind, None if level == "none" else level)
                cells.append(f"{LEVEL_LABELS[level]}：" + " → ".join(step_label(s) for s in steps))
            lines.append(f"{label}\n　" + "\n　".join(cells))
        self.routes.setText("\n".join(lines))

    def save(self) -> None:
        """Store the loan rules (errors next to the fields)."""
        self.errors.clear()
        self.status.clear()
        holidays = [t for t in re.split(r"[\s,，、;；]+", self.holidays.text()) if t]
        try:
            update_loan_settings(
                session=self._session,
                changes={
                    "loan_max_days": self.max_days.value(),
                    "loan_days": self.loan_days.value(),
                    "loan_working_days": self.working_days.isChecked(),
                    "loan_holidays": holidays,
                    "loan_escalation_days": self.escalation.value(),
                },
                clock=self._context.clock,
            )
        except ValidationFailed as exc:
            self.status.setText("\n".join(self.errors.show(exc)))
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.status.setText(self.tr("已保存。"))

    def save_department(self) -> None:
        """Record the chosen person's department."""
        user_id = self.staff.currentData()
        if user_id is None:
            return
        try:
            set_staff_department(
                session=self._session,
                user_id=int(user_id),
                department=self.department.text(),
                clock=self._context.clock,
            )
        except AppError as exc:
            self.status.setText(message_for(exc))
            return
        self._departments[int(user_id)] = self.department.text().strip()
        self.status.setText(self.tr("已设置部门。"))
