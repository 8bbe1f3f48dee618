"""Statistics and reports (issue 19, R50, seed 000 第3章), counts only.

Holdings, use, loans, inspections, customers and activity; drafts, approval, released frozen
reports and their distribution register; PDF with charts and xlsx.

One module per report (``holdings``, ``use``, ``loans``, ``inspections``, ``customers``,
``activity``), ``reports`` (computing, the month's overview, the reader's view), ``release``
(routing, approvals, versions, 发放登记), ``stored`` (reading them) and ``export``.
"""

from app.services.statistics.export import export_report, export_stored_report
from app.services.statistics.release import (
    approve_report,
    compile_report,
    get_statistics_routing,
    record_distribution,
    reject_report,
    revise_report,
    set_statistics_routing,
    submit_report,
)
from app.services.statistics.reports import (
    FILTERS,
    FilterChoices,
    Overview,
    compute_report,
    for_reader,
    get_overview,
    list_filter_choices,
)
from app.services.statistics.stored import (
    DistributionRow,
    ReportRow,
    StoredReport,
    get_stored_report,
    list_stored_reports,
    report_queue,
)

__all__ = [
    "FILTERS",
    "DistributionRow",
    "FilterChoices",
    "Overview",
    "ReportRow",
    "StoredReport",
    "approve_report",
    "compile_report",
    "compute_report",
    "export_report",
    "export_stored_report",
    "for_reader",
    "get_overview",
    "get_statistics_routing",
    "get_stored_report",
    "list_filter_choices",
    "list_stored_reports",
    "record_distribution",
    "reject_report",
    "report_queue",
    "revise_report",
    "set_statistics_routing",
    "submit_report",
]
