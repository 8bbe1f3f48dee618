"""One report's tab: period, filters, the report computed off the GUI thread, exports, drafts.

Compiling the shown report files it as a draft and sends it for review (seed 000 第13条).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import may
from app.domain.statistics import DRAFT_MARK, REPORT_LABELS, Report, ReportFilter, ReportKind
from app.services.auth import SignedIn
from app.services.exports import ExportFormat
from app.services.statistics import (
    FILTERS,
    FilterChoices,
    compile_report,
    compute_report,
    export_report,
    submit_report,
)
from ui.context import AppContext
from ui.errors import REFUSED, UseCases
from ui.files import save_file_name
from ui.pages.statistics.dialogs import CompileDialog
from ui.pages.statistics.view import ReportView, scrolled
from ui.tasks import ProgressSink, Task, run_in_background
from ui.widgets.dates import date_edit, day_of, qdate

LEVELS = (("", "全部密级"), ("none", "非密"), ("secret", "秘密"), ("confidential", "机密"))
LEVELS += (("top_secret", "绝密"),)


class ReportTab(UseCases, QWidget):
    """Filters over one report kind; 统计 computes it, the buttons export or compile it."""

    compiled = Signal(int)  # a draft was filed (the releases tab shows it)

    def __init__(self, context: AppContext, session: SignedIn, kind: str) -> None:
        super().__init__(objectName=f"statistics_{kind}")
        self._context = context
        self._session = session
        self.kind = kind
        self.report: Report | None = None
        self.task: Task | None = None
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        today = self._context.clock.now().astimezone().date()
        self.date_from = date_edit("date_from", today.replace(day=1))
        self.date_to = date_edit("date_to", today)
        bar.addWidget(QLabel(self.tr("期间")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("至")))
        bar.addWidget(self.date_to)
        wanted = FILTERS[self.kind]
        self.category = QComboBox(objectName="filter_category")
        self.year = QComboBox(objectName="filter_year")
        self.department = QComboBox(objectName="filter_department")
        self.level = QComboBox(objectName="filter_level")
        for value, label in LEVELS:
            self.level.addItem(self.tr(label), value)
        for name, box in (
            ("category", self.category),
            ("year", self.year),
            ("department", self.department),
            ("level", self.level),
        ):
            box.setVisible(name in wanted)
            bar.addWidget(box)
        self.run_button = QPushButton(self.tr("统计"), objectName="run")
        self.run_button.setDefault(True)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        self.xlsx_button = QPushButton(self.tr("导出 Excel…"), objectName="export_xlsx")
        self.pdf_button = QPushButton(self.tr("导出 PDF…"), objectName="export_pdf")
        self.compile_button = QPushButton(self.tr("生成草稿并提交审批…"), objectName="compile")
        for button in (self.xlsx_button, self.pdf_button, self.compile_button):
            button.setEnabled(False)
            bar.addWidget(button)
        self.compile_button.setVisible(may(self._session.actor.roles, "statistics.compile"))
        layout.addLayout(bar)
        self.state = QLabel(objectName="report_state")
        self.state.setStyleSheet("color: #b00020;")
        layout.addWidget(self.state)
        self.view = ReportView()
        layout.addWidget(scrolled(self.view), 1)
        self.run_button.clicked.connect(self.run)
        self.xlsx_button.clicked.connect(lambda: self.export(ExportFormat.XLSX))
        self.pdf_button.clicked.connect(lambda: self.export(ExportFormat.PDF))
        self.compile_button.clicked.connect(self.compile)

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the filter boxes from the data."""
        for box, first, values in (
            (self.category, self.tr("全部门类"), choices.categories),
            (self.year, self.tr("全部年度"), tuple(str(y) for y in choices.years)),
            (self.department, self.tr("全部部门"), choices.departments),
        ):
            current = box.currentData()
            box.clear()
            box.addItem(first, "")
            for value in values:
                box.addItem(value, value)
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))

    def set_period(self, start: date, end: date) -> None:
        """Choose the period (tests, the overview's month)."""
        self.date_from.setDate(qdate(start))
        self.date_to.setDate(qdate(end))

    def filters(self) -> ReportFilter:
        """The filter as chosen."""
        year = str(self.year.currentData() or "")
        return ReportFilter(
            category=str(self.category.currentData() or ""),
            year=int(year) if year else None,
            department=str(self.department.currentData() or ""),
            level=str(self.level.currentData() or ""),
        )

    def chosen(self) -> dict[str, Any]:
        """The report asked for on screen, as the services take it: kind, period, filters."""
        return {
            "kind": self.kind,
            "period_from": day_of(self.date_from),
            "period_to": day_of(self.date_to),
            "filters": self.filters(),
        }

    # -- actions ---------------------------------------------------------------------------
    def run(self) -> None:
        """Compute the report off the GUI thread, then show it."""
        session, clock, chosen = self._session, self._context.clock, self.chosen()

        def work(_sink: ProgressSink) -> Report:
            return compute_report(session=session, clock=clock, **chosen)

        self.run_button.setEnabled(False)
        self.task = run_in_background(
            self, self.tr("正在统计……"), work, self._show, lambda exc: self._failed(exc)
        )

    def _failed(self, exc: BaseException) -> None:
        from app.errors import AppError
        from ui.errors import show_error, show_unexpected

        self.run_button.setEnabled(True)
        if isinstance(exc, AppError):
            show_error(self, exc)
        else:
            show_unexpected(self, exc)

    def _show(self, report: Report) -> None:
        self.run_button.setEnabled(True)
        self.report = report
        self.state.setText(self.tr("当前为即时统计结果，未经审批：{0}").format(DRAFT_MARK))
        filters = "；".join(f"{k}：{v}" for k, v in report.filters) or self.tr("全部")
        self.view.set_report(
            report,
            self.tr("{0}　统计期间：{1}　筛选：{2}").format(
                REPORT_LABELS[ReportKind(report.kind)], report.period_text(), filters
            ),
        )
        for button in (self.xlsx_button, self.pdf_button, self.compile_button):
            button.setEnabled(True)

    def export(self, fmt: ExportFormat) -> None:
        """Save the shown report as a watermarked draft (PDF) or workbook."""
        if self.report is None:
            return
        suffix = ".pdf" if fmt == ExportFormat.PDF else ".xlsx"
        name = f"{self.report.title}-{self.report.period_from.isoformat()}{suffix}"
        filters = (
            self.tr("PDF 文件 (*.pdf)") if suffix == ".pdf" else self.tr("Excel 文件 (*.xlsx)")
        )
        path = save_file_name(self, "statistics", self.tr("导出统计报表"), name, filters)
        if not path:
            return
        self.write_export(fmt, path)

    def write_export(self, fmt: ExportFormat, path: str) -> None:
        """Write the export to ``path`` (the dialog-free half, for tests)."""
        assert self.report is not None
        data = self.attempt(export_report, report=self.report, fmt=fmt)
        if data is REFUSED:
            return
        with open(path, "wb") as out:
            out.write(data)

    def compile(self) -> None:
        """Compile the chosen report as a draft and submit it."""
        dialog = CompileDialog(self, self.file_draft)
        if dialog.exec():
            self.compiled.emit(int(dialog.result_value))

    def file_draft(self, route: str, requested_by: str) -> Any:
        """Compile and submit (the dialog's service call)."""
        rid = compile_report(
            session=self._session,
            route=route,
            requested_by=requested_by,
            clock=self._context.clock,
            **self.chosen(),
        )
        submit_report(session=self._session, report_id=rid, clock=self._context.clock)
        return rid
