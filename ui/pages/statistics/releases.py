"""The 报表发布 tab: stored reports, their review and approval, versions, the 发放登记."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.clock import format_local
from app.domain.roles import may
from app.domain.statistics import DRAFT_MARK
from app.services.auth import SignedIn
from app.services.exports import ExportFormat
from app.services.statistics import (
    ReportRow,
    StoredReport,
    approve_report,
    export_stored_report,
    get_stored_report,
    list_stored_reports,
    record_distribution,
    reject_report,
    revise_report,
    submit_report,
)
from ui.context import AppContext
from ui.dialogs.loans import TextDialog
from ui.errors import REFUSED, UseCases
from ui.files import save_file_name
from ui.pages.statistics.dialogs import DistributionDialog, ReviseDialog
from ui.pages.statistics.view import ReportView, scrolled
from ui.widgets.table_panel import TablePanel

COLUMNS = (
    "编号",
    "版本",
    "报表",
    "统计期间",
    "类型",
    "状态",
    "待审批",
    "编制人",
    "编制时间",
    "已发放",
)


def row_cells(r: ReportRow) -> list[str]:
    """The list's cells of one stored report."""
    return [
        r.number or "—",
        str(r.version),
        r.kind_label,
        r.period,
        r.route_label + (f"（{r.requested_by}）" if r.requested_by else ""),
        r.state_label,
        r.waiting_for,
        r.compiled_by,
        format_local(r.compiled_at),
        f"{r.distributed} 份" if r.distributed else "",
    ]


class ReleasesTab(UseCases, QWidget):
    """Stored reports above; the selected one (frozen figures, approvals, hand-outs) below."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="statistics_releases")
        self._context = context
        self._session = session
        self.stored: StoredReport | None = None
        roles = session.actor.roles
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        self.panel = TablePanel(name="stored_reports", columns=COLUMNS, cells=row_cells)
        add = self.panel.add_button
        self.submit_button = add(self.tr("提交审批"), "submit", lambda: self._act(submit_report))
        self.approve_button = add(
            self.tr("同意"), "approve", lambda: self._act(approve_report, opinion="")
        )
        self.reject_button = add(self.tr("退回…"), "reject", self.reject)
        self.revise_button = add(self.tr("个别项修改…"), "revise", self.revise)
        self.give_button = add(self.tr("发放登记…"), "distribute", self.distribute)
        self.panel.end_bar()
        self.pdf_button = add(
            self.tr("导出 PDF…"), "stored_pdf", lambda: self.export(ExportFormat.PDF)
        )
        self.xlsx_button = add(
            self.tr("导出 Excel…"), "stored_xlsx", lambda: self.export(ExportFormat.XLSX)
        )
        self.submit_button.setVisible(may(roles, "statistics.compile"))
        self.revise_button.setVisible(may(roles, "statistics.compile"))
        self.give_button.setVisible(may(roles, "statistics.distribute"))
        self.approve_button.setVisible(may(roles, "statistics.approve"))
        self.reject_button.setVisible(may(roles, "statistics.approve"))
        split.addWidget(self.panel)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        self.release_label = QLabel(objectName="release_info")
        self.release_label.setWordWrap(True)
        self.release_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail_layout.addWidget(self.release_label)
        self.view = ReportView()
        detail_layout.addWidget(scrolled(self.view), 1)
        split.addWidget(detail)
        split.setSizes([220, 480])
        layout.addWidget(split)
        self.panel.selection_changed.connect(self._selected)

    def refresh(self, select: int | None = None) -> None:
        """Read the list again, keeping (or choosing) the selected report."""
        current = select or (self.stored.row.id if self.stored else None)
        rows = list_stored_reports(session=self._session, clock=self._context.clock)
        self.panel.set_rows(rows)
        ids = [r.id for r in rows]
        if current in ids:
            self.panel.select_row(ids.index(current))
        self._selected()

    def _selected(self, *_: Any) -> None:
        row = self.panel.selected()
        if row is None:
            self.stored = None
            self.view.set_report(None)
            self.release_label.clear()
        else:
            self.stored = get_stored_report(
                session=self._session, report_id=row.id, clock=self._context.clock
            )
            self._show(self.stored)
        state = self.stored.row.state if self.stored else ""
        self.submit_button.setEnabled(state == "draft")
        self.approve_button.setEnabled(state == "pending")
        self.reject_button.setEnabled(state == "pending")
        self.revise_button.setEnabled(state == "released")
        self.give_button.setEnabled(state == "released")
        self.pdf_button.setEnabled(self.stored is not None)
        self.xlsx_button.setEnabled(self.stored is not None)

    def _show(self, stored: StoredReport) -> None:
        r, rel = stored.row, stored.release
        lines = [
            self.tr("编号：{0}　第 {1} 版　状态：{2}").format(
                r.number or self.tr("（发布时编号）"), r.version, r.state_label
            ),
            self.tr("编制人：{0}　统计期间：{1}").format(r.compiled_by, r.period),
        ]
        if rel.is_draft:
            lines.append(DRAFT_MARK)
        if r.waiting_for:
            lines.append(self.tr("待审批：{0}").format(r.waiting_for))
        if rel.approvals:
            lines.append(self.tr("审查与批准：") + "；".join(rel.approvals))
        if rel.change_note:
            lines.append(self.tr("修改说明：") + rel.change_note)
        if stored.distributions:
            lines.append(
                self.tr("发放登记：")
                + "；".join(
                    f"{d.given_on.isoformat()} {d.recipient} {d.copies} 份"
                    + (f"（{d.note}）" if d.note else "")
                    for d in stored.distributions
                )
            )
        self.release_label.setText("\n".join(lines))
        self.view.set_report(stored.report)

    # -- actions ---------------------------------------------------------------------------
    def _act(self, use_case: Callable[..., object], /, **arguments: Any) -> None:
        """:meth:`attempt` ``use_case`` on the selected report; reload unless it was refused."""
        if self.stored is None:
            return
        if self.attempt(use_case, report_id=self.stored.row.id, **arguments) is not REFUSED:
            self.refresh()

    def reject(self) -> None:
        """Send the selected report back with a reason."""
        if self.stored is None:
            return
        rid = self.stored.row.id
        dialog = TextDialog(
            self,
            self.tr("退回报表"),
            self.tr("退回原因"),
            "reason",
            lambda text: reject_report(
                session=self._session, report_id=rid, reason=text, clock=self._context.clock
            ),
        )
        if dialog.exec():
            self.refresh()

    def _on_selected(self, use_case: Callable[..., int]) -> Callable[..., int]:
        """``use_case`` bound to the signed-in user, the selected report and the clock."""
        assert self.stored is not None
        return partial(
            use_case, session=self._session, report_id=self.stored.row.id, clock=self._context.clock
        )

    def revise(self) -> None:
        """Change one figure of the selected released report (a new version)."""
        if self.stored is None:
            return
        dialog = ReviseDialog(self, self.stored.report, self._on_selected(revise_report))
        if dialog.exec():
            self.refresh(select=int(dialog.result_value))

    def distribute(self) -> None:
        """Enter a hand-out of the selected released report."""
        if self.stored is None:
            return
        today = self._context.clock.now().astimezone().date()
        if DistributionDialog(self, today, self._on_selected(record_distribution)).exec():
            self.refresh()

    def export(self, fmt: ExportFormat) -> None:
        """Save the selected report (a released one without the draft watermark)."""
        if self.stored is None:
            return
        r = self.stored.row
        suffix = ".pdf" if fmt == ExportFormat.PDF else ".xlsx"
        name = f"{r.number or '草稿'}-{r.kind_label}-第{r.version}版{suffix}"
        filters = (
            self.tr("PDF 文件 (*.pdf)") if suffix == ".pdf" else self.tr("Excel 文件 (*.xlsx)")
        )
        path = save_file_name(self, "statistics", self.tr("导出统计报表"), name, filters)
        if path:
            self.write_export(fmt, path)

    def write_export(self, fmt: ExportFormat, path: str) -> None:
        """Write the selected report to ``path`` (the dialog-free half, for tests)."""
        assert self.stored is not None
        data = self.attempt(export_stored_report, report_id=self.stored.row.id, fmt=fmt)
        if data is REFUSED:
            return
        with open(path, "wb") as out:
            out.write(data)
