"""登记利用申请: kind, applicant (staff or outsider with letter/ID), purpose, volumes by scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.domain.loans import CREDENTIAL_LABELS, KIND_LABELS, UseKind
from app.errors import AppError
from app.services.catalogue import VolumeRow
from app.services.loans import ApplicationDraft, BorrowerRow, RequestedVolume
from ui.dialogs.form import FormDialog, add_form_row
from ui.errors import message_for
from ui.geometry import fit_to_screen
from ui.widgets.dates import date_edit, day_of

PURPOSES = ["核对合同条款", "客户投诉处理", "业务审计", "诉讼取证", "财务核对", "编写报告"]
COPY_KINDS = ("copy", "excerpt", "external")


def _row_of(*widgets: QWidget, stretch: QWidget | None = None) -> QWidget:
    """``widgets`` side by side in one form cell (``stretch`` takes the spare width)."""
    box = QHBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        box.addWidget(widget, 1 if widget is stretch else 0)
    if stretch is None:
        box.addStretch(1)
    holder = QWidget()
    holder.setLayout(box)
    return holder


class ApplicationDialog(FormDialog):
    """登记利用申请: kind, applicant (staff or outsider with letter/ID), purpose, volumes.

    ``lookup(text)`` finds volumes by scanned or typed 档号 (Enter in the scan field adds the
    volume, it never files the application); ``submit(dialog)`` files the application (raising
    AppError); errors appear next to their fields.
    """

    def __init__(
        self,
        parent: QWidget | None,
        borrowers: list[BorrowerRow],
        lookup: Callable[[str], list[VolumeRow]],
        submit: Callable[[ApplicationDialog], Any],
        today: date,
    ) -> None:
        super().__init__(
            parent,
            title="登记利用申请",
            object_name="ApplicationDialog",
            ok_text="登记申请",
        )
        self.setWindowTitle(self.tr("登记利用申请"))
        self._lookup = lookup
        self._submit = submit
        self._borrowers = borrowers
        self.volume_ids: list[int] = []
        self.kind = QComboBox(objectName="use_kind")
        for kind in UseKind:
            self.kind.addItem(self.tr(KIND_LABELS[kind]), kind.value)
        self.add_field(self.tr("利用方式"), self.kind, "use_kind")
        self.staff_radio = QRadioButton(self.tr("本单位人员"), objectName="staff_radio")
        self.outsider_radio = QRadioButton(self.tr("外单位人员"), objectName="outsider_radio")
        group = QButtonGroup(self)
        group.addButton(self.staff_radio)
        group.addButton(self.outsider_radio)
        self.staff_radio.setChecked(True)
        self.form.addRow(self.tr("利用者"), _row_of(self.staff_radio, self.outsider_radio))
        self.staff = QComboBox(objectName="applicant_user_id")
        self.staff.addItem(self.tr("（请选择）"), None)
        for b in borrowers:
            self.staff.addItem(f"{b.display_name}（{b.username}）", b.id)
        self.add_field(self.tr("本单位人员"), self.staff, "applicant_user_id")
        self.department = QLineEdit(objectName="department")
        self.department.setPlaceholderText(self.tr("部门（本单位人员按登记的部门自动填写）"))
        self.add_field(self.tr("部门"), self.department, "department")
        self.name = QLineEdit(objectName="applicant_name")
        self.add_field(self.tr("外单位人员姓名"), self.name, "applicant_name")
        self.unit = QLineEdit(objectName="unit")
        self.add_field(self.tr("所在单位"), self.unit, "unit")
        self.credential = QComboBox(objectName="credential")
        self.credential.addItem(self.tr("（请选择）"), None)
        for key, label in CREDENTIAL_LABELS.items():
            self.credential.addItem(self.tr(label), key.value)
        self.add_field(self.tr("证件"), self.credential, "credential")
        self.credential_number = QLineEdit(objectName="credential_number")
        self.credential_number.setPlaceholderText(self.tr("介绍信编号或工作证号"))
        self.add_field(self.tr("证件编号"), self.credential_number, "credential_number")
        self.phone = QLineEdit(objectName="phone")
        self.add_field(self.tr("联系电话"), self.phone, "phone")
        self.purpose = QComboBox(objectName="purpose")
        self.purpose.setEditable(True)
        self.purpose.addItems([self.tr(p) for p in PURPOSES])
        self.purpose.setCurrentText("")
        self.add_field(self.tr("利用目的"), self.purpose, "use_purpose")
        self.reason = QPlainTextEdit(objectName="reason")
        self.reason.setFixedHeight(50)
        self.add_field(self.tr("理由"), self.reason, "reason")
        self._build_period(today)
        self._build_volumes()
        self.finish(stretch=False)
        self.staff_radio.toggled.connect(self._who_changed)
        self.staff.currentIndexChanged.connect(self._staff_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._who_changed()
        self._kind_changed()
        fit_to_screen(self, 560, 720)

    def _build_period(self, today: date) -> None:
        self.until_set = QCheckBox(self.tr("指定归还日期"), objectName="requested_until_set")
        self.until = date_edit("requested_until", today)
        self.until.setEnabled(False)
        self.until_set.toggled.connect(self.until.setEnabled)
        holder = _row_of(self.until_set, self.until, stretch=self.until)
        add_form_row(self.form, self.errors, self.tr("借阅期限"), holder, "requested_until")
        self.watch(self.until_set, "requested_until")
        self.watch(self.until, "requested_until")

    def _build_volumes(self) -> None:
        self.scan = QLineEdit(objectName="volume_scan")
        self.scan.setPlaceholderText(self.tr("扫描案卷二维码或输入档号，回车加入"))
        self.add_field(self.tr("添加案卷"), self.scan, "scan")
        self.volume_list = QListWidget(objectName="volume_list")
        self.volume_list.setFixedHeight(80)
        self.add_field(self.tr("利用的案卷"), self.volume_list, "volumes")
        self.pages = QLineEdit(objectName="pages")
        self.pages.setPlaceholderText(self.tr("复制页码，如 1-5,8"))
        self.page_count = QSpinBox(objectName="page_count")
        self.page_count.setRange(0, 99_999)
        self.page_count.setSuffix(self.tr(" 页"))
        self.copies = QSpinBox(objectName="copies")
        self.copies.setRange(1, 99)
        self.copies.setSuffix(self.tr(" 份"))
        self.copy_box = _row_of(self.pages, self.page_count, self.copies, stretch=self.pages)
        self.form.addRow(self.tr("复制/摘抄"), self.copy_box)
        for widget, field in (
            (self.pages, "pages"),
            (self.page_count, "page_count"),
            (self.copies, "copies"),
        ):
            self.watch(widget, field)

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
        self.copy_box.setEnabled(kind in COPY_KINDS)
        self.until_set.setEnabled(kind == "loan")

    def enter_pressed(self, widget: QObject) -> None:
        """Enter in the scan field adds the scanned volume; elsewhere it moves on."""
        if widget is self.scan:
            self.add_scanned()
            return
        super().enter_pressed(widget)

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
        copying = kind in COPY_KINDS
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
                day_of(self.until) if self.until_set.isChecked() and kind == "loan" else None
            ),
        )

    def submit(self) -> Any:
        """File the application (the page's ``submit``)."""
        return self._submit(self)
