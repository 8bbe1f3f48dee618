"""概况: the selected session's header and its steps (count, pause, verify, print, close)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.inspection_rows import InspectionRow
from app.errors import AppError
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import UseCases, show_error
from ui.pages.inspections.common import LIVE, Host, session_state
from ui.pages.inspections.dialogs import CloseDialog


class SessionPanel(UseCases, QWidget):
    """The header of the selected session and the buttons of its steps."""

    counting_started = Signal()  # the page turns to the scan view
    notice = Signal(str)  # a one-line result (files verified) for the scan view

    def __init__(self, context: AppContext, session: SignedIn, host: Host) -> None:
        super().__init__()
        self._context, self._session, self._host = context, session, host
        layout = QVBoxLayout(self)
        self.header = QLabel(objectName="inspection_header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.header)
        self.result = QLabel(objectName="inspection_result")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        row = QHBoxLayout()
        self.start_count = QPushButton(objectName="begin_counting")
        self.pause = QPushButton(objectName="pause_inspection")
        self.resume = QPushButton(objectName="resume_inspection")
        self.finish_count = QPushButton(objectName="finish_counting")
        self.fixity = QPushButton(objectName="verify_files")
        self.print_record = QPushButton(objectName="print_record")
        self.close_session = QPushButton(objectName="close_inspection")
        for b in (
            self.start_count,
            self.pause,
            self.resume,
            self.finish_count,
            self.fixity,
            self.print_record,
            self.close_session,
        ):
            row.addWidget(b)
        row.addStretch()
        layout.addLayout(row)
        self.steps = QLabel(objectName="inspection_steps")
        self.steps.setWordWrap(True)
        self.steps.setStyleSheet("color: #555; margin-top: 12px;")
        layout.addWidget(self.steps)
        layout.addStretch()
        self.start_count.clicked.connect(lambda: self._step(svc.begin_counting))
        self.pause.clicked.connect(lambda: self._step(svc.pause_inspection))
        self.resume.clicked.connect(lambda: self._step(svc.resume_inspection))
        self.finish_count.clicked.connect(lambda: self._step(svc.finish_counting))
        self.fixity.clicked.connect(self.verify_files)
        self.print_record.clicked.connect(self.print_current)
        self.close_session.clicked.connect(self.close_current)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.start_count.setText(self.tr("开始清点"))
        self.pause.setText(self.tr("暂停"))
        self.resume.setText(self.tr("继续"))
        self.finish_count.setText(self.tr("结束清点"))
        self.fixity.setText(self.tr("校验电子文件"))
        self.print_record.setText(self.tr("打印检查记录…"))
        self.close_session.setText(self.tr("结束检查…"))
        self.steps.setText(
            self.tr(
                "步骤：1. 开始清点（按范围生成应有清单：已上架 − 借出 − 在修）；"
                "2. 在“扫码清点”中先扫位置标签，再扫该处的档案盒或案卷，可随时暂停、改日继续；"
                "3. 结束清点，逐项处理差异（归位、报失或说明）；4. 填写检查项目和温湿度，"
                "登记发现的问题和修复任务；5. 结束检查并打印库房检查记录，由全体检查人签字。"
            )
        )

    def show_session(self, c: InspectionRow | None) -> None:
        """Show the header of ``c`` and enable the steps its state allows."""
        status, paused = session_state(c)
        live = status in LIVE
        self.start_count.setEnabled(status == "open" and not paused)
        self.pause.setEnabled(live and not paused)
        self.resume.setEnabled(live and paused)
        self.finish_count.setEnabled(status == "counting" and not paused)
        self.fixity.setEnabled(live and not paused)
        self.print_record.setEnabled(c is not None)
        self.close_session.setEnabled(status in ("open", "findings") and not paused)
        if c is None:
            self.header.setText(self.tr("还没有检查记录。点“新建检查…”开始。"))
            return
        self.header.setText(
            self.tr(
                "编号：{0}　类型：{1}\n库房：{2}　范围：{3}\n日期：{4}　检查人：{5}\n状态：{6}\n"
                "应有 {7} 卷，已扫描 {8} 卷，未处理差异 {9} 项"
            ).format(
                c.number,
                self.tr(c.kind_label),
                c.room_code,
                c.scope_label,
                c.inspected_on.isoformat(),
                "、".join(c.inspectors),
                self.tr(c.status_label),
                c.expected,
                c.found,
                c.open_differences,
            )
        )

    # -- actions ------------------------------------------------------------------------
    def _step(self, fn: Any) -> None:
        current = self._host.current
        if current is None:
            return
        self.attempt(fn, inspection_id=current.id)
        self._host.refresh()
        if fn is svc.begin_counting:
            self.counting_started.emit()

    def verify_files(self) -> None:
        """SHA-256 of every electronic file in scope (behind a progress dialog)."""
        current = self._host.current
        if current is None:
            return
        from ui.tasks import run_blocking

        sid = current.id
        try:
            result = run_blocking(
                self,
                self.tr("正在校验电子文件…"),
                lambda sink: svc.verify_scope_files(
                    session=self._session,
                    inspection_id=sid,
                    clock=self._context.clock,
                    progress=sink.report,
                ),
                cancellable=False,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        text = self.tr("已校验 {0} 个电子文件，不符 {1} 个。").format(
            result.checked, len(result.failed)
        )
        self.notice.emit(text)
        self._host.refresh()

    def print_current(self) -> None:
        """The 库房检查记录 in the print preview (printing and saving are recorded)."""
        current = self._host.current
        if current is None:
            return
        from app.services.inspections import printing  # ReportLab: loaded when printing
        from ui.dialogs.print_preview import preview_in_background

        sid, number = current.id, current.number
        session, clock = self._session, self._context.clock

        def output(kind: str) -> None:
            printing.record_inspection_output(
                session=session, inspection_id=sid, kind=kind, clock=clock
            )

        preview_in_background(  # read and drawn off the GUI thread (issue 21, point 8)
            self,
            self.tr("库房检查记录 {0}").format(number),
            lambda: printing.inspection_record_pdf(session=session, inspection_id=sid, clock=clock),
            self._context,
            on_output=output,
        )

    def close_current(self) -> None:
        """Close the session: measures, and carrying over what is still open (explicitly)."""
        current = self._host.current
        if current is None:
            return
        dialog = CloseDialog(self, self._context, self._session, current)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._host.refresh()
