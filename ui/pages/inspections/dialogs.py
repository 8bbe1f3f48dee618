"""The forms of the 检查 page: a new session, closing a session, a finding with a repair task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.domain import inspections as rules
from app.domain.inspection_rows import InspectionDraft, InspectionRow, Inspector, TaskDraft
from app.errors import FieldError, ValidationFailed
from app.services import inspections as svc
from app.services import locations
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.widgets.dates import date_edit, day_of


class NewInspectionDialog(FormDialog):
    """Kind, room, scope, date and inspectors of a new session; starts it on save."""

    def __init__(self, parent: QWidget, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("新建库房检查"), object_name="new_inspection_dialog")
        self._context, self._session = context, session
        self.general.setObjectName("new_inspection_error")
        self.kind = QComboBox(objectName="inspection_kind")
        for kind, label in rules.KIND_LABELS.items():
            self.kind.addItem(self.tr(label), kind.value)
        self.room = QComboBox(objectName="inspection_room")
        for row in svc.list_inspection_schedule(session=session, clock=context.clock):
            self.room.addItem(f"{row.room_code} {row.room_name}", row.room_id)
        self.scope = QComboBox(objectName="inspection_scope")
        for scope, label in rules.SCOPE_LABELS.items():
            self.scope.addItem(self.tr(label), scope.value)
        self.parts = QListWidget(objectName="inspection_parts")
        self.parts.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.parts.setMaximumHeight(120)
        self.day = date_edit("inspection_day", context.clock.now().astimezone().date())
        self.me = QCheckBox(
            self.tr("我（{0}）").format(session.actor.display_name), objectName="inspector_me"
        )
        self.me.setChecked(True)
        self.others = QLineEdit(objectName="inspector_names")
        self.others.setPlaceholderText(self.tr("其他检查人姓名，用顿号或逗号分隔"))
        self.add_field(self.tr("检查类型"), self.kind, "inspection_kind")
        self.add_field(self.tr("库房"), self.room, "room")
        self.form.addRow(self.tr("范围"), self.scope)
        self.watch(self.scope, "scope")
        self.add_field(self.tr("密集架/柜/面"), self.parts, "scope")
        self.add_field(self.tr("检查日期"), self.day, "inspected_on")
        self.form.addRow(self.tr("检查人"), self.me)
        self.watch(self.me, "inspectors")
        self.add_field("", self.others, "inspectors")
        self.finish()
        self.room.currentIndexChanged.connect(self._load_parts)
        self.scope.currentIndexChanged.connect(self._load_parts)
        self._load_parts()

    @property
    def inspection_id(self) -> int | None:
        """The id of the session started (None until saved)."""
        return self.result_value if isinstance(self.result_value, int) else None

    def _load_parts(self) -> None:
        self.parts.clear()
        scope = self.scope.currentData()
        self.parts.setEnabled(scope != rules.ScopeKind.ROOM.value)
        room = self.room.currentData()
        if room is None or scope == rules.ScopeKind.ROOM.value:
            return
        wanted = {"shelves": ("shelf", "cabinet"), "face": ("face", "cabinet")}[scope]
        for choice in svc.list_scope_choices(
            session=self._session, room_id=room, clock=self._context.clock
        ):
            if choice.kind in wanted:
                item = QListWidgetItem(choice.code, self.parts)
                item.setData(Qt.ItemDataRole.UserRole, choice.id)

    def draft(self) -> InspectionDraft:
        """What was entered."""
        names = [
            n.strip() for n in self.others.text().replace("，", ",").replace("、", ",").split(",")
        ]
        people = [Inspector(name=n) for n in names if n]
        if self.me.isChecked():
            people.insert(0, Inspector(user_id=self._session.actor.user_id))
        return InspectionDraft(
            kind=str(self.kind.currentData()),
            room_id=self.room.currentData(),
            scope_kind=str(self.scope.currentData()),
            scope_ids=tuple(
                int(i.data(Qt.ItemDataRole.UserRole)) for i in self.parts.selectedItems()
            ),
            inspected_on=day_of(self.day),
            inspectors=tuple(people),
        )

    def submit(self) -> int:
        """Start the session; returns its id."""
        return svc.start_inspection(
            session=self._session, draft=self.draft(), clock=self._context.clock
        )


class CloseDialog(FormDialog):
    """Measures, review and the explicit carry-over of open differences; closes on save."""

    def __init__(
        self, parent: QWidget, context: AppContext, session: SignedIn, current: InspectionRow
    ) -> None:
        super().__init__(parent, title=self.tr("结束检查"), object_name="close_inspection_dialog")
        self._context, self._session, self._id = context, session, current.id
        self.measures = QLineEdit(objectName="close_measures")
        self.review = QLineEdit(objectName="close_review")
        self.carry = QCheckBox(
            self.tr("未处理的 {0} 项差异转下次检查").format(current.open_differences),
            objectName="close_carry",
        )
        self.carry.setEnabled(current.open_differences > 0)
        self.add_field(self.tr("处理措施"), self.measures, "measures")
        self.add_field(self.tr("复查"), self.review, "review")
        self.add_field("", self.carry, "carry_over")
        self.finish()

    def submit(self) -> None:
        """Close the session."""
        svc.close_inspection(
            session=self._session,
            inspection_id=self._id,
            measures=self.measures.text(),
            review=self.review.text(),
            carry_over=self.carry.isChecked(),
            clock=self._context.clock,
        )


class FindingDialog(FormDialog):
    """A condition found on a volume (scanned or typed 档号) and, optionally, a repair task."""

    def __init__(
        self,
        parent: QWidget,
        context: AppContext,
        session: SignedIn,
        current: InspectionRow | None,
    ) -> None:
        super().__init__(parent, title=self.tr("登记发现的问题"), object_name="finding_dialog")
        self._context, self._session, self._current = context, session, current
        self.general.setObjectName("finding_error")
        self.volume = QLineEdit(objectName="finding_volume")
        self.volume.setProperty("handles_scans", True)
        self.volume.setPlaceholderText(self.tr("扫描或输入档号"))
        self.kind = QComboBox(objectName="finding_kind")
        for kind, label in rules.CONDITION_LABELS.items():
            if kind is not rules.ConditionKind.LOST:
                self.kind.addItem(self.tr(label), kind.value)
        self.description = QLineEdit(objectName="finding_description")
        self.task_kind = QComboBox(objectName="finding_task")
        self.task_kind.addItem(self.tr("不需要修复"), "")
        for task, label in rules.TASK_LABELS.items():
            self.task_kind.addItem(self.tr(label), task.value)
        self.responsible = QLineEdit(objectName="finding_responsible")
        self.responsible.setText(session.actor.display_name)
        due = context.clock.now().astimezone().date() + timedelta(days=14)
        self.due = date_edit("finding_due", due)
        self.send_out = QCheckBox(
            self.tr("现在送修（案卷显示“在修”，原位置保留）"), objectName="finding_send_out"
        )
        self.add_field(self.tr("案卷"), self.volume, "volume")
        self.add_field(self.tr("问题类型"), self.kind, "condition_kind")
        self.add_field(self.tr("问题描述"), self.description, "condition_description")
        self.add_field(self.tr("修复方式"), self.task_kind, "task_kind")
        self.add_field(self.tr("责任人"), self.responsible, "responsible")
        self.add_field(self.tr("完成期限"), self.due, "task_due_on")
        self.add_field("", self.send_out, "send_out")
        self.finish()

    def _volume_id(self) -> int:
        """The volume the scanned or typed 档号 names."""
        text = self.volume.text().strip()
        unknown = ValidationFailed([FieldError("volume", "required")])
        if not text:
            raise unknown
        try:
            target = locations.resolve_scan(
                session=self._session, text=text, clock=self._context.clock
            )
        except ValueError:
            raise unknown from None
        if target is None or target.kind.value != "volume":
            raise unknown
        return target.object_id

    def submit(self) -> Any:
        """Save the finding (and its task)."""
        volume_id = self._volume_id()
        task = None
        if self.task_kind.currentData():
            task = TaskDraft(
                kind=str(self.task_kind.currentData()),
                due_on=day_of(self.due),
                responsible_name=self.responsible.text(),
                send_out=self.send_out.isChecked(),
            )
        current = self._current
        live = current is not None and current.status != "closed" and not current.paused
        return svc.record_finding(
            session=self._session,
            volume_id=volume_id,
            kind=str(self.kind.currentData()),
            description=self.description.text(),
            inspection_id=current.id if live and current else None,
            task=task,
            clock=self._context.clock,
        )
