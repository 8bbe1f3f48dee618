"""检查: the half-yearly schedule, inspection sessions, scanned count, climate log, repair tasks."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain import inspections as rules
from app.domain.scan_codes import scan_payload
from app.errors import AppError
from app.services import inspection_print, locations
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import FieldErrors, message_for, show_error
from ui.widgets.climate_chart import ClimateChartWidget

log = logging.getLogger(__name__)

VERDICT_COLOURS = {
    "found": "#1b5e20",
    "again": "#555555",
    "place": "#0d47a1",
    "misplaced": "#e65100",
    "on_loan_seen": "#6a1b9a",
    "unexpected": "#b00020",
}


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], data: list[Any] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c == 0 and data is not None:
                item.setData(Qt.ItemDataRole.UserRole, data[r])
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _selected(table: QTableWidget) -> Any:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class NewInspectionDialog(QDialog):
    """Kind, room, scope, date and inspectors of a new session; returns an InspectionDraft."""

    def __init__(self, parent: QWidget, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, objectName="new_inspection_dialog")
        self._context, self._session = context, session
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("新建库房检查"))
        form = QFormLayout(self)
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
        self.day = QDateEdit(objectName="inspection_day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = context.clock.now().astimezone().date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.me = QCheckBox(
            self.tr("我（{0}）").format(session.actor.display_name), objectName="inspector_me"
        )
        self.me.setChecked(True)
        self.others = QLineEdit(objectName="inspector_names")
        self.others.setPlaceholderText(self.tr("其他检查人姓名，用顿号或逗号分隔"))
        form.addRow(self.tr("检查类型"), self.kind)
        form.addRow(self.tr("库房"), self.room)
        form.addRow(self.tr("范围"), self.scope)
        form.addRow(self.tr("密集架/柜/面"), self.parts)
        form.addRow("", self.errors.label_for("scope"))
        form.addRow(self.tr("检查日期"), self.day)
        form.addRow("", self.errors.label_for("inspected_on"))
        form.addRow(self.tr("检查人"), self.me)
        form.addRow("", self.others)
        form.addRow("", self.errors.label_for("inspectors"))
        self.general_error = QLabel(objectName="new_inspection_error")
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        form.addRow("", self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.room.currentIndexChanged.connect(self._load_parts)
        self.scope.currentIndexChanged.connect(self._load_parts)
        self._load_parts()
        self.inspection_id: int | None = None

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

    def draft(self) -> svc.InspectionDraft:
        """What was entered."""
        names = [
            n.strip() for n in self.others.text().replace("，", ",").replace("、", ",").split(",")
        ]
        people = [svc.Inspector(name=n) for n in names if n]
        if self.me.isChecked():
            people.insert(0, svc.Inspector(user_id=self._session.actor.user_id))
        d = self.day.date()
        return svc.InspectionDraft(
            kind=str(self.kind.currentData()),
            room_id=self.room.currentData(),
            scope_kind=str(self.scope.currentData()),
            scope_ids=tuple(
                int(i.data(Qt.ItemDataRole.UserRole)) for i in self.parts.selectedItems()
            ),
            inspected_on=date(d.year(), d.month(), d.day()),
            inspectors=tuple(people),
        )

    def accept(self) -> None:
        """Start the session; errors stay next to their fields."""
        try:
            self.inspection_id = svc.start_inspection(
                session=self._session, draft=self.draft(), clock=self._context.clock
            )
        except AppError as exc:
            from app.errors import ValidationFailed

            if isinstance(exc, ValidationFailed):
                self.general_error.setText("\n".join(self.errors.show(exc)))
            else:
                show_error(self, exc)
            return
        super().accept()


class InspectionsPage(QWidget):
    """Schedule and sessions on the left; the selected session's tabs on the right."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_inspections")
        self._context, self._session = context, session
        self.current: svc.InspectionRow | None = None
        self._loaded = False  # read on first show, not at sign-in (startup time)
        self._build_ui()
        self._connect_signals()
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
        self.schedule = _table("inspection_schedule", ["库房", "上次检查", "下次到期", "状态"])
        self.sessions_label = QLabel()
        self.sessions = _table("inspection_sessions", ["编号", "类型", "范围", "日期", "状态"])
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
        # 概况
        overview = QWidget()
        ov = QVBoxLayout(overview)
        self.header = QLabel(objectName="inspection_header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ov.addWidget(self.header)
        self.result = QLabel(objectName="inspection_result")
        self.result.setWordWrap(True)
        ov.addWidget(self.result)
        row = QHBoxLayout()
        self.start_count = QPushButton(objectName="begin_counting")
        self.pause = QPushButton(objectName="pause_inspection")
        self.resume = QPushButton(objectName="resume_inspection")
        self.finish_count = QPushButton(objectName="finish_counting")
        self.fixity = QPushButton(objectName="verify_files")
        self.print_record = QPushButton(objectName="print_record")
        self.close_session = QPushButton(objectName="close_inspection")
        for b in (
            self.start_count,
            self.pause,
            self.resume,
            self.finish_count,
            self.fixity,
            self.print_record,
            self.close_session,
        ):
            row.addWidget(b)
        row.addStretch()
        ov.addLayout(row)
        self.steps = QLabel(objectName="inspection_steps")
        self.steps.setWordWrap(True)
        self.steps.setStyleSheet("color: #555; margin-top: 12px;")
        ov.addWidget(self.steps)
        ov.addStretch()
        self.tabs.addTab(overview, "")
        # 扫码清点 (scan view)
        scan_tab = QWidget()
        sv = QVBoxLayout(scan_tab)
        self.scan_hint = QLabel()
        self.scan_hint.setWordWrap(True)
        self.scan_box = QLineEdit(objectName="inspection_scan")
        self.scan_box.setProperty("handles_scans", True)  # the app-wide scan router leaves it
        self.scan_box.setStyleSheet("font-size: 14pt; padding: 4px;")
        self.ack = QLabel(objectName="scan_ack")
        self.ack.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.counts = QLabel(objectName="scan_counts")
        self.counts.setStyleSheet("font-size: 12pt;")
        self.recent = QListWidget(objectName="recent_scans")
        self.differences = _table(
            "scan_differences", ["差异", "档号/编码", "登记位置", "发现位置", "处理"]
        )
        sv.addWidget(self.scan_hint)
        sv.addWidget(self.scan_box)
        sv.addWidget(self.ack)
        sv.addWidget(self.counts)
        inner = QSplitter(Qt.Orientation.Vertical)
        inner.addWidget(self.recent)
        inner.addWidget(self.differences)
        sv.addWidget(inner, 1)
        diff_buttons = QHBoxLayout()
        self.resolve_move = QPushButton(objectName="resolve_move")
        self.resolve_lost = QPushButton(objectName="resolve_lost")
        self.resolve_note = QPushButton(objectName="resolve_note")
        for b in (self.resolve_move, self.resolve_lost, self.resolve_note):
            diff_buttons.addWidget(b)
        diff_buttons.addStretch()
        sv.addLayout(diff_buttons)
        self.tabs.addTab(scan_tab, "")
        # 检查项目
        checks_tab = QWidget()
        cv = QVBoxLayout(checks_tab)
        self.checks = _table("inspection_checks", ["序号", "项目", "结果", "说明"])
        cv.addWidget(self.checks)
        cb = QHBoxLayout()
        self.check_ok = QPushButton(objectName="check_ok")
        self.check_bad = QPushButton(objectName="check_abnormal")
        cb.addWidget(self.check_ok)
        cb.addWidget(self.check_bad)
        cb.addStretch()
        cv.addLayout(cb)
        self.tabs.addTab(checks_tab, "")
        # 温湿度
        climate_tab = QWidget()
        ev = QVBoxLayout(climate_tab)
        er = QHBoxLayout()
        self.climate_room = QComboBox(objectName="climate_room")
        self.temperature = QDoubleSpinBox(objectName="reading_temperature")
        self.temperature.setRange(-30, 60)
        self.temperature.setDecimals(1)
        self.temperature.setValue(20.0)
        self.temperature.setSuffix(" °C")
        self.humidity = QDoubleSpinBox(objectName="reading_humidity")
        self.humidity.setRange(0, 100)
        self.humidity.setDecimals(1)
        self.humidity.setValue(50.0)
        self.humidity.setSuffix(" %")
        self.add_reading = QPushButton(objectName="add_reading")
        self.climate_days = QComboBox(objectName="climate_days")
        for days in (7, 30, 90, 183, 366):
            self.climate_days.addItem(self.tr("近 {0} 天").format(days), days)
        self.climate_days.setCurrentIndex(1)
        self.room_label = QLabel()
        self.room_type = QComboBox(objectName="climate_room_type")
        for kind, label in rules.ROOM_TYPE_LABELS.items():
            self.room_type.addItem(self.tr(label), kind.value)
        for w in (
            self.room_label,
            self.climate_room,
            self.room_type,
            self.climate_days,
            self.temperature,
            self.humidity,
            self.add_reading,
        ):
            er.addWidget(w)
        er.addStretch()
        ev.addLayout(er)
        self.reading_error = QLabel(objectName="reading_error")
        self.reading_error.setStyleSheet("color: #b00020;")
        ev.addWidget(self.reading_error)
        self.chart = ClimateChartWidget()
        ev.addWidget(self.chart, 2)
        self.out_of_range_label = QLabel()
        ev.addWidget(self.out_of_range_label)
        self.out_of_range = QListWidget(objectName="out_of_range")
        ev.addWidget(self.out_of_range, 1)
        self.tabs.addTab(climate_tab, "")
        # 修复任务
        tasks_tab = QWidget()
        tv = QVBoxLayout(tasks_tab)
        self.tasks = _table(
            "repair_tasks", ["档号", "问题", "修复方式", "责任人", "期限", "状态", "检查"]
        )
        tv.addWidget(self.tasks)
        tb = QHBoxLayout()
        self.add_finding = QPushButton(objectName="add_finding")
        self.task_out = QPushButton(objectName="task_out")
        self.task_done = QPushButton(objectName="task_done")
        for b in (self.add_finding, self.task_out, self.task_done):
            tb.addWidget(b)
        tb.addStretch()
        tv.addLayout(tb)
        self.tabs.addTab(tasks_tab, "")

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self.new_inspection)
        self.sessions.itemSelectionChanged.connect(self._session_selected)
        self.start_count.clicked.connect(lambda: self._step(svc.begin_counting))
        self.pause.clicked.connect(lambda: self._step(svc.pause_inspection))
        self.resume.clicked.connect(lambda: self._step(svc.resume_inspection))
        self.finish_count.clicked.connect(lambda: self._step(svc.finish_counting))
        self.fixity.clicked.connect(self.verify_files)
        self.print_record.clicked.connect(self.print_current)
        self.close_session.clicked.connect(self.close_current)
        self.scan_box.returnPressed.connect(self.scan_entered)
        self.resolve_move.clicked.connect(lambda: self.resolve("moved"))
        self.resolve_lost.clicked.connect(lambda: self.resolve("lost"))
        self.resolve_note.clicked.connect(lambda: self.resolve("noted"))
        self.check_ok.clicked.connect(lambda: self.mark_check(True))
        self.check_bad.clicked.connect(lambda: self.mark_check(False))
        self.add_reading.clicked.connect(self.record_reading)
        self.climate_room.currentIndexChanged.connect(self.refresh_climate)
        self.climate_days.currentIndexChanged.connect(self.refresh_climate)
        self.room_type.activated.connect(self.change_room_type)
        self.add_finding.clicked.connect(self.record_finding)
        self.task_out.clicked.connect(lambda: self._task_step(svc.send_task_out))
        self.task_done.clicked.connect(lambda: self._task_step(svc.complete_task))

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.schedule_label.setText(self.tr("半年定期检查计划（上次结束后 6 个月到期）"))
        self.sessions_label.setText(self.tr("检查记录"))
        self.new_button.setText(self.tr("新建检查…"))
        for i, title in enumerate(("概况", "扫码清点", "检查项目", "温湿度", "修复任务")):
            self.tabs.setTabText(i, self.tr(title))
        self.start_count.setText(self.tr("开始清点"))
        self.pause.setText(self.tr("暂停"))
        self.resume.setText(self.tr("继续"))
        self.finish_count.setText(self.tr("结束清点"))
        self.fixity.setText(self.tr("校验电子文件"))
        self.print_record.setText(self.tr("打印检查记录…"))
        self.close_session.setText(self.tr("结束检查…"))
        self.steps.setText(
            self.tr(
                "步骤：1. 开始清点（按范围生成应有清单：已上架 − 借出 − 在修）；"
                "2. 在“扫码清点”中先扫位置标签，再扫该处的档案盒或案卷，可随时暂停、改日继续；"
                "3. 结束清点，逐项处理差异（归位、报失或说明）；4. 填写检查项目和温湿度，"
                "登记发现的问题和修复任务；5. 结束检查并打印库房检查记录，由全体检查人签字。"
            )
        )
        self.scan_hint.setText(
            self.tr(
                "先扫描位置标签（层/位），再逐一扫描该处的档案盒或案卷。扫码只做清点："
                "不会办理归还，也不会移动任何东西；差异在结束清点后逐项处理。"
            )
        )
        self.scan_box.setPlaceholderText(self.tr("扫码枪输入（标签二维码）"))
        self.resolve_move.setText(self.tr("归位（移到…）"))
        self.resolve_lost.setText(self.tr("报失…"))
        self.resolve_note.setText(self.tr("说明…"))
        self.check_ok.setText(self.tr("正常"))
        self.check_bad.setText(self.tr("异常…"))
        self.room_label.setText(self.tr("库房"))
        self.add_reading.setText(self.tr("登记读数"))
        self.out_of_range_label.setText(self.tr("超限读数与日波动超限"))
        self.add_finding.setText(self.tr("登记问题…"))
        self.task_out.setText(self.tr("送修"))
        self.task_done.setText(self.tr("修复完成"))

    # -- data ---------------------------------------------------------------------------
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
        _fill(
            self.schedule,
            [
                [
                    f"{s.room_code} {s.room_name}",
                    s.last_closed.isoformat() if s.last_closed else self.tr("未检查过"),
                    s.due_on.isoformat(),
                    self.tr(s.state_label) + (f"（{s.open_session}）" if s.open_session else ""),
                ]
                for s in schedule
            ],
            [s.room_id for s in schedule],
        )
        for r, s in enumerate(schedule):
            if s.state is not rules.DueState.OK:
                colour = (
                    QColor("#b00020") if s.state is rules.DueState.OVERDUE else QColor("#e65100")
                )
                self.schedule.item(r, 3).setForeground(colour)
        keep = self.current.id if self.current else None
        self.sessions.blockSignals(True)
        _fill(
            self.sessions,
            [
                [
                    r.number,
                    self.tr(r.kind_label),
                    r.scope_label,
                    r.inspected_on.isoformat(),
                    self.tr(r.status_label),
                ]
                for r in rows
            ],
            [r.id for r in rows],
        )
        self.sessions.blockSignals(False)
        if self.climate_room.count() != len(schedule):
            self.climate_room.blockSignals(True)
            self.climate_room.clear()
            for s in schedule:
                self.climate_room.addItem(s.room_code, s.room_id)
            self.climate_room.blockSignals(False)
        ids = [r.id for r in rows]
        if keep in ids:
            self.sessions.selectRow(ids.index(keep))
        elif ids:
            self.sessions.selectRow(0)
        self._session_selected()
        self.refresh_tasks()

    def _session_selected(self) -> None:
        sid = _selected(self.sessions)
        if sid is None:
            self.current = None
            self.header.setText(self.tr("还没有检查记录。点“新建检查…”开始。"))
            self._enable()
            self.refresh_climate()
            return
        try:
            self.current = svc.get_inspection(
                session=self._session, inspection_id=sid, clock=self._context.clock
            )
        except AppError as exc:
            self.header.setText(message_for(exc))
            return
        c = self.current
        if self.climate_room.findData(c.room_id) >= 0:
            self.climate_room.blockSignals(True)
            self.climate_room.setCurrentIndex(self.climate_room.findData(c.room_id))
            self.climate_room.blockSignals(False)
        self.header.setText(
            self.tr(
                "编号：{0}　类型：{1}\n库房：{2}　范围：{3}\n日期：{4}　检查人：{5}\n状态：{6}\n"
                "应有 {7} 卷，已扫描 {8} 卷，未处理差异 {9} 项"
            ).format(
                c.number,
                self.tr(c.kind_label),
                c.room_code,
                c.scope_label,
                c.inspected_on.isoformat(),
                "、".join(c.inspectors),
                self.tr(c.status_label),
                c.expected,
                c.found,
                c.open_differences,
            )
        )
        self._enable()
        self._show_counts()
        self.refresh_differences()
        self.refresh_checks()
        self.refresh_climate()

    def _enable(self) -> None:
        c = self.current
        status = c.status if c else ""
        paused = bool(c and c.paused)
        live = status in ("open", "counting", "findings")
        self.start_count.setEnabled(status == "open" and not paused)
        self.pause.setEnabled(live and not paused)
        self.resume.setEnabled(live and paused)
        self.finish_count.setEnabled(status == "counting" and not paused)
        self.fixity.setEnabled(live and not paused)
        self.print_record.setEnabled(c is not None)
        self.close_session.setEnabled(status in ("open", "findings") and not paused)
        self.scan_box.setEnabled(status == "counting" and not paused)
        for b in (self.resolve_move, self.resolve_lost, self.resolve_note):
            b.setEnabled(status == "findings" and not paused)
        self.check_ok.setEnabled(live and not paused)
        self.check_bad.setEnabled(live and not paused)

    def _show_counts(self) -> None:
        c = self.current
        if c is None:
            self.counts.setText("")
            return
        where = (
            self.tr("当前位置：{0}").format(c.current_place)
            if c.current_place
            else self.tr("尚未扫描位置标签")
        )
        self.counts.setText(
            self.tr("应有 {0} 卷，已扫描 {1} 卷。{2}").format(c.expected, c.found, where)
        )

    def refresh_differences(self) -> None:
        """The differences so far (counting) or as recorded (findings)."""
        if self.current is None:
            _fill(self.differences, [])
            self.result.setText("")
            return
        try:
            rec = svc.get_reconciliation(
                session=self._session, inspection_id=self.current.id, clock=self._context.clock
            )
        except AppError as exc:
            self.counts.setText(message_for(exc))
            return
        rows = rec.differences[:2000]
        parts = [
            self.tr("{0} {1}").format(self.tr(rules.DIFFERENCE_LABELS[k]), rec.count(k))
            for k in rules.DifferenceKind
        ]
        self.result.setText(
            self.tr("清点：应有 {0}，已清点 {1}，扫描到 {2}。差异：{3}。").format(
                rec.expected, rec.found_expected, rec.found, "，".join(parts)
            )
        )
        _fill(
            self.differences,
            [
                [
                    self.tr(d.kind_label),
                    d.code,
                    d.home,
                    d.seen,
                    (self.tr(d.resolution_label) + (f"：{d.note}" if d.note else ""))
                    if d.resolution
                    else self.tr("未处理"),
                ]
                for d in rows
            ],
            [d.id for d in rows],
        )

    def refresh_checks(self) -> None:
        """The checklist of the selected session."""
        if self.current is None:
            _fill(self.checks, [])
            return
        rows = svc.list_checks(
            session=self._session, inspection_id=self.current.id, clock=self._context.clock
        )
        result = {True: self.tr("正常"), False: self.tr("异常"), None: self.tr("未检查")}
        _fill(
            self.checks,
            [[str(c.seq), c.label, result[c.ok], c.note] for c in rows],
            [c.seq for c in rows],
        )
        for r, c in enumerate(rows):
            if c.ok is False:
                self.checks.item(r, 2).setForeground(QColor("#b00020"))

    def refresh_climate(self) -> None:
        """Chart and out-of-range list of the chosen room."""
        room = self.climate_room.currentData()
        self.out_of_range.clear()
        if room is None:
            self.chart.set_climate(None)
            return
        today = self._context.clock.now().astimezone().date()
        days = int(self.climate_days.currentData() or 30)
        try:
            climate = svc.get_room_climate(
                session=self._session,
                room_id=room,
                since=today - timedelta(days=days),
                until=today,
                clock=self._context.clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
            return
        self.chart.set_climate(climate)
        settings = svc.get_inspection_settings(session=self._session, clock=self._context.clock)
        kind = settings.room_types.get(room, rules.RoomType.PAPER)
        self.room_type.setCurrentIndex(self.room_type.findData(kind.value))
        for r in climate.out_of_range():
            item = QListWidgetItem(
                self.tr("{0}　温度 {1} °C　湿度 {2} %　{3}").format(
                    format_local(r.taken_at),
                    rules.tenths(r.temperature),
                    rules.tenths(r.humidity),
                    "、".join(r.problems),
                ),
                self.out_of_range,
            )
            item.setForeground(QColor("#b00020"))
        for day, problems in sorted(climate.swings.items()):
            QListWidgetItem(
                f"{day.isoformat()}　{'、'.join(problems)}", self.out_of_range
            ).setForeground(QColor("#e65100"))

    def change_room_type(self) -> None:
        """The chosen room follows the limits of another room type."""
        room = self.climate_room.currentData()
        if room is None:
            return
        try:
            svc.set_room_type(
                session=self._session,
                room_id=room,
                room_type=str(self.room_type.currentData()),
                clock=self._context.clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
        self.refresh_climate()

    def refresh_tasks(self) -> None:
        """Open repair tasks (all rooms)."""
        try:
            rows = svc.list_open_tasks(session=self._session, clock=self._context.clock)
        except AppError as exc:
            log.warning("tasks not refreshed: %s", exc.code)
            return
        _fill(
            self.tasks,
            [
                [
                    t.reference_code,
                    self.tr(t.condition_label),
                    self.tr(t.kind_label),
                    t.responsible,
                    t.due_on.isoformat(),
                    self.tr(t.state_label),
                    t.session_number,
                ]
                for t in rows
            ],
            [t.id for t in rows],
        )
        for r, t in enumerate(rows):
            if t.overdue:
                self.tasks.item(r, 4).setForeground(QColor("#b00020"))

    # -- actions ------------------------------------------------------------------------
    def new_inspection(self) -> None:
        """Start a session through the dialog."""
        dialog = NewInspectionDialog(self, self._context, self._session)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.current = None
            self.refresh()

    def _step(self, fn: Any) -> None:
        if self.current is None:
            return
        try:
            fn(session=self._session, inspection_id=self.current.id, clock=self._context.clock)
        except AppError as exc:
            show_error(self, exc)
        self.refresh()
        if fn is svc.begin_counting:
            self.tabs.setCurrentIndex(1)
            self.scan_box.setFocus()

    def scan_entered(self) -> None:
        """One scanner code (ends with Enter): count it and say at once what it was."""
        text = self.scan_box.text()
        self.scan_box.clear()
        if self.current is None or not text.strip():
            return
        try:
            ack = svc.record_scan(
                session=self._session,
                inspection_id=self.current.id,
                text=text,
                clock=self._context.clock,
            )
        except AppError as exc:
            self.ack.setStyleSheet("font-size: 16pt; font-weight: bold; color: #b00020;")
            self.ack.setText(message_for(exc))
            from PySide6.QtWidgets import QApplication

            QApplication.beep()
            return
        label = self.tr(svc.VERDICT_LABELS[ack.verdict])
        colour = VERDICT_COLOURS[ack.verdict]
        self.ack.setStyleSheet(f"font-size: 16pt; font-weight: bold; color: {colour};")
        self.ack.setText(f"{label}　{ack.code}" + (f"　{ack.detail}" if ack.detail else ""))
        item = QListWidgetItem(self.ack.text())
        item.setForeground(QColor(colour))
        self.recent.insertItem(0, item)
        while self.recent.count() > 200:
            self.recent.takeItem(self.recent.count() - 1)
        if ack.verdict == "place":
            self.current = svc.get_inspection(
                session=self._session, inspection_id=self.current.id, clock=self._context.clock
            )
        else:
            self.current = _with_counts(self.current, ack.found, ack.expected)
        self._show_counts()

    def verify_files(self) -> None:
        """SHA-256 of every electronic file in scope (behind a progress dialog)."""
        if self.current is None:
            return
        from ui.tasks import run_blocking

        sid = self.current.id
        try:
            result = run_blocking(
                self,
                self.tr("正在校验电子文件…"),
                lambda sink: svc.verify_scope_files(
                    session=self._session,
                    inspection_id=sid,
                    clock=self._context.clock,
                    progress=sink.report,
                ),
                cancellable=False,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        text = self.tr("已校验 {0} 个电子文件，不符 {1} 个。").format(
            result.checked, len(result.failed)
        )
        self.ack.setText(text)
        self.refresh()

    def resolve(self, action: str) -> None:
        """Settle the selected difference explicitly."""
        diff_id = _selected(self.differences)
        if diff_id is None:
            return
        box_id = location_id = None
        note = ""
        if action == "moved":
            code, ok = QInputDialog.getText(
                self, self.tr("归位"), self.tr("移到哪个档案盒或位置（盒号或位置编码）：")
            )
            if not ok or not code.strip():
                return
            try:
                target = locations.resolve_scan(
                    session=self._session,
                    text=scan_payload(code.strip()),
                    clock=self._context.clock,
                )
            except (AppError, ValueError) as exc:
                self.ack.setText(
                    message_for(exc) if isinstance(exc, AppError) else self.tr("编码格式不正确")
                )
                return
            if target is None or target.kind.value not in ("box", "location"):
                self.ack.setText(self.tr("请填写档案盒号或位置编码"))
                return
            box_id = target.object_id if target.kind.value == "box" else None
            location_id = target.object_id if target.kind.value == "location" else None
        else:
            prompt = self.tr("报失说明（可不填）：") if action == "lost" else self.tr("说明：")
            note, ok = QInputDialog.getText(self, self.tr("处理差异"), prompt)
            if not ok:
                return
        try:
            svc.resolve_difference(
                session=self._session,
                difference_id=diff_id,
                action=action,
                note=note,
                box_id=box_id,
                location_id=location_id,
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
        self.refresh()

    def mark_check(self, ok: bool) -> None:
        """正常, or 异常 with a note."""
        seq = _selected(self.checks)
        if self.current is None or seq is None:
            return
        note = ""
        if not ok:
            note, accepted = QInputDialog.getText(self, self.tr("异常"), self.tr("情况说明："))
            if not accepted:
                return
        try:
            svc.set_check(
                session=self._session,
                inspection_id=self.current.id,
                seq=seq,
                ok=ok,
                note=note,
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
        self.refresh_checks()

    def record_reading(self) -> None:
        """A reading of the chosen room (in the session when it is of that room)."""
        room = self.climate_room.currentData()
        if room is None:
            return
        c = self.current
        session_id = (
            c.id
            if c
            and c.room_id == room
            and c.status in ("open", "counting", "findings")
            and not c.paused
            else None
        )
        try:
            svc.record_reading(
                session=self._session,
                room_id=room,
                temperature=self.temperature.value(),
                humidity=self.humidity.value(),
                inspection_id=session_id,
                clock=self._context.clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
            return
        self.reading_error.setText("")
        self.refresh_climate()

    def record_finding(self) -> None:
        """A problem found on a volume, with a repair task."""
        dialog = FindingDialog(self, self._context, self._session, self.current)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh_tasks()

    def _task_step(self, fn: Any) -> None:
        task_id = _selected(self.tasks)
        if task_id is None:
            return
        try:
            fn(session=self._session, task_id=task_id, clock=self._context.clock)
        except AppError as exc:
            show_error(self, exc)
        self.refresh_tasks()

    def print_current(self) -> None:
        """The 库房检查记录 in the print preview (printing and saving are recorded)."""
        if self.current is None:
            return
        from ui.dialogs.print_preview import show_print_preview

        sid, number = self.current.id, self.current.number
        try:
            pdf = inspection_print.inspection_record_pdf(
                session=self._session, inspection_id=sid, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return

        def output(kind: str) -> None:
            inspection_print.record_inspection_output(
                session=self._session, inspection_id=sid, kind=kind, clock=self._context.clock
            )

        show_print_preview(
            self, self.tr("库房检查记录 {0}").format(number), pdf, self._context, on_output=output
        )

    def close_current(self) -> None:
        """Close the session: measures, and carrying over what is still open (explicitly)."""
        if self.current is None:
            return
        dialog = CloseDialog(self, self.current.open_differences)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            svc.close_inspection(
                session=self._session,
                inspection_id=self.current.id,
                measures=dialog.measures.text(),
                review=dialog.review.text(),
                carry_over=dialog.carry.isChecked(),
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
        self.refresh()


def _with_counts(row: svc.InspectionRow, found: int, expected: int) -> svc.InspectionRow:
    from dataclasses import replace

    return replace(row, found=found, expected=expected)


class CloseDialog(QDialog):
    """Measures, review and the explicit carry-over of open differences."""

    def __init__(self, parent: QWidget, open_differences: int) -> None:
        super().__init__(parent, objectName="close_inspection_dialog")
        self.setWindowTitle(self.tr("结束检查"))
        form = QFormLayout(self)
        self.measures = QLineEdit(objectName="close_measures")
        self.review = QLineEdit(objectName="close_review")
        self.carry = QCheckBox(
            self.tr("未处理的 {0} 项差异转下次检查").format(open_differences),
            objectName="close_carry",
        )
        self.carry.setEnabled(open_differences > 0)
        form.addRow(self.tr("处理措施"), self.measures)
        form.addRow(self.tr("复查"), self.review)
        form.addRow("", self.carry)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class FindingDialog(QDialog):
    """A condition found on a volume (scanned or typed 档号) and, optionally, a repair task."""

    def __init__(
        self,
        parent: QWidget,
        context: AppContext,
        session: SignedIn,
        current: svc.InspectionRow | None,
    ) -> None:
        super().__init__(parent, objectName="finding_dialog")
        self._context, self._session, self._current = context, session, current
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("登记发现的问题"))
        form = QFormLayout(self)
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
        for kind, label in rules.TASK_LABELS.items():
            self.task_kind.addItem(self.tr(label), kind.value)
        self.responsible = QLineEdit(objectName="finding_responsible")
        self.responsible.setText(session.actor.display_name)
        self.due = QDateEdit(objectName="finding_due")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        due = context.clock.now().astimezone().date() + timedelta(days=14)
        self.due.setDate(QDate(due.year, due.month, due.day))
        self.send_out = QCheckBox(
            self.tr("现在送修（案卷显示“在修”，原位置保留）"), objectName="finding_send_out"
        )
        form.addRow(self.tr("案卷"), self.volume)
        form.addRow("", self.errors.label_for("volume"))
        form.addRow(self.tr("问题类型"), self.kind)
        form.addRow(self.tr("问题描述"), self.description)
        form.addRow("", self.errors.label_for("condition_description"))
        form.addRow(self.tr("修复方式"), self.task_kind)
        form.addRow(self.tr("责任人"), self.responsible)
        form.addRow("", self.errors.label_for("responsible"))
        form.addRow(self.tr("完成期限"), self.due)
        form.addRow("", self.errors.label_for("task_due_on"))
        form.addRow("", self.send_out)
        self.general_error = QLabel(objectName="finding_error")
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        form.addRow("", self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        """Save the finding; errors stay next to their fields."""
        from app.errors import FieldError, ValidationFailed

        text = self.volume.text().strip()
        try:
            if not text:
                raise ValidationFailed([FieldError("volume", "required")])
            payload = text if "*" in text else scan_payload(text)
            target = locations.resolve_scan(
                session=self._session, text=payload, clock=self._context.clock
            )
            if target is None or target.kind.value != "volume":
                raise ValidationFailed([FieldError("volume", "required")])
            d = self.due.date()
            task = None
            if self.task_kind.currentData():
                task = svc.TaskDraft(
                    kind=str(self.task_kind.currentData()),
                    due_on=date(d.year(), d.month(), d.day()),
                    responsible_name=self.responsible.text(),
                    send_out=self.send_out.isChecked(),
                )
            current = self._current
            live = current is not None and current.status != "closed" and not current.paused
            svc.record_finding(
                session=self._session,
                volume_id=target.object_id,
                kind=str(self.kind.currentData()),
                description=self.description.text(),
                inspection_id=current.id if live and current else None,
                task=task,
                clock=self._context.clock,
            )
        except ValueError:
            self.errors.show(ValidationFailed([FieldError("volume", "required")]))
            return
        except AppError as exc:
            if isinstance(exc, ValidationFailed):
                self.general_error.setText("\n".join(self.errors.show(exc)))
            else:
                show_error(self, exc)
            return
        super().accept()
