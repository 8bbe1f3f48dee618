"""统计 (issue 19): the month's overview, the reports with charts, release and 发放登记."""

from ui.pages.statistics.page import StatisticsPage

__all__ = ["StatisticsPage"]
