"""登记簿与报告: the registers of a date range, use statistics, damage/loss reports."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.errors import AppError
from app.services.loans import list_damage_reports, resolve_damage_report, use_statistics
from app.services.loans import printing as loan_print
from ui.dialogs.loans import TextDialog
from ui.errors import message_for
from ui.pages.loans.common import REPORT_COLUMNS, Desk, report_cells
from ui.widgets.dates import date_edit, day_of
from ui.widgets.table_panel import TablePanel


class RegistersTab(QWidget):
    """Dates, the register printouts, 利用统计 of the dates, and the damage/loss reports."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        today = desk.context.clock.now().astimezone().date()
        self.date_from = date_edit("register_from", today.replace(day=1))
        self.date_to = date_edit("register_to", today)
        bar.addWidget(QLabel(self.tr("借出日期从")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("到")))
        bar.addWidget(self.date_to)
        self.register_button = QPushButton(self.tr("借阅登记簿…"), objectName="print_register")
        self.register_button.clicked.connect(lambda: self.print_register(open_only=False))
        self.open_register_button = QPushButton(
            self.tr("当前未还登记簿…"), objectName="print_open_register"
        )
        self.open_register_button.clicked.connect(lambda: self.print_register(open_only=True))
        self.copy_register_button = QPushButton(
            self.tr("复制摘抄登记簿…"), objectName="print_copy_register"
        )
        self.copy_register_button.clicked.connect(self.print_copy_register)
        self.import_button = QPushButton(self.tr("导入借阅登记簿…"), objectName="import_loans")
        self.import_button.setVisible(desk.desk)
        self.import_button.clicked.connect(self.import_register)
        for button in (self.register_button, self.open_register_button, self.copy_register_button):
            bar.addWidget(button)
        bar.addWidget(self.import_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.stats_label = QLabel(objectName="use_statistics")
        self.stats_label.setWordWrap(True)
        layout.addWidget(self.stats_label)
        self.date_from.dateChanged.connect(lambda _d: self.show_statistics())
        self.date_to.dateChanged.connect(lambda _d: self.show_statistics())
        layout.addWidget(QLabel(self.tr("损坏/遗失报告（归还时短缺或损坏自动生成，处理后关闭）")))
        self.reports = TablePanel(name="report_table", columns=REPORT_COLUMNS, cells=report_cells)
        self.resolve_button = self.reports.add_button(
            self.tr("处理报告…"), "resolve_report", self.resolve_selected, visible=desk.desk
        )
        self.reports.end_bar()
        layout.addWidget(self.reports, 1)

    def import_register(self) -> None:
        """导入借阅登记簿 (the import wizard): open loans and the history on day one."""
        from ui.dialogs.import_wizard import ImportWizard

        desk = self._desk
        ImportWizard(self, desk.context, desk.session, "loans").exec()
        desk.refresh()

    def load(self) -> None:
        """Reload the reports (AppError goes to the caller) and the statistics."""
        desk = self._desk
        self.reports.set_rows(list_damage_reports(session=desk.session, clock=desk.context.clock))
        self.show_statistics()

    def date_range(self) -> tuple[date, date]:
        """The chosen dates."""
        return day_of(self.date_from), day_of(self.date_to)

    def show_statistics(self) -> None:
        """利用统计 of the chosen dates (R40, R50): 人次, 卷次, pages copied, overdue."""
        start, end = self.date_range()
        try:
            stats = use_statistics(
                session=self._desk.session,
                clock=self._desk.context.clock,
                date_from=start,
                date_to=end,
            )
        except AppError as exc:
            self.stats_label.setText(message_for(exc))
            return
        kinds = "、".join(f"{k} {n}" for k, n in stats.by_kind.items()) or "—"
        self.stats_label.setText(
            self.tr(
                "利用统计（{0} 至 {1}）：{2} 人次，{3} 卷次（{4}），复制 {5} 页；"
                "外借 {6} 次，逾期未还 {7}，逾期归还 {8}"
            ).format(
                start.isoformat(),
                end.isoformat(),
                stats.person_times,
                stats.volume_times,
                kinds,
                stats.pages_copied,
                stats.loans,
                stats.overdue_now,
                stats.returned_late,
            )
        )

    def print_register(self, *, open_only: bool) -> None:
        """借阅登记簿 for the chosen dates, or the entries still out."""
        start, end = self.date_range()
        session, clock = self._desk.session, self._desk.context.clock
        self._desk.preview_later(
            "register",
            "open" if open_only else f"{start}_{end}",
            lambda: loan_print.register_pdf(
                session=session, clock=clock, date_from=start, date_to=end, open_only=open_only
            ),
        )

    def print_copy_register(self) -> None:
        """复制摘抄登记簿 for the chosen dates."""
        start, end = self.date_range()
        session, clock = self._desk.session, self._desk.context.clock
        self._desk.preview_later(
            "copy_register",
            f"{start}_{end}",
            lambda: loan_print.copy_register_pdf(
                session=session, clock=clock, date_from=start, date_to=end
            ),
        )

    def resolve_selected(self) -> None:
        """Close the selected damage/loss report with what was done."""
        row = self.reports.selected()
        if row is None:
            return
        session, clock = self._desk.session, self._desk.context.clock
        ask = TextDialog(
            self,
            self.tr("处理报告 — {0}").format(row.loan_number),
            self.tr("处理结果"),
            "resolution",
            lambda text: resolve_damage_report(
                session=session, report_id=row.id, resolution=text, clock=clock
            ),
        )
        if ask.exec():
            self._desk.refresh()
