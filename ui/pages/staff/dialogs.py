"""The staff page's forms: a person, an agreement, a training, a department's 归档移交."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.domain.staff import previous_period
from app.errors import FieldError, ValidationFailed
from app.services import staff
from app.services.auth import SignedIn
from app.services.common import local_today
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.files import open_file_name
from ui.geometry import fit_to_screen
from ui.widgets.dates import date_edit, day_of, qdate


class _FilePicker(QWidget):
    """A 选择文件… button remembering the chosen path (content read on save, never logged)."""

    def __init__(self, context: AppContext, purpose: str, name: str) -> None:
        from PySide6.QtWidgets import QHBoxLayout, QLabel

        super().__init__(objectName=name)
        self._context, self._purpose = context, purpose
        self.path: Path | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("（未选择）"))
        button = QPushButton(self.tr("选择文件…"), objectName=f"{name}_choose")
        button.clicked.connect(self.choose)
        row.addWidget(self.label, 1)
        row.addWidget(button)

    def choose(self) -> None:
        """Pick a scan or material file (PDF, image, text, Office)."""
        chosen = open_file_name(
            self,
            self._purpose,
            self.tr("选择文件"),
            self.tr("扫描件或资料 (*.pdf *.jpg *.png *.tif *.txt *.docx *.pptx)"),
        )
        if chosen:
            self.set_path(Path(chosen))

    def set_path(self, path: Path | None) -> None:
        """Choose ``path`` (tests, or None to clear)."""
        self.path = path
        self.label.setText(self.tr("已选择 1 个文件") if path else self.tr("（未选择）"))

    def attachment(self) -> staff.Attachment | None:
        """The chosen file's name and content."""
        if self.path is None:
            return None
        return staff.Attachment(self.path.name, self.path.read_bytes())


class PersonDialog(FormDialog):
    """New or changed staff record (an account may be linked)."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        departments: Sequence[staff.DepartmentRow],
        accounts: Sequence[tuple[int, str]],
        person: staff.PersonRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("修改人员") if person else self.tr("新增人员")
        super().__init__(parent, title=title, object_name="PersonDialog")
        self._context, self._session, self._person = context, session, person
        self.name = self.add_field(self.tr("姓名"), QLineEdit(objectName="person_name"), "name")
        self.department = QComboBox(objectName="person_department")
        self.department.addItem(self.tr("（无）"), None)
        for d in departments:
            self.department.addItem(d.name, d.id)
        self.add_field(self.tr("部门"), self.department, "department")
        self.post = self.add_field(self.tr("岗位"), QLineEdit(objectName="person_post"), "post")
        self.contact = QLineEdit(objectName="person_contact")
        self.contact.setPlaceholderText(self.tr("手机或座机；修改时留空表示不变"))
        self.add_field(self.tr("联系电话"), self.contact, "contact")
        self.account = QComboBox(objectName="person_account")
        self.account.addItem(self.tr("（无账户）"), None)
        for uid, label in accounts:
            self.account.addItem(label, uid)
        self.add_field(self.tr("系统账户"), self.account, "username")
        self.joined = self.add_field(
            self.tr("登记日期"),
            date_edit("person_joined", local_today(context.clock)),
            "joined_on",
        )
        if person is not None:
            self.name.setText(person.name)  # type: ignore[attr-defined]
            self.department.setCurrentIndex(max(0, self.department.findData(person.department_id)))
            self.post.setText(person.post)  # type: ignore[attr-defined]
            self.account.setCurrentIndex(max(0, self.account.findData(person.user_id)))
            self.joined.setDate(qdate(person.joined_on))  # type: ignore[attr-defined]
        self.finish()
        fit_to_screen(self, 460, 360)

    def submit(self) -> Any:
        """Register or update the person."""
        draft = staff.PersonDraft(
            name=self.name.text(),  # type: ignore[attr-defined]
            department_id=self.department.currentData(),
            post=self.post.text(),  # type: ignore[attr-defined]
            contact=self.contact.text(),
            user_id=self.account.currentData(),
            joined_on=day_of(self.joined),  # type: ignore[arg-type]
        )
        clock = self._context.clock
        if self._person is None:
            return staff.register_person(session=self._session, draft=draft, clock=clock)
        staff.update_person(
            session=self._session,
            person_id=self._person.id,
            draft=draft,
            expected_version=self._person.version,
            clock=clock,
        )
        return self._person.id


class AgreementDialog(FormDialog):
    """A signed 保密协议 with its scanned copy (stored encrypted)."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        person: staff.PersonRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("登记保密协议 - {0}").format(person.name),
            object_name="AgreementDialog",
        )
        self._context, self._session, self._person = context, session, person
        today = local_today(context.clock)
        self.signed = self.add_field(
            self.tr("签订日期"), date_edit("agreement_signed", today), "signed_on"
        )
        self.until = date_edit(
            "agreement_until", date(today.year + 3, today.month, min(today.day, 28))
        )
        self.add_field(self.tr("有效期至"), self.until, "valid_until")
        self.open_ended = QCheckBox(
            self.tr("长期有效（无终止日期）"), objectName="agreement_open_ended"
        )
        self.open_ended.toggled.connect(lambda on: self.until.setEnabled(not on))
        self.add_field("", self.open_ended, "open_ended")
        self.scan = _FilePicker(context, "staff_scan", "agreement_scan")
        self.add_field(self.tr("扫描件"), self.scan, "scan")
        self.note = self.add_field(self.tr("备注"), QLineEdit(objectName="agreement_note"), "note")
        self.finish()
        fit_to_screen(self, 460, 320)

    def submit(self) -> Any:
        """Record the agreement."""
        return staff.record_agreement(
            session=self._session,
            person_id=self._person.id,
            signed_on=day_of(self.signed),  # type: ignore[arg-type]
            valid_until=None if self.open_ended.isChecked() else day_of(self.until),
            clock=self._context.clock,
            scan=self.scan.attachment(),
            note=self.note.text(),  # type: ignore[attr-defined]
        )


class TrainingDialog(FormDialog):
    """A 保密培训 session and who attended."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        people: Sequence[staff.PersonRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, title=self.tr("登记保密培训"), object_name="TrainingDialog")
        self._context, self._session = context, session
        self.held = self.add_field(
            self.tr("培训日期"), date_edit("training_date", local_today(context.clock)), "held_on"
        )
        self.topic = self.add_field(
            self.tr("主题"), QLineEdit(objectName="training_topic"), "topic"
        )
        self.topic.setText(self.tr("客户信息保护意识培训"))  # type: ignore[attr-defined]
        self.trainer = self.add_field(
            self.tr("培训人"), QLineEdit(objectName="training_trainer"), "trainer"
        )
        self.hours = QDoubleSpinBox(objectName="training_hours")
        self.hours.setRange(0.5, 100)
        self.hours.setSingleStep(0.5)
        self.hours.setValue(2)
        self.add_field(self.tr("学时（小时）"), self.hours, "hours")
        self.attendees = QListWidget(objectName="training_attendees")
        for p in people:
            if p.state == "left":
                continue
            item = QListWidgetItem(f"{p.name}（{p.department or '—'}）", self.attendees)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.add_field(self.tr("参加人员"), self.attendees, "attendees")
        self.material = _FilePicker(context, "staff_training", "training_material")
        self.add_field(self.tr("培训资料"), self.material, "material")
        self.finish(stretch=False)
        fit_to_screen(self, 500, 560)

    def check_all(self) -> None:
        """Tick every attendee (tests, and the common case of a whole-company session)."""
        for i in range(self.attendees.count()):
            self.attendees.item(i).setCheckState(Qt.CheckState.Checked)

    def submit(self) -> Any:
        """Record the training."""
        ids = [
            self.attendees.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.attendees.count())
            if self.attendees.item(i).checkState() == Qt.CheckState.Checked
        ]
        return staff.record_training(
            session=self._session,
            held_on=day_of(self.held),  # type: ignore[arg-type]
            topic=self.topic.text(),  # type: ignore[attr-defined]
            trainer=self.trainer.text(),  # type: ignore[attr-defined]
            hours=self.hours.value(),
            attendee_ids=ids,
            clock=self._context.clock,
            material=self.material.attachment(),
        )


class FilingDialog(FormDialog):
    """A department's monthly 归档移交: scanned 档号, described material, the clerk confirms."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        departments: Sequence[staff.DepartmentRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("归档移交"),
            object_name="FilingDialog",
            ok_text=self.tr("确认移交"),
        )
        self._context, self._session = context, session
        self.department = QComboBox(objectName="filing_department")
        for d in departments:
            if d.filing_clerk_id is not None:
                self.department.addItem(f"{d.name}（归档专人：{d.filing_clerk_name}）", d.id)
        self.add_field(self.tr("移交部门"), self.department, "department")
        self.period = QLineEdit(
            previous_period(local_today(context.clock)), objectName="filing_period"
        )
        self.add_field(self.tr("归档月份"), self.period, "period")
        self.codes = QPlainTextEdit(objectName="filing_codes")
        self.codes.setPlaceholderText(self.tr("逐行扫描或输入案卷档号"))
        self.add_field(self.tr("案卷（档号）"), self.codes, "volume")
        self.extra = QPlainTextEdit(objectName="filing_lines")
        self.extra.setPlaceholderText(self.tr("未立卷的材料，每行：内容,件数,页数"))
        self.add_field(self.tr("其他材料"), self.extra, "lines")
        self.note = self.add_field(self.tr("说明"), QLineEdit(objectName="filing_note"), "note")
        self.clerk_user = self.add_field(
            self.tr("归档专人用户名"), QLineEdit(objectName="filing_clerk_user"), "clerk_username"
        )
        self.clerk_password = QLineEdit(objectName="filing_clerk_password")
        self.clerk_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(self.tr("归档专人密码"), self.clerk_password, "clerk_password")
        self.paper = QCheckBox(
            self.tr("归档专人无系统账户，在纸质清单上签字"), objectName="filing_paper"
        )
        self.add_field("", self.paper, "paper_signature")
        self.finish(stretch=False)
        fit_to_screen(self, 560, 620)

    def _volume_ids(self) -> list[int]:
        from app.services.loans import volume_id_for_scan

        ids: list[int] = []
        for n, line in enumerate(t for t in self.codes.toPlainText().splitlines() if t.strip()):
            volume_id = volume_id_for_scan(
                session=self._session, scan=line.strip(), clock=self._context.clock
            )
            if volume_id is None:
                raise ValidationFailed([FieldError("volume", "not_found", {"line": n + 1})])
            ids.append(int(volume_id))
        return ids

    def _lines(self) -> list[staff.FilingLine]:
        out = []
        for line in (t for t in self.extra.toPlainText().splitlines() if t.strip()):
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            try:
                items, pages = int(parts[1]), int(parts[2])
            except (IndexError, ValueError):
                raise ValidationFailed(
                    [FieldError("lines", "format", {"expected": "内容,件数,页数"})]
                ) from None
            out.append(staff.FilingLine(parts[0], items, pages))
        return out

    def submit(self) -> Any:
        """Record the hand-over (the clerk's password is checked by the service)."""
        return staff.record_filing_handover(
            session=self._session,
            department_id=self.department.currentData(),
            period=self.period.text(),
            volume_ids=self._volume_ids(),
            lines=self._lines(),
            clerk_username=self.clerk_user.text(),  # type: ignore[attr-defined]
            clerk_password=self.clerk_password.text(),
            paper_signature=self.paper.isChecked(),
            note=self.note.text(),  # type: ignore[attr-defined]
            clock=self._context.clock,
        )


class StaffPolicyDialog(FormDialog):
    """人员制度: training interval and grace, warning days, filing day, review interval."""

    FIELDS = (
        ("training_interval_months", "培训周期（月）", 1, 60),
        ("training_grace_days", "培训逾期宽限（天）", 0, 180),
        ("warn_days", "提前提醒（天）", 0, 180),
        ("filing_day", "每月归档移交截止日", 1, 28),
        ("review_months", "访问权限审查周期（月）", 1, 24),
        ("upgrade_grace_days", "升级过渡期（天）", 0, 365),
    )

    def __init__(
        self, context: AppContext, session: SignedIn, parent: QWidget | None = None
    ) -> None:
        from PySide6.QtWidgets import QSpinBox

        super().__init__(parent, title=self.tr("人员制度"), object_name="StaffPolicyDialog")
        self._context, self._session = context, session
        current = staff.get_staff_policy(session=session, clock=context.clock)
        self.boxes: dict[str, QSpinBox] = {}
        for key, label, low, high in self.FIELDS:
            box = QSpinBox(objectName=f"policy_{key}")
            box.setRange(low, high)
            box.setValue(getattr(current, key))
            self.boxes[key] = box
            self.add_field(self.tr(label), box, key)
        self.finish()
        fit_to_screen(self, 420, 300)

    def submit(self) -> Any:
        """Save the policy."""
        from app.domain.staff import StaffPolicy

        policy = StaffPolicy(**{key: box.value() for key, box in self.boxes.items()})
        staff.set_staff_policy(session=self._session, policy=policy, clock=self._context.clock)
        return policy
