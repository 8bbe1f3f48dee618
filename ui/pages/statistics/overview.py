"""The 统计 page's first tab: the current month at a glance, from the reports' own totals."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.statistics import Chart
from app.services.auth import SignedIn
from app.services.statistics import Overview, get_overview
from ui.context import AppContext
from ui.pages.statistics.view import ReportView, scrolled


class OverviewTab(QWidget):
    """本月概况: holdings, this month's use and loans, customers and incidents."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="statistics_overview")
        self._context = context
        self._session = session
        layout = QVBoxLayout(self)
        self.title = QLabel(objectName="overview_title")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        layout.addWidget(self.title)
        self.view = ReportView()
        layout.addWidget(scrolled(self.view), 1)
        self.overview: Overview | None = None

    def refresh(self) -> None:
        """Read the month's figures again (about a tenth of a second on the large demo)."""
        o = get_overview(session=self._session, clock=self._context.clock)
        self.overview = o
        self.title.setText(
            self.tr("本月概况（{0} 至 {1}）").format(
                o.month_from.isoformat(), o.month_to.isoformat()
            )
        )
        use = o.report.table("use")
        chart = Chart(
            "bar",
            self.tr("本月利用"),
            tuple(str(r[0]) for r in use.rows),
            ((self.tr("数量"), tuple(float(r[1]) for r in use.rows)),),  # type: ignore[arg-type]
        )
        from dataclasses import replace

        self.view.set_report(replace(o.report, charts=(chart,)))
