"""Loan desk dialogs: new application, approver sign-in and decision, return count, renewal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.loans import CONDITION_LABELS, CREDENTIAL_LABELS, KIND_LABELS, Condition, UseKind
from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn, sign_in
from app.services.catalogue import VolumeRow
from app.services.loans import (
    ApplicationDraft,
    ApplicationRow,
    BorrowerRow,
    RequestedVolume,
    ReturnCheck,
    ReturnCount,
    approval_queue,
    approve_application,
    get_application,
    reject_application,
)
from ui.context import AppContext
from ui.errors import FieldErrors, message_for, show_error

PURPOSES = ["核对合同条款", "客户投诉处理", "业务审计", "诉讼取证", "财务核对", "编写报告"]


def _row(form: QFormLayout, errors: FieldErrors, label: str, widget: QWidget, field: str) -> None:
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(widget)
    box.addWidget(errors.label_for(field))
    holder = QWidget()
    holder.setLayout(box)
    form.addRow(label, holder)


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(dialog.tr(ok))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(dialog.tr("取消"))
    buttons.rejected.connect(dialog.reject)
    return buttons


def _save_form(dialog: Any) -> None:
    """Run the dialog's ``_submit``; field errors go next to the fields, then accept."""
    dialog.errors.clear()
    dialog.general.clear()
    try:
        dialog.result_value = dialog._submit(dialog)
    except ValidationFailed as exc:
        dialog.general.setText("\n".join(dialog.errors.show(exc)))
        return
    except AppError as exc:
        show_error(dialog, exc)
        return
    dialog.accept()


class ApplicationDialog(QDialog):
    """登记利用申请: kind, applicant (staff or outsider with letter/ID), purpose, volumes.

    ``lookup(text)`` finds volumes by scanned or typed 档号; ``submit(dialog)`` files the
    application (raising AppError); errors appear next to their fields.
    """

    def __init__(
        self,
        parent: QWidget | None,
        borrowers: list[BorrowerRow],
        lookup: Callable[[str], list[VolumeRow]],
        submit: Callable[[ApplicationDialog], Any],
        today: date,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ApplicationDialog")
        self.setWindowTitle(self.tr("登记利用申请"))
        self._lookup = lookup
        self._submit = submit
        self._borrowers = borrowers
        self.errors = FieldErrors()
        self.volume_ids: list[int] = []
        self.result_value: Any = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox(objectName="use_kind")
        for kind in UseKind:
            self.kind.addItem(self.tr(KIND_LABELS[kind]), kind.value)
        _row(form, self.errors, self.tr("利用方式"), self.kind, "use_kind")
        who = QHBoxLayout()
        self.staff_radio = QRadioButton(self.tr("本单位人员"), objectName="staff_radio")
        self.outsider_radio = QRadioButton(self.tr("外单位人员"), objectName="outsider_radio")
        group = QButtonGroup(self)
        group.addButton(self.staff_radio)
        group.addButton(self.outsider_radio)
        self.staff_radio.setChecked(True)
        who.addWidget(self.staff_radio)
        who.addWidget(self.outsider_radio)
        who.addStretch(1)
        holder = QWidget()
        holder.setLayout(who)
        form.addRow(self.tr("利用者"), holder)
        self.staff = QComboBox(objectName="applicant_user_id")
        self.staff.addItem(self.tr("（请选择）"), None)
        for b in borrowers:
            self.staff.addItem(f"{b.display_name}（{b.username}）", b.id)
        _row(form, self.errors, self.tr("本单位人员"), self.staff, "applicant_user_id")
        self.department = QLineEdit(objectName="department")
        self.department.setPlaceholderText(self.tr("部门（本单位人员按登记的部门自动填写）"))
        _row(form, self.errors, self.tr("部门"), self.department, "department")
        self.name = QLineEdit(objectName="applicant_name")
        _row(form, self.errors, self.tr("外单位人员姓名"), self.name, "applicant_name")
        self.unit = QLineEdit(objectName="unit")
        _row(form, self.errors, self.tr("所在单位"), self.unit, "unit")
        self.credential = QComboBox(objectName="credential")
        self.credential.addItem(self.tr("（请选择）"), None)
        for key, label in CREDENTIAL_LABELS.items():
            self.credential.addItem(self.tr(label), key.value)
        _row(form, self.errors, self.tr("证件"), self.credential, "credential")
        self.credential_number = QLineEdit(objectName="credential_number")
        self.credential_number.setPlaceholderText(self.tr("介绍信编号或工作证号"))
        _row(form, self.errors, self.tr("证件编号"), self.credential_number, "credential_number")
        self.phone = QLineEdit(objectName="phone")
        _row(form, self.errors, self.tr("联系电话"), self.phone, "phone")
        self.purpose = QComboBox(objectName="purpose")
        self.purpose.setEditable(True)
        self.purpose.addItems([self.tr(p) for p in PURPOSES])
        self.purpose.setCurrentText("")
        _row(form, self.errors, self.tr("利用目的"), self.purpose, "use_purpose")
        self.reason = QPlainTextEdit(objectName="reason")
        self.reason.setFixedHeight(50)
        _row(form, self.errors, self.tr("理由"), self.reason, "reason")
        until = QHBoxLayout()
        self.until_set = QCheckBox(self.tr("指定归还日期"), objectName="requested_until_set")
        self.until = QDateEdit(objectName="requested_until")
        self.until.setDisplayFormat("yyyy-MM-dd")
        self.until.setCalendarPopup(True)
        self.until.setDate(QDate(today.year, today.month, today.day))
        self.until.setEnabled(False)
        self.until_set.toggled.connect(self.until.setEnabled)
        until.addWidget(self.until_set)
        until.addWidget(self.until, 1)
        holder = QWidget()
        holder.setLayout(until)
        _row(form, self.errors, self.tr("借阅期限"), holder, "requested_until")
        self.scan = QLineEdit(objectName="volume_scan")
        self.scan.setPlaceholderText(self.tr("扫描案卷二维码或输入档号，回车加入"))
        self.scan.returnPressed.connect(self.add_scanned)
        _row(form, self.errors, self.tr("添加案卷"), self.scan, "scan")
        self.volume_list = QListWidget(objectName="volume_list")
        self.volume_list.setFixedHeight(80)
        _row(form, self.errors, self.tr("利用的案卷"), self.volume_list, "volumes")
        copy = QHBoxLayout()
        self.pages = QLineEdit(objectName="pages")
        self.pages.setPlaceholderText(self.tr("复制页码，如 1-5,8"))
        self.page_count = QSpinBox(objectName="page_count")
        self.page_count.setRange(0, 99_999)
        self.page_count.setSuffix(self.tr(" 页"))
        self.copies = QSpinBox(objectName="copies")
        self.copies.setRange(1, 99)
        self.copies.setSuffix(self.tr(" 份"))
        copy.addWidget(self.pages, 1)
        copy.addWidget(self.page_count)
        copy.addWidget(self.copies)
        self.copy_box = QWidget()
        self.copy_box.setLayout(copy)
        form.addRow(self.tr("复制/摘抄"), self.copy_box)
        layout.addLayout(form)
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        self.buttons = _buttons(self, "登记申请")
        self.buttons.accepted.connect(self.save)
        layout.addWidget(self.buttons)
        self.staff_radio.toggled.connect(self._who_changed)
        self.staff.currentIndexChanged.connect(self._staff_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._who_changed()
        self._kind_changed()
        self.resize(560, 720)

    def _who_changed(self) -> None:
        staff = self.staff_radio.isChecked()
        self.staff.setEnabled(staff)
        for widget in (self.name, self.unit, self.credential, self.credential_number):
            widget.setEnabled(not staff)

    def _staff_changed(self) -> None:
        user_id = self.staff.currentData()
        for b in self._borrowers:
            if b.id == user_id and b.department:
                self.department.setText(b.department)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.copy_box.setEnabled(kind in ("copy", "excerpt", "external"))
        self.until_set.setEnabled(kind == "loan")

    def add_scanned(self) -> None:
        """Find the scanned or typed 档号 and add the volume."""
        text = self.scan.text().strip()
        if not text:
            return
        label = self.errors.label_for("scan")
        label.hide()
        try:
            rows = self._lookup(text)
        except AppError as exc:
            label.setText(message_for(exc))
            label.show()
            return
        if len(rows) != 1:
            label.setText(
                self.tr("没有找到该档号的案卷") if not rows else self.tr("请输入完整的档号")
            )
            label.show()
            return
        row = rows[0]
        if row.id not in self.volume_ids:
            self.volume_ids.append(row.id)
            marking = f"　{row.secrecy}" if row.secrecy else ""
            QListWidgetItem(f"{row.reference_code}　{row.title}{marking}", self.volume_list)
        self.scan.clear()

    def draft(self) -> ApplicationDraft:
        """The typed application."""
        kind = str(self.kind.currentData())
        copying = kind in ("copy", "excerpt", "external")
        staff = self.staff_radio.isChecked()
        return ApplicationDraft(
            kind=kind,
            purpose=self.purpose.currentText(),
            volumes=tuple(
                RequestedVolume(
                    v,
                    pages=self.pages.text() if copying else "",
                    page_count=self.page_count.value() if copying else 0,
                    copies=self.copies.value() if copying else 1,
                )
                for v in self.volume_ids
            ),
            applicant_user_id=self.staff.currentData() if staff else None,
            applicant_name="" if staff else self.name.text(),
            outsider=not staff,
            unit="" if staff else self.unit.text(),
            department=self.department.text(),
            credential=None if staff else self.credential.currentData(),
            credential_number="" if staff else self.credential_number.text(),
            phone=self.phone.text(),
            reason=self.reason.toPlainText(),
            requested_until=(
                date(self.until.date().year(), self.until.date().month(), self.until.date().day())
                if self.until_set.isChecked() and kind == "loan"
                else None
            ),
        )

    def save(self) -> None:
        """File the application; show errors next to the fields."""
        _save_form(self)


class ApproverSignInDialog(QDialog):
    """审批人登录: the approver types their own name and password at the desk."""

    def __init__(self, parent: QWidget | None, context: AppContext) -> None:
        super().__init__(parent)
        self.setObjectName("ApproverSignInDialog")
        self.setWindowTitle(self.tr("审批人登录"))
        self._context = context
        self.session: SignedIn | None = None
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr("请审批人本人输入用户名和密码。审批结束后自动退出，不影响档案管理员的登录。")
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("用户名"), self.username)
        form.addRow(self.tr("密码"), self.password)
        layout.addLayout(form)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = _buttons(self, "登录")
        self.buttons.accepted.connect(self.attempt)
        layout.addWidget(self.buttons)

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


class ApprovalDialog(QDialog):
    """The approver's queue: read an application, then 同意 or 驳回 with an opinion."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent)
        self.setObjectName("ApprovalDialog")
        actor = session.actor
        self.setWindowTitle(self.tr("审批 — {0}").format(actor.display_name))
        self._context = context
        self._session = session
        self.decided = 0
        layout = QVBoxLayout(self)
        self.queue = QTableWidget(objectName="approval_queue")
        self.queue.setColumnCount(6)
        self.queue.setHorizontalHeaderLabels(
            [self.tr(t) for t in ("申请编号", "利用方式", "利用者", "利用目的", "案卷", "密级")]
        )
        self.queue.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.queue.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.queue.horizontalHeader().setStretchLastSection(True)
        self.queue.verticalHeader().hide()
        for col, width in enumerate((130, 80, 80, 130, 300)):
            self.queue.setColumnWidth(col, width)
        self.queue.itemSelectionChanged.connect(self._show_selected)
        layout.addWidget(self.queue, 1)
        self.detail = QLabel(objectName="application_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        form = QFormLayout()
        self.opinion = QLineEdit(objectName="opinion")
        self.opinion.setPlaceholderText(self.tr("同意时可留空；驳回时必须写明理由"))
        form.addRow(self.tr("审批意见"), self.opinion)
        layout.addLayout(form)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.approve_button = QPushButton(self.tr("同意"), objectName="approve")
        self.reject_button = QPushButton(self.tr("驳回"), objectName="reject")
        self.close_button = QPushButton(self.tr("完成"), objectName="close")
        self.approve_button.clicked.connect(lambda: self.decide(approve=True))
        self.reject_button.clicked.connect(lambda: self.decide(approve=False))
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.rows: list[ApplicationRow] = []
        self.refresh()
        self.resize(820, 520)

    def refresh(self) -> None:
        """Reload the queue."""
        try:
            self.rows = approval_queue(session=self._session, clock=self._context.clock)
        except AppError as exc:
            self.error.setText(message_for(exc))
            self.rows = []
        self.queue.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            for col, text in enumerate(
                (r.number, r.kind_label, r.applicant, r.purpose, r.volumes, r.secrecy)
            ):
                self.queue.setItem(n, col, QTableWidgetItem(text))
        if not self.rows:
            self.detail.setText(self.tr("没有等待您审批的申请。"))
        else:
            self.queue.selectRow(0)
        self.approve_button.setEnabled(bool(self.rows))
        self.reject_button.setEnabled(bool(self.rows))

    def selected(self) -> ApplicationRow | None:
        """The application selected in the queue."""
        rows = self.queue.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _show_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            view = get_application(
                session=self._session, application_id=row.id, clock=self._context.clock
            )
        except AppError as exc:
            self.detail.setText(message_for(exc))
            return
        volumes = "；".join(
            f"{v.reference_code} {v.title}" + (f"（{v.secrecy}）" if v.secrecy else "")
            for v in view.volumes
        )
        signed = "；".join(f"{a.title} {a.approver}：{a.opinion}" for a in view.approvals)
        self.detail.setText(
            self.tr(
                "{0}　{1}　利用者：{2}（{3}）\n利用目的：{4}　理由：{5}\n案卷：{6}\n"
                "审批环节：{7}\n已签：{8}"
            ).format(
                view.row.number,
                view.row.kind_label,
                view.row.applicant,
                view.row.unit or view.row.department,
                view.row.purpose,
                view.reason or "—",
                volumes,
                " → ".join(view.steps),
                signed or "—",
            )
        )

    def decide(self, *, approve: bool) -> None:
        """Sign the selected application's step, or reject it with the opinion as reason."""
        row = self.selected()
        if row is None:
            return
        self.error.clear()
        clock = self._context.clock
        try:
            if approve:
                approve_application(
                    session=self._session,
                    application_id=row.id,
                    opinion=self.opinion.text(),
                    clock=clock,
                )
            else:
                reject_application(
                    session=self._session,
                    application_id=row.id,
                    reason=self.opinion.text(),
                    clock=clock,
                )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        self.decided += 1
        self.opinion.clear()
        self.refresh()


class ReturnDialog(QDialog):
    """归还: the expected counts from the 卷内目录; the operator confirms the face-to-face count."""

    def __init__(
        self,
        parent: QWidget | None,
        check: ReturnCheck,
        submit: Callable[[ReturnDialog], Any],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReturnDialog")
        self.setWindowTitle(self.tr("归还 — {0}").format(check.number))
        self._submit = submit
        self.errors = FieldErrors()
        self.result_value: Any = None
        layout = QVBoxLayout(self)
        late = self.tr("　已逾期 {0} 天").format(check.overdue_days) if check.overdue_days else ""
        info = QLabel(
            self.tr("{0}　{1}{2}\n利用者：{3}　{4}　借出 {5}　应还 {6}{7}").format(
                check.reference_code,
                check.title,
                f"（{check.secrecy}）" if check.secrecy else "",
                check.borrower,
                check.kind_label,
                check.issued_on.isoformat(),
                check.due_on.isoformat(),
                late,
            ),
            objectName="return_info",
        )
        info.setWordWrap(True)
        layout.addWidget(info)
        expected = QGroupBox(self.tr("应有（按卷内目录）"))
        box = QHBoxLayout(expected)
        self.expected_label = QLabel(
            self.tr("{0} 件，{1} 页").format(check.expected_items, check.expected_pages),
            objectName="expected",
        )
        self.expected_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        box.addWidget(self.expected_label)
        layout.addWidget(expected)
        form = QFormLayout()
        self.counted_items = QSpinBox(objectName="counted_items")
        self.counted_items.setRange(0, 9_999)
        self.counted_items.setValue(check.expected_items)
        self.counted_pages = QSpinBox(objectName="counted_pages")
        self.counted_pages.setRange(0, 99_999)
        self.counted_pages.setValue(check.expected_pages)
        self.condition = QComboBox(objectName="condition")
        for key, label in CONDITION_LABELS.items():
            self.condition.addItem(self.tr(label), key.value)
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("短缺或损坏时写明情况（将生成损坏/遗失报告）"))
        self.to_repair = QCheckBox(self.tr("送修（不回原位）"), objectName="to_repair")
        self.effect = QLineEdit(objectName="effect")
        self.effect.setPlaceholderText(self.tr("利用效果，如：已解决客户投诉"))
        self.face_to_face = QCheckBox(
            self.tr("已与利用者当面清点页数和完好情况"), objectName="counted_face_to_face"
        )
        for label, widget, field in (
            (self.tr("清点件数"), self.counted_items, "counted_items"),
            (self.tr("清点页数"), self.counted_pages, "counted_pages"),
            (self.tr("完好情况"), self.condition, "condition"),
            (self.tr("情况说明"), self.note, "note"),
            (self.tr("去向"), self.to_repair, "to_repair"),
            (self.tr("利用效果"), self.effect, "effect"),
            (self.tr("当面点清"), self.face_to_face, "counted_face_to_face"),
        ):
            _row(form, self.errors, label, widget, field)
        self.condition.currentIndexChanged.connect(
            lambda _i: self.to_repair.setChecked(
                self.condition.currentData() == Condition.DAMAGED.value
            )
        )
        layout.addLayout(form)
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        self.buttons = _buttons(self, "归还注销")
        self.buttons.accepted.connect(self.save)
        layout.addWidget(self.buttons)
        self.resize(520, 480)

    def count(self) -> ReturnCount:
        """What was counted."""
        return ReturnCount(
            counted_pages=self.counted_pages.value(),
            counted_items=self.counted_items.value(),
            condition=str(self.condition.currentData()),
            face_to_face=self.face_to_face.isChecked(),
            note=self.note.text(),
            to_repair=self.to_repair.isChecked(),
            effect=self.effect.text(),
        )

    def save(self) -> None:
        """Close the entry; errors next to the fields."""
        _save_form(self)


class TextDialog(QDialog):
    """Asks for one required text (a renewal reason, a report's resolution)."""

    def __init__(self, parent: QWidget | None, title: str, label: str) -> None:
        super().__init__(parent)
        self.setObjectName("TextDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.text = QLineEdit(objectName="text")
        form.addRow(label, self.text)
        layout.addLayout(form)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        buttons = _buttons(self, "确定")
        buttons.accepted.connect(self._ok)
        layout.addWidget(buttons)

    def _ok(self) -> None:
        if not self.text.text().strip():
            self.error.setText(self.tr("不能为空"))
            return
        self.accept()
