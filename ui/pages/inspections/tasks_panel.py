"""修复任务: open repair tasks of every room; a finding opens one, 送修 and 修复完成 move it on."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.errors import AppError
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import UseCases
from ui.pages.inspections.common import RED, Host, fill, paint, result_table, selected_data
from ui.pages.inspections.dialogs import FindingDialog

log = logging.getLogger(__name__)


class TasksPanel(UseCases, QWidget):
    """The open repair tasks with 登记问题…, 送修 and 修复完成."""

    def __init__(self, context: AppContext, session: SignedIn, host: Host) -> None:
        super().__init__()
        self._context, self._session, self._host = context, session, host
        layout = QVBoxLayout(self)
        self.tasks = result_table(
            "repair_tasks", ["档号", "问题", "修复方式", "责任人", "期限", "状态", "检查"]
        )
        layout.addWidget(self.tasks)
        buttons = QHBoxLayout()
        self.add_finding = QPushButton(objectName="add_finding")
        self.task_out = QPushButton(objectName="task_out")
        self.task_done = QPushButton(objectName="task_done")
        for b in (self.add_finding, self.task_out, self.task_done):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.add_finding.clicked.connect(self.record_finding)
        self.task_out.clicked.connect(lambda: self._task_step(svc.send_task_out))
        self.task_done.clicked.connect(lambda: self._task_step(svc.complete_task))

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.add_finding.setText(self.tr("登记问题…"))
        self.task_out.setText(self.tr("送修"))
        self.task_done.setText(self.tr("修复完成"))

    def refresh_tasks(self) -> None:
        """Open repair tasks (all rooms)."""
        try:
            rows = svc.list_open_tasks(session=self._session, clock=self._context.clock)
        except AppError as exc:
            log.warning("tasks not refreshed: %s", exc.code)
            return
        fill(
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
        paint(self.tasks, 4, [RED if t.overdue else None for t in rows])

    def record_finding(self) -> None:
        """A problem found on a volume, with a repair task."""
        dialog = FindingDialog(self, self._context, self._session, self._host.current)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh_tasks()

    def _task_step(self, fn: Any) -> None:
        task_id = selected_data(self.tasks)
        if task_id is None:
            return
        self.attempt(fn, task_id=task_id)
        self.refresh_tasks()
