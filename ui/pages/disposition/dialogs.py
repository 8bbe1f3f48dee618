"""The forms of the 鉴定销毁 page: appraisal, decision, list, text, carrying out, hold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.domain import disposition as rules
from app.errors import FieldError, ValidationFailed
from app.services import disposition as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen
from ui.widgets.dates import date_edit, day_of


def _multi(name: str) -> QListWidget:
    box = QListWidget(objectName=name)
    box.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
    box.setMaximumHeight(150)
    return box


def _chosen(box: QListWidget) -> list[int]:
    return [int(i.data(Qt.ItemDataRole.UserRole)) for i in box.selectedItems()]


class StartAppraisalDialog(FormDialog):
    """Appraisers (two or more; the first chosen leads) and the date of a new appraisal."""

    def __init__(self, parent: QWidget, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("开始鉴定"), object_name="start_appraisal_dialog")
        self._context, self._session = context, session
        self.people = _multi("appraisers")
        for staff in svc.list_disposition_staff(session=session, clock=context.clock):
            item = QListWidgetItem(f"{staff.display_name}（{staff.username}）", self.people)
            item.setData(Qt.ItemDataRole.UserRole, staff.id)
        self.day = date_edit("appraised_on", context.clock.now().astimezone().date())
        self.opinion = QLineEdit(objectName="appraisal_opinion")
        self.add_field(self.tr("鉴定人（至少两名）"), self.people, "appraisers")
        self.add_field(self.tr("鉴定日期"), self.day, "appraised_on")
        self.add_field(self.tr("说明"), self.opinion, "opinion")
        self.finish()
        fit_to_screen(self, 480, 380)

    def submit(self) -> svc.AppraisalRef:
        """Open the appraisal."""
        return svc.start_appraisal(
            session=self._session,
            appraiser_ids=_chosen(self.people),
            appraised_on=day_of(self.day),
            opinion=self.opinion.text(),
            clock=self._context.clock,
        )


class DecisionDialog(FormDialog):
    """A volume's decision: 销毁 / 延长保管 (last year, reason) / 转为永久 / 移交 (recipient)."""

    def __init__(
        self,
        parent: QWidget,
        context: AppContext,
        session: SignedIn,
        appraisal_id: int,
        volume: svc.QueueRow,
    ) -> None:
        super().__init__(parent, title=self.tr("鉴定结论"), object_name="decision_dialog")
        self._context, self._session = context, session
        self._appraisal_id, self._volume_id = appraisal_id, volume.volume_id
        self.decision = QComboBox(objectName="decision")
        for d in rules.Decision:
            self.decision.addItem(self.tr(d.label), d.value)
        year = context.clock.now().astimezone().year
        self.until = QSpinBox(objectName="new_until")
        self.until.setRange(year + 1, year + rules.MAX_EXTENSION_YEARS)
        self.until.setValue(year + 5)
        self.reason = QLineEdit(objectName="decision_reason")
        self.recipient = QLineEdit(objectName="recipient")
        self.opinion = QLineEdit(objectName="decision_opinion")
        self.form.addRow(self.tr("案卷"), QLineEdit(volume.reference_code, readOnly=True))
        self.add_field(self.tr("结论"), self.decision, "decision")
        self.add_field(self.tr("延长至（年）"), self.until, "new_until")
        self.add_field(self.tr("理由"), self.reason, "reason")
        self.add_field(self.tr("接收单位"), self.recipient, "recipient")
        self.add_field(self.tr("鉴定意见"), self.opinion, "opinion")
        self.finish()
        self.decision.currentIndexChanged.connect(self._fields_for_decision)
        self._fields_for_decision()
        fit_to_screen(self, 460, 320)

    def _fields_for_decision(self) -> None:
        value = self.decision.currentData()
        self.until.setEnabled(value == rules.Decision.EXTEND.value)
        self.recipient.setEnabled(value == rules.Decision.TRANSFER.value)

    def submit(self) -> None:
        """Record the decision."""
        value = str(self.decision.currentData())
        svc.record_decision(
            session=self._session,
            appraisal_id=self._appraisal_id,
            volume_id=self._volume_id,
            decision=value,
            new_until=self.until.value() if value == rules.Decision.EXTEND.value else None,
            reason=self.reason.text(),
            recipient=self.recipient.text(),
            opinion=self.opinion.text(),
            clock=self._context.clock,
        )


class CompileDialog(FormDialog):
    """A new 销毁清册 from volumes appraised 销毁 (all chosen by default)."""

    def __init__(self, parent: QWidget, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("编制销毁清册"), object_name="compile_dialog")
        self._context, self._session = context, session
        self.volumes = _multi("candidates")
        self.volumes.setMaximumHeight(260)
        for c in svc.list_destroy_candidates(session=session, clock=context.clock):
            item = QListWidgetItem(f"{c.reference_code}　{c.title}（{c.appraisal}）", self.volumes)
            item.setData(Qt.ItemDataRole.UserRole, c.volume_id)
            item.setSelected(True)
        self.reason = QLineEdit(rules.DEFAULT_REASON, objectName="list_reason")
        self.add_field(self.tr("案卷（已鉴定为销毁）"), self.volumes, "volumes")
        self.add_field(self.tr("销毁原因"), self.reason, "reason")
        self.finish()
        fit_to_screen(self, 620, 440)

    def submit(self) -> svc.ListRef:
        """Compile the draft list."""
        return svc.compile_list(
            session=self._session,
            volume_ids=_chosen(self.volumes),
            reason=self.reason.text(),
            clock=self._context.clock,
        )


class TextDialog(FormDialog):
    """One required text (a rejection's reason, a note, a release's reason) for ``action``."""

    def __init__(
        self,
        parent: QWidget,
        *,
        title: str,
        label: str,
        field: str,
        object_name: str,
        action: Any,
    ) -> None:
        super().__init__(parent, title=title, object_name=object_name)
        self._action = action
        self.text = QPlainTextEdit(objectName=f"{object_name}_text")
        self.text.setMaximumHeight(90)
        self.add_field(label, self.text, field)
        self.finish()
        fit_to_screen(self, 440, 220)

    def submit(self) -> Any:
        """Run the action with the text."""
        return self._action(self.text.toPlainText())


class CarryOutDialog(FormDialog):
    """Date, place, method and the two 监销人 confirming with their passwords at the desk."""

    def __init__(
        self, parent: QWidget, context: AppContext, session: SignedIn, list_id: int
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("执行销毁"),
            object_name="carry_out_dialog",
            ok_text=self.tr("确认销毁"),
        )
        self._context, self._session, self._list_id = context, session, list_id
        self.day = date_edit("carried_out_on", context.clock.now().astimezone().date())
        self.place = QLineEdit(objectName="destruction_place")
        self.method = QComboBox(objectName="destruction_method")
        for m in svc.get_disposition_settings(session=session, clock=context.clock).methods:
            self.method.addItem(self.tr(rules.method_label(m)), m)
        self.user1 = QLineEdit(objectName="witness1_user")
        self.pass1 = QLineEdit(objectName="witness1_password", echoMode=QLineEdit.EchoMode.Password)
        self.user2 = QLineEdit(objectName="witness2_user")
        self.pass2 = QLineEdit(objectName="witness2_password", echoMode=QLineEdit.EchoMode.Password)
        self.add_field(self.tr("销毁日期"), self.day, "carried_out_on")
        self.add_field(self.tr("销毁地点"), self.place, "place")
        self.add_field(self.tr("销毁方式"), self.method, "method")
        self.add_field(self.tr("监销人一 用户名"), self.user1, "witness1")
        self.add_field(self.tr("监销人一 密码"), self.pass1, "witness1_password")
        self.add_field(self.tr("监销人二 用户名"), self.user2, "witness2")
        self.add_field(self.tr("监销人二 密码"), self.pass2, "witness2_password")
        self.finish()
        fit_to_screen(self, 460, 380)

    def submit(self) -> svc.CarryOutResult:
        """Carry the list out (the passwords are checked like a sign-in)."""
        if self.method.currentData() is None:
            raise ValidationFailed([FieldError("method", "required")])
        try:
            return svc.carry_out_list(
                session=self._session,
                list_id=self._list_id,
                carried_out_on=day_of(self.day),
                place=self.place.text(),
                method=str(self.method.currentData()),
                witnesses=(
                    svc.Witness(self.user1.text(), self.pass1.text()),
                    svc.Witness(self.user2.text(), self.pass2.text()),
                ),
                clock=self._context.clock,
            )
        finally:
            self.pass1.clear()
            self.pass2.clear()


class HoldDialog(FormDialog):
    """A new hold: reason and scope (档号 of volumes, a 门类 and years)."""

    def __init__(self, parent: QWidget, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, title=self.tr("设置冻结"), object_name="hold_dialog")
        self._context, self._session = context, session
        self.reason = QLineEdit(objectName="hold_reason")
        self.codes = QPlainTextEdit(objectName="hold_codes")
        self.codes.setPlaceholderText(self.tr("每行一个档号"))
        self.codes.setMaximumHeight(90)
        self.category = QLineEdit(objectName="hold_category")
        self.year_from = QSpinBox(objectName="hold_year_from")
        self.year_to = QSpinBox(objectName="hold_year_to")
        for box in (self.year_from, self.year_to):
            box.setRange(0, 2100)
            box.setSpecialValueText(self.tr("不限"))
        self.add_field(self.tr("冻结原因"), self.reason, "reason")
        self.add_field(self.tr("案卷档号"), self.codes, "volume")
        self.add_field(self.tr("门类代码"), self.category, "category_code")
        self.add_field(self.tr("年度自"), self.year_from, "year_from")
        self.add_field(self.tr("年度至"), self.year_to, "year_to")
        self.finish()
        fit_to_screen(self, 460, 380)

    def submit(self) -> svc.HoldRef:
        """Place the hold (档号 are looked up exactly)."""
        from app.services.catalogue import find_by_reference

        ids = []
        for line in self.codes.toPlainText().splitlines():
            code = line.strip()
            if code:
                found = [
                    v
                    for v in find_by_reference(
                        session=self._session, prefix=code, clock=self._context.clock
                    )
                    if v.reference_code == code
                ]
                if not found:
                    raise ValidationFailed([FieldError("volume", "not_found")])
                ids.append(found[0].id)
        query = rules.VolumeQuery(
            category_code=self.category.text().strip() or None,
            year_from=self.year_from.value() or None,
            year_to=self.year_to.value() or None,
        )
        return svc.place_hold(
            session=self._session,
            reason=self.reason.text(),
            volume_ids=ids,
            query=query,
            clock=self._context.clock,
        )
