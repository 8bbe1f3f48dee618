"""统计: the month's overview first, one tab per report, and the 报表发布 tab (issue 19)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.domain.roles import may
from app.domain.statistics import REPORT_LABELS, ReportKind
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.statistics import list_filter_choices
from ui.context import AppContext
from ui.errors import message_for
from ui.pages.statistics.overview import OverviewTab
from ui.pages.statistics.releases import ReleasesTab
from ui.pages.statistics.report_tab import ReportTab


class StatisticsPage(QWidget):
    """Tabs: 本月概况, the six reports, 报表发布 (drafts, approval, released, 发放登记)."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_statistics")
        self._context = context
        self._session = session
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("统计"))
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(heading)
        self.message = QLabel(objectName="statistics_text")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.tabs = QTabWidget(objectName="statistics_tabs")
        layout.addWidget(self.tabs, 1)
        self.allowed = may(session.actor.roles, "statistics.read")
        self.overview: OverviewTab | None = None
        self.reports: dict[str, ReportTab] = {}
        self.releases: ReleasesTab | None = None
        if not self.allowed:
            self.tabs.hide()
            self.message.setText(
                self.tr("您的角色不查看统计报表（三员分立）。账户、备份和审计的情况见“工作台”。")
            )
            return
        self.message.hide()
        self.overview = OverviewTab(context, session)
        self.tabs.addTab(self.overview, self.tr("本月概况"))
        for kind in ReportKind:
            tab = ReportTab(context, session, kind.value)
            tab.compiled.connect(self._compiled)
            self.reports[kind.value] = tab
            self.tabs.addTab(tab, self.tr(REPORT_LABELS[kind]))
        self.releases = ReleasesTab(context, session)
        self.tabs.addTab(self.releases, self.tr("报表发布"))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())

    def refresh(self) -> None:
        """Read what the current tab shows again (the page reloads whenever it is shown)."""
        if not self.allowed:
            return
        current = self.tabs.currentWidget()
        try:
            if current is self.overview and self.overview is not None:
                self.overview.refresh()
            elif isinstance(current, ReportTab):
                current.set_choices(
                    list_filter_choices(session=self._session, clock=self._context.clock)
                )
            elif current is self.releases and self.releases is not None:
                self.releases.refresh()
        except AppError as exc:
            self.message.setText(message_for(exc))
            self.message.show()

    def _compiled(self, report_id: int) -> None:
        assert self.releases is not None
        self.tabs.setCurrentWidget(self.releases)
        self.releases.refresh(select=report_id)
