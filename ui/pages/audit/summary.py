"""The audit page's 汇总 tab: counts for a period in four small tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.services import audit
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import message_for, show_unexpected
from ui.models.audit import CountTableModel
from ui.tasks import LatestQuery, Task
from ui.widgets.dates import date_edit, day_of
from ui.widgets.table_panel import fit_columns, list_view

TITLES = ("每人每日操作次数", "查看完整信息", "登录失败", "非工作时间（工作日 8–18 时以外）")


class SummaryPanel(QWidget):
    """期间 from–to, 统计, the total and the four count tables."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__()
        self._context = context
        self._session = session
        self._query = LatestQuery(self)  # the count, off the GUI thread
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        today = self._context.clock.now().astimezone().date()
        self.summary_from = date_edit("summary_from", today - timedelta(days=30))
        self.summary_to = date_edit("summary_to", today)
        self.summary_button = QPushButton(objectName="summary_refresh")
        self.summary_range_label = QLabel()
        top.addWidget(self.summary_range_label)
        top.addWidget(self.summary_from)
        top.addWidget(QLabel("—"))
        top.addWidget(self.summary_to)
        top.addWidget(self.summary_button)
        top.addStretch(1)
        layout.addLayout(top)
        self.summary_total = QLabel(objectName="summary_total")
        layout.addWidget(self.summary_total)
        grid = QGridLayout()
        self.per_day = CountTableModel(("日期", "用户", "操作次数"))
        self.reveals = CountTableModel(("用户", "查看完整信息/打开文件"))
        self.failures = CountTableModel(("用户名", "登录失败/锁定"))
        self.after_hours = CountTableModel(("用户", "非工作时间操作"))
        self.summary_boxes: list[QGroupBox] = []
        self.summary_views: list[QTableView] = []
        for n, (model, name) in enumerate(
            (
                (self.per_day, "summary_per_day"),
                (self.reveals, "summary_reveals"),
                (self.failures, "summary_failures"),
                (self.after_hours, "summary_after_hours"),
            )
        ):
            box = QGroupBox()
            inner = QVBoxLayout(box)
            view = list_view(name, model)
            self.summary_views.append(view)
            inner.addWidget(view)
            grid.addWidget(box, n // 2, n % 2)
            self.summary_boxes.append(box)
        layout.addLayout(grid, 1)
        self.summary_button.clicked.connect(self.refresh_summary)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.summary_range_label.setText(self.tr("期间"))
        self.summary_button.setText(self.tr("统计"))
        for box, title in zip(self.summary_boxes, TITLES, strict=True):
            box.setTitle(self.tr(title))

    def refresh_summary(self) -> None:
        """Counts for the chosen period, read off the GUI thread (a long period is slow)."""
        session, clock = self._session, self._context.clock
        date_from, date_to = day_of(self.summary_from), day_of(self.summary_to)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppError):
                self.summary_total.setText(message_for(exc))
            else:
                show_unexpected(self, exc)

        self._query.run(  # the newest period wins
            self.tr("正在统计审计记录……"),
            lambda: audit.get_audit_summary(
                session=session, date_from=date_from, date_to=date_to, clock=clock
            ),
            self._show_summary,
            failed,
        )

    def idle(self) -> bool:
        """True when no summary is being counted."""
        return not self._query.running

    @property
    def summary_task(self) -> Task | None:
        """The summary being counted in the background, or the last one."""
        return self._query.task

    def _show_summary(self, summary: Any) -> None:
        self.per_day.set_rows([(d.isoformat(), u, n) for d, u, n in summary.per_user_day])
        self.reveals.set_rows(summary.reveals)
        self.failures.set_rows(summary.failed_sign_ins)
        self.after_hours.set_rows(summary.after_hours)
        for view in self.summary_views:
            fit_columns(view)
        self.summary_total.setText(
            self.tr("{0} 至 {1} 共 {2} 条审计记录").format(
                summary.date_from.isoformat(), summary.date_to.isoformat(), summary.total
            )
        )
