"""鉴定销毁 (issue 17: R44, R46): the appraisal queue, the 销毁清册 and the holds, one tab each.

Archivists appraise, compile and record destructions; approvers appraise, approve and release
holds; the auditor reads every list and verifies the destroyed volumes. Buttons a role may not
use are hidden; every step calls its service, which checks again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain.changes import Changes
from app.domain.disposition import LIST_COLUMNS
from app.domain.roles import may
from app.errors import AppError
from app.services import disposition as svc
from app.services.auth import SignedIn
from app.services.disposition import printing
from ui.context import AppContext
from ui.errors import REFUSED, UseCases, show_error
from ui.pages.disposition.dialogs import (
    DecisionDialog,
    HoldDialog,
    StartAppraisalDialog,
    TextDialog,
)
from ui.pages.disposition.list_actions import ListActions
from ui.widgets.table_panel import TablePanel

WATCHED = Changes.of("disposition", "volumes", "loans", "inspections")


class DispositionPage(ListActions, UseCases, QWidget):
    """Three tabs: 鉴定 (queue and appraisals), 销毁清册, 冻结."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_disposition")
        self._context, self._session = context, session
        roles = session.actor.roles
        self._may = lambda action: may(roles, action)
        self._build_ui()
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(objectName="disposition_tabs")
        self.tabs.addTab(self._queue_tab(), self.tr("鉴定"))
        self.tabs.addTab(self._lists_tab(), self.tr("销毁清册"))
        self.tabs.addTab(self._holds_tab(), self.tr("冻结"))
        layout.addWidget(self.tabs)

    def _queue_tab(self) -> QWidget:
        tab = QWidget()
        outer = QVBoxLayout(tab)
        self.queue_summary = QLabel(objectName="queue_summary")
        outer.addWidget(self.queue_summary)
        split = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.queue = TablePanel(
            name="queue_table",
            columns=[self.tr(c) for c in ("档号", "题名", "年度", "保管期限", "期满", "密级")],
            cells=lambda r: (
                r.reference_code,
                r.title,
                str(r.year),
                r.retention,
                str(r.ends or ""),
                r.secrecy,
            ),
        )
        appraise = self._may("disposition.appraise")
        self.queue.add_button(
            self.tr("登记鉴定结论…"), "decide_button", self.decide, visible=appraise
        )
        self.queue.end_bar()
        lv.addWidget(self.queue, 3)
        lv.addWidget(QLabel(self.tr("暂不能鉴定（冻结、借出、在修）：")))
        self.blocked = TablePanel(
            name="blocked_table",
            columns=[self.tr(c) for c in ("档号", "题名", "年度", "原因")],
            cells=lambda r: (r.reference_code, r.title, str(r.year), r.blocked),
        )
        lv.addWidget(self.blocked, 1)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("鉴定：")))
        self.appraisal_box = QComboBox(objectName="appraisal_box")
        self.appraisal_box.currentIndexChanged.connect(self._show_appraisal)
        row.addWidget(self.appraisal_box, 1)
        rv.addLayout(row)
        self.appraisal_info = QLabel(objectName="appraisal_info")
        self.appraisal_info.setWordWrap(True)
        rv.addWidget(self.appraisal_info)
        self.decisions = TablePanel(
            name="decisions_table",
            columns=[self.tr(c) for c in ("档号", "题名", "结论", "说明")],
            cells=lambda d: (
                d.reference_code,
                d.title,
                d.decision_label,
                f"至{d.new_until}年 {d.reason}" if d.new_until else (d.recipient or d.reason),
            ),
        )
        self.decisions.add_button(
            self.tr("开始鉴定…"), "start_appraisal_button", self.start_appraisal, visible=appraise
        )
        self.decisions.add_button(
            self.tr("撤回结论"), "remove_decision_button", self.remove_decision, visible=appraise
        )
        self.decisions.add_button(
            self.tr("完成鉴定"), "close_appraisal_button", self.close_appraisal, visible=appraise
        )
        self.decisions.add_button(
            self.tr("打印鉴定记录…"), "print_appraisal_button", self.print_appraisal
        )
        self.decisions.end_bar()
        rv.addWidget(self.decisions, 1)
        split.addWidget(left)
        split.addWidget(right)
        outer.addWidget(split, 1)
        return tab

    def _lists_tab(self) -> QWidget:
        tab = QWidget()
        outer = QVBoxLayout(tab)
        self.lists = TablePanel(
            name="lists_table",
            columns=[
                self.tr(c)
                for c in ("清册编号", "状态", "卷数", "编制人", "编制时间", "审批", "销毁日期")
            ],
            cells=lambda s: (
                s.number,
                s.state_label,
                str(s.volumes),
                s.compiled_by,
                format_local(s.compiled_at),
                f"{s.signed}/{len(s.steps)} " + "→".join(s.steps),
                s.carried_out_on.isoformat() if s.carried_out_on else "",
            ),
        )
        compile_ = self._may("disposition.compile")
        buttons: list[tuple[str, str, Callable[[], Any], bool]] = [
            (self.tr("编制清册…"), "compile_button", self.compile_list, compile_),
            (self.tr("提交审批"), "submit_button", self.submit_list, compile_),
            (self.tr("批准"), "approve_button", self.approve, self._may("disposition.approve")),
            (self.tr("退回…"), "reject_button", self.reject, self._may("disposition.approve")),
            (
                self.tr("执行销毁…"),
                "carry_out_button",
                self.carry_out,
                self._may("disposition.carry_out"),
            ),
            (self.tr("追加备注…"), "note_button", self.add_note, compile_),
            (self.tr("打印清册…"), "print_list_button", self.print_list, True),
            (self.tr("销毁证明…"), "print_certificate_button", self.print_certificate, True),
            (
                self.tr("核查销毁记录"),
                "verify_button",
                self.verify,
                self._may("disposition.verify"),
            ),
        ]
        for text, name, slot, visible in buttons:
            self.lists.add_button(text, name, slot, visible=visible)
        self.lists.end_bar()
        self.lists.selection_changed.connect(lambda _r: self._show_list())
        outer.addWidget(self.lists, 2)
        self.list_info = QPlainTextEdit(objectName="list_info", readOnly=True)
        self.list_info.setMaximumHeight(120)
        outer.addWidget(self.list_info)
        self.list_rows = TablePanel(
            name="list_rows_table",
            columns=[self.tr(c) for c in LIST_COLUMNS],
            cells=lambda r: r.cells(),
        )
        outer.addWidget(self.list_rows, 3)
        return tab

    def _holds_tab(self) -> QWidget:
        tab = QWidget()
        outer = QVBoxLayout(tab)
        self.holds = TablePanel(
            name="holds_table",
            columns=[
                self.tr(c)
                for c in ("编号", "原因", "状态", "客户", "案卷", "查询范围", "设置人", "解除人")
            ],
            cells=lambda h: (
                h.number,
                h.reason,
                h.state_label,
                str(h.customers),
                str(h.volumes),
                h.query,
                f"{h.created_by} {format_local(h.created_at)}",
                h.released_by,
            ),
        )
        self.holds.add_button(
            self.tr("设置冻结…"),
            "place_hold_button",
            self.place_hold,
            visible=self._may("disposition.hold"),
        )
        self.holds.add_button(
            self.tr("解除冻结…"),
            "release_hold_button",
            self.release_hold,
            visible=self._may("disposition.hold_release"),
        )
        self.holds.end_bar()
        outer.addWidget(self.holds)
        return tab

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the queue, the appraisals, the lists and the holds."""
        if self._session.store.closed:
            return
        clock = self._context.clock
        try:
            queue = svc.list_appraisal_queue(session=self._session, clock=clock)
            self._appraisals = svc.list_appraisals(session=self._session, clock=clock)
            summaries = svc.list_destruction_lists(session=self._session, clock=clock)
            holds = svc.list_holds(session=self._session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self.queue_summary.setText(
            self.tr(
                "保管期限至 {0} 年底届满：可鉴定 {1} 卷，暂不能鉴定 {2} 卷（{3} 个门类/年度）"
            ).format(queue.last_year, queue.ready_total, queue.blocked_total, len(queue.groups))
        )
        self.queue.set_rows(queue.rows)
        self.blocked.set_rows(queue.blocked)
        keep = self.appraisal_box.currentData()
        self.appraisal_box.blockSignals(True)
        self.appraisal_box.clear()
        for a in self._appraisals:
            state = self.tr("进行中") if a.state == "open" else self.tr("已完成")
            self.appraisal_box.addItem(f"{a.number}（{state}）", a.id)
        index = max(0, self.appraisal_box.findData(keep)) if keep is not None else 0
        self.appraisal_box.setCurrentIndex(index)
        self.appraisal_box.blockSignals(False)
        self._show_appraisal()
        chosen = self.lists.selected()
        self.lists.set_rows(summaries)
        if chosen is not None:
            for n, s in enumerate(summaries):
                if s.id == chosen.id:
                    self.lists.select_row(n)
        self._show_list()
        self.holds.set_rows(holds)

    def refresh_after_change(self, changes: Changes) -> None:
        """A write elsewhere changed what the page shows."""
        if changes.touches(WATCHED):
            self.refresh()

    def _current_appraisal(self) -> svc.AppraisalDetail | None:
        aid = self.appraisal_box.currentData()
        return next((a for a in getattr(self, "_appraisals", []) if a.id == aid), None)

    def _show_appraisal(self) -> None:
        a = self._current_appraisal()
        if a is None:
            self.appraisal_info.setText(self.tr("尚无鉴定。"))
            self.decisions.set_rows([])
            return
        self.appraisal_info.setText(
            self.tr("鉴定日期 {0}；鉴定人：{1}；鉴定负责人：{2}").format(
                a.appraised_on.isoformat(), "、".join(a.appraisers), a.appraisers[0]
            )
        )
        self.decisions.set_rows(a.decisions)

    def _show_list(self) -> None:
        s = self.lists.selected()
        if s is None:
            self.list_info.clear()
            self.list_rows.set_rows([])
            return
        d = self.attempt(svc.get_destruction_list, list_id=s.id)
        if d is REFUSED:
            return
        parts = [self.tr("销毁原因：{0}").format(d.reason)]
        if d.appraisal_number:
            parts.append(
                self.tr("鉴定：{0}（{1}）").format(d.appraisal_number, "、".join(d.appraisers))
            )
        parts += [f"{a.title}：{a.name}（{a.opinion}）" for a in d.approvals]
        if d.rejection_reason:
            parts.append(self.tr("退回原因：{0}").format(d.rejection_reason))
        if d.witnesses:
            parts.append(
                self.tr("监销人：{0}；地点：{1}；方式：{2}").format(
                    "、".join(d.witnesses), d.place, d.method_label
                )
            )
        parts += [self.tr("备注：{0}（{1}）").format(n.text, n.by) for n in d.notes]
        self.list_info.setPlainText("\n".join(parts))
        self.list_rows.set_rows(d.rows)

    # -- actions ------------------------------------------------------------------------------
    def _run(self, use_case: Callable[..., Any], /, **arguments: Any) -> Any:
        """:meth:`attempt` the use case; the page reloads unless it was refused."""
        result = self.attempt(use_case, **arguments)
        if result is not REFUSED:
            self.refresh()
        return result

    def start_appraisal(self) -> None:
        """Open a new appraisal."""
        dialog = StartAppraisalDialog(self, self._context, self._session)
        if dialog.exec():
            self.refresh()
            self.appraisal_box.setCurrentIndex(
                max(0, self.appraisal_box.findData(dialog.result_value.id))
            )

    def decide(self) -> None:
        """Record a decision for the selected queue volume in the chosen (open) appraisal."""
        row = self.queue.selected()
        a = self._current_appraisal()
        if row is None or a is None or a.state != "open":
            QMessageBox.information(
                self, self.tr("鉴定"), self.tr("请先选择一个案卷和一个进行中的鉴定。")
            )
            return
        if DecisionDialog(self, self._context, self._session, a.id, row).exec():
            self.refresh()

    def remove_decision(self) -> None:
        """Take the selected volume out of the appraisal."""
        d, a = self.decisions.selected(), self._current_appraisal()
        if d is None or a is None:
            return
        self._run(svc.remove_decision, appraisal_id=a.id, volume_id=d.volume_id)

    def close_appraisal(self) -> None:
        """Close the appraisal (extensions and permanent decisions take effect)."""
        a = self._current_appraisal()
        if a is None:
            return
        self._run(svc.close_appraisal, appraisal_id=a.id, opinion="")

    def _preview(self, title: str, pdf: Callable[[], bytes], form: str, object_id: int) -> None:
        from ui.dialogs.print_preview import preview_rendered

        def output(kind: str) -> None:
            printing.record_disposition_output(
                session=self._session,
                form=form,
                object_id=object_id,
                kind=kind,
                clock=self._context.clock,
            )

        preview_rendered(self, title, pdf, self._context, on_output=output)

    def print_appraisal(self) -> None:
        """Preview the 鉴定记录."""
        a = self._current_appraisal()
        if a is not None:
            self._preview(
                self.tr("鉴定记录 {0}").format(a.number),
                lambda: printing.appraisal_record_pdf(
                    session=self._session, appraisal_id=a.id, clock=self._context.clock
                ),
                "appraisal_record",
                a.id,
            )

    def place_hold(self) -> None:
        """Place a new hold."""
        if HoldDialog(self, self._context, self._session).exec():
            self.refresh()

    def release_hold(self) -> None:
        """Release the selected hold with a reason."""
        h = self.holds.selected()
        if h is None:
            return
        dialog = TextDialog(
            self,
            title=self.tr("解除冻结"),
            label=self.tr("解除原因"),
            field="reason",
            object_name="release_dialog",
            action=lambda text: svc.release_hold(
                session=self._session, hold_id=h.id, reason=text, clock=self._context.clock
            ),
        )
        if dialog.exec():
            self.refresh()
