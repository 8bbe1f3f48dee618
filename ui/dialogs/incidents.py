"""事件登记簿 (R45): the register of suspected leaks and losses, its form and report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QTime,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.clock import Clock, format_local
from app.services import incidents
from app.services.auth import SignedIn
from app.services.incidents import KINDS, STATUSES, IncidentDraft, IncidentRow
from ui.context import AppContext
from ui.dialogs.form import FormDialog
from ui.dialogs.print_preview import preview_in_background
from ui.dialogs.table_dialog import TableDialog
from ui.geometry import fit_to_screen

Index = QModelIndex | QPersistentModelIndex
Submit = Callable[[IncidentDraft], IncidentRow]


class IncidentFormDialog(FormDialog):
    """New or changed incident: what, when found, who, affected, measures, report, follow-up."""

    def __init__(
        self, parent: QWidget | None, now: datetime, submit: Submit, row: IncidentRow | None = None
    ) -> None:
        super().__init__(parent, title="", object_name="IncidentFormDialog")
        self._submit = submit
        self.setWindowTitle(
            self.tr("登记泄密/丢失事件") if row is None else self.tr("事件 {0}").format(row.number)
        )
        self.kind = QComboBox(objectName="kind")
        for code, label in KINDS.items():
            self.kind.addItem(self.tr(label), code)
        self.title_edit = QLineEdit(objectName="incident_title")
        self.found_at = QDateTimeEdit(objectName="found_at")
        self.found_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.found_at.setCalendarPopup(True)
        local = (row.found_at if row else now).astimezone()
        self.found_at.setDateTime(
            QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        )
        self.found_by = QLineEdit(objectName="found_by")
        self.affected = QLineEdit(objectName="affected")
        self.affected.setPlaceholderText(self.tr("客户编号或档号，多个用逗号或空格分隔（可扫码）"))
        self.description = QPlainTextEdit(objectName="description")
        self.measures = QPlainTextEdit(objectName="measures")
        self.reported_to = QLineEdit(objectName="reported_to")
        self.reported_to.setPlaceholderText(self.tr("如：客服部经理、信息管理专员、总经理"))
        self.follow_up = QPlainTextEdit(objectName="follow_up")
        self.status = QComboBox(objectName="status")
        for code, label in STATUSES.items():
            self.status.addItem(self.tr(label), code)
        for edit in (self.description, self.measures, self.follow_up):
            edit.setFixedHeight(64)
        for label, widget, field in (
            (self.tr("事件类型"), self.kind, "kind"),
            (self.tr("事件名称"), self.title_edit, "incident_title"),
            (self.tr("发现时间"), self.found_at, "found_at"),
            (self.tr("发现人"), self.found_by, "found_by"),
            (self.tr("涉及的客户/案卷"), self.affected, "affected"),
            (self.tr("事件经过"), self.description, "description"),
            (self.tr("已采取的措施"), self.measures, "measures"),
            (self.tr("报告对象"), self.reported_to, "reported_to"),
            (self.tr("后续处理"), self.follow_up, "follow_up"),
            (self.tr("状态"), self.status, "status"),
        ):
            self.add_field(label, widget, field)
        if row is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findText(row.kind)))
            self.title_edit.setText(row.title)
            self.found_by.setText(row.found_by)
            self.affected.setText("，".join(row.affected))
            self.description.setPlainText(row.description)
            self.measures.setPlainText(row.measures)
            self.reported_to.setText(row.reported_to)
            self.follow_up.setPlainText(row.follow_up)
            self.status.setCurrentIndex(max(0, self.status.findData(row.status_code)))
        self.finish(stretch=False)
        fit_to_screen(self, 560, 720)

    @property
    def result_row(self) -> IncidentRow | None:
        """The saved incident (None until saved)."""
        row: IncidentRow | None = self.result_value
        return row

    def draft(self) -> IncidentDraft:
        """The form as typed."""
        qdt = self.found_at.dateTime()
        d, t = qdt.date(), qdt.time()
        local = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute()).astimezone()
        codes = tuple(
            c
            for c in self.affected.text()
            .replace("，", " ")
            .replace(",", " ")
            .replace("、", " ")
            .split()
            if c
        )
        return IncidentDraft(
            kind=str(self.kind.currentData()),
            title=self.title_edit.text(),
            found_at=local.astimezone(UTC),
            found_by=self.found_by.text(),
            description=self.description.toPlainText(),
            measures=self.measures.toPlainText(),
            reported_to=self.reported_to.text(),
            affected=codes,
            follow_up=self.follow_up.toPlainText(),
            status=str(self.status.currentData()),
        )

    def submit(self) -> IncidentRow:
        """Record or update the incident."""
        return self._submit(self.draft())


def _incident_cells(r: IncidentRow) -> list[str]:
    return [r.number, r.kind, r.title, format_local(r.found_at), "、".join(r.affected), r.status]


INCIDENT_COLUMNS = ("编号", "类型", "事件名称", "发现时间", "涉及", "状态")


class IncidentRegisterDialog(TableDialog):
    """The register: list, new (档案管理员, 审批人), update, printable report."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(
            parent,
            title=self.tr("泄密/丢失事件登记簿"),
            object_name="IncidentRegisterDialog",
            table="incident_table",
            columns=INCIDENT_COLUMNS,
            cells=_incident_cells,
        )
        self._context = context
        self._session = session
        writer = incidents_writer(session)
        self.new_button = self.panel.add_button(
            self.tr("登记新事件…"), "incident_new", self.new_incident, visible=writer
        )
        self.edit_button = self.panel.add_button(
            self.tr("更新处理情况…"), "incident_edit", self.edit_incident, visible=writer
        )
        self.print_button = self.panel.add_button(
            self.tr("打印事件报告…"), "incident_print", self.print_report
        )
        self.panel.end_bar()
        self.model = self.panel.model
        self.finish(width=860, height=480)
        self.refresh()

    def refresh(self) -> None:
        """Reload the register."""
        self.show_rows(
            lambda: incidents.list_incidents(session=self._session, clock=self._context.clock)
        )

    def selected(self) -> IncidentRow | None:
        """The selected incident."""
        row: IncidentRow | None = self.panel.selected()
        return row

    def form(self, row: IncidentRow | None) -> IncidentFormDialog:
        """The form for a new incident (``row`` None) or for updating ``row``."""
        clock: Clock = self._context.clock

        def submit(draft: IncidentDraft) -> IncidentRow:
            if row is None:
                return incidents.record_incident(session=self._session, draft=draft, clock=clock)
            return incidents.update_incident(
                session=self._session,
                incident_id=row.id,
                draft=draft,
                expected_version=row.version,
                clock=clock,
            )

        return IncidentFormDialog(self, clock.now(), submit, row)

    def new_incident(self) -> None:
        """登记新事件."""
        if self.form(None).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def edit_incident(self) -> None:
        """更新处理情况 of the selected incident."""
        row = self.selected()
        if row is not None and self.form(row).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def print_report(self) -> None:
        """The selected incident's report in the print preview (the print is recorded)."""
        row = self.selected()
        if row is None:
            return
        session, clock, incident_id = self._session, self._context.clock, row.id
        preview_in_background(  # read and drawn off the GUI thread (issue 21, point 8)
            self,
            self.tr("事件报告 {0}").format(row.number),
            lambda: incidents.print_incident_report(
                session=session, incident_id=incident_id, clock=clock
            ),
            self._context,
        )


def incidents_writer(session: SignedIn) -> bool:
    """True when the signed-in user may record incidents (档案管理员, 审批人)."""
    from app.domain.roles import may

    return may(session.actor.roles, "incident.record")
