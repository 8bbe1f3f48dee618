"""检查: the half-yearly schedule and the sessions on the left, the selected session's tabs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import inspections as rules
from app.domain.changes import Changes
from app.domain.inspection_rows import InspectionRow, ScheduleRow
from app.errors import AppError
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import message_for
from ui.pages.inspections.checks_panel import ChecksPanel
from ui.pages.inspections.climate_panel import ClimatePanel
from ui.pages.inspections.common import ORANGE, RED, ColouredCells
from ui.pages.inspections.dialogs import NewInspectionDialog
from ui.pages.inspections.scan_panel import ScanPanel
from ui.pages.inspections.session_panel import SessionPanel
from ui.pages.inspections.tasks_panel import TasksPanel
from ui.widgets.table_panel import TablePanel

TAB_TITLES = ("概况", "扫码清点", "检查项目", "温湿度", "修复任务")
SCAN_TAB = 1


class InspectionsPage(QWidget):
    """Schedule and sessions on the left; the selected session's tabs on the right.

    ``own_changes_shown(Changes)``: a scan already shown at once (the main window then skips
    the reload its change report would cause; issue 21, point 3).
    """

    own_changes_shown = Signal(object)

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_inspections")
        self._context, self._session = context, session
        self.current: InspectionRow | None = None
        self._loaded = False  # read on first show, not at sign-in (startup time)
        self._build_ui()
        self.retranslate_ui()

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        """Read the schedule and sessions the first time the area is shown."""
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self)
        split = QSplitter()
        outer.addWidget(split)
        left = QWidget()
        lv = QVBoxLayout(left)
        self.schedule_label = QLabel()
        columns = ["库房", "上次检查", "下次到期", "状态"]
        self.schedule = TablePanel(
            name="inspection_schedule",
            columns=columns,
            model=ColouredCells(columns, self._schedule_cells, _due_colour),
        )
        self.sessions_label = QLabel()
        self.sessions = TablePanel(
            name="inspection_sessions",
            columns=["编号", "类型", "范围", "日期", "状态"],
            cells=lambda r: [
                r.number,
                self.tr(r.kind_label),
                r.scope_label,
                r.inspected_on.isoformat(),
                self.tr(r.status_label),
            ],
        )
        self.new_button = QPushButton(objectName="new_inspection")
        lv.addWidget(self.schedule_label)
        lv.addWidget(self.schedule, 1)
        lv.addWidget(self.sessions_label)
        lv.addWidget(self.sessions, 2)
        lv.addWidget(self.new_button)
        split.addWidget(left)
        self.tabs = QTabWidget(objectName="inspection_tabs")
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 880])
        args = (self._context, self._session, self)
        self.overview = SessionPanel(*args)
        self.scan = ScanPanel(*args)
        self.checklist = ChecksPanel(*args)
        self.climate = ClimatePanel(*args)
        self.repairs = TasksPanel(*args)
        for panel in (self.overview, self.scan, self.checklist, self.climate, self.repairs):
            self.tabs.addTab(panel, "")
        # the widgets the main window and the tests reach through the page
        o, s, c, e, t = self.overview, self.scan, self.checklist, self.climate, self.repairs
        self.header, self.result = o.header, o.result
        self.start_count, self.finish_count = o.start_count, o.finish_count
        self.print_record, self.close_session = o.print_record, o.close_session
        self.scan_box, self.ack, self.counts, self.recent = s.scan_box, s.ack, s.counts, s.recent
        self.differences, self.resolve_note = s.differences, s.resolve_note
        self.checks, self.check_ok = c.checks, c.check_ok
        self.chart, self.out_of_range = e.chart, e.out_of_range
        self.temperature, self.humidity, self.add_reading = e.temperature, e.humidity, e.add_reading
        self.tasks, self.add_finding, self.task_done = t.tasks, t.add_finding, t.task_done
        self.new_button.clicked.connect(self.new_inspection)
        self.sessions.selection_changed.connect(lambda _row: self._session_selected())
        self.overview.counting_started.connect(self._to_scan_view)
        self.overview.notice.connect(self.scan.ack.setText)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.schedule_label.setText(self.tr("半年定期检查计划（上次结束后 6 个月到期）"))
        self.sessions_label.setText(self.tr("检查记录"))
        self.new_button.setText(self.tr("新建检查…"))
        for i, title in enumerate(TAB_TITLES):
            self.tabs.setTabText(i, self.tr(title))
        for panel in (self.overview, self.scan, self.checklist, self.climate, self.repairs):
            panel.retranslate_ui()

    def _schedule_cells(self, s: ScheduleRow) -> list[str]:
        return [
            f"{s.room_code} {s.room_name}",
            s.last_closed.isoformat() if s.last_closed else self.tr("未检查过"),
            s.due_on.isoformat(),
            self.tr(s.state_label) + (f"（{s.open_session}）" if s.open_session else ""),
        ]

    # -- data ---------------------------------------------------------------------------
    def refresh_after_change(self, _changes: Changes) -> None:
        """A write elsewhere changed what the page shows: reload, keep the selected session.

        The scanner's last answer and the recent scans stay as they are.
        """
        if self._loaded:
            self.refresh()

    def shown_own(self, changes: Changes) -> None:
        """A panel has shown what its own write changed (no reload needed for it)."""
        self.own_changes_shown.emit(changes)

    def refresh(self) -> None:
        """Reload the schedule, the sessions and the selected session."""
        self._loaded = True
        clock = self._context.clock
        try:
            schedule = svc.list_inspection_schedule(session=self._session, clock=clock)
            rows = svc.list_inspections(session=self._session, clock=clock)
        except AppError as exc:
            self.header.setText(message_for(exc))
            return
        self.schedule.set_rows(schedule)
        keep = self.current.id if self.current else None
        self.sessions.blockSignals(True)
        self.sessions.set_rows(rows)
        self.sessions.blockSignals(False)
        self.climate.set_rooms(schedule)
        ids = [r.id for r in rows]
        if keep in ids:
            self.sessions.select_row(ids.index(keep))
        elif ids:
            self.sessions.select_row(0)
        self._session_selected()
        self.repairs.refresh_tasks()

    def _session_selected(self) -> None:
        row = self.sessions.selected()
        if row is None:
            self.current = None
        else:
            try:
                self.current = svc.get_inspection(
                    session=self._session, inspection_id=row.id, clock=self._context.clock
                )
            except AppError as exc:
                self.header.setText(message_for(exc))
                return
            self.climate.follow_room(self.current.room_id)
        self.overview.show_session(self.current)
        self.scan.show_session(self.current)
        self.refresh_differences()
        self.checklist.show_session(self.current)
        self.climate.refresh_climate()

    def refresh_differences(self) -> None:
        """The differences so far (counting) or as recorded (findings), and the summary."""
        summary = self.scan.refresh_differences()
        if summary is not None:
            self.result.setText(summary)

    # -- actions ------------------------------------------------------------------------
    def new_inspection(self) -> None:
        """Start a session through the dialog."""
        dialog = NewInspectionDialog(self, self._context, self._session)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.current = None
            self.refresh()

    def _to_scan_view(self) -> None:
        self.tabs.setCurrentIndex(SCAN_TAB)
        self.scan_box.setFocus()


def _due_colour(row: ScheduleRow, column: int) -> str | None:
    """The 状态 of a room due soon in orange, overdue in red."""
    if column != 3 or row.state is rules.DueState.OK:
        return None
    return RED if row.state is rules.DueState.OVERDUE else ORANGE
