"""审计: the auditor's read-only view of the trail (filters, histories, summary, exports)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.errors import AppError
from app.services import audit
from app.services.audit import ACTION_LABELS, OBJECT_LABELS, AuditFilter
from app.services.auth import SignedIn
from app.storage.files import atomic_write_bytes
from ui import files
from ui.context import AppContext
from ui.errors import message_for, show_error, show_unexpected
from ui.models.audit import AuditTableModel
from ui.pages.audit.dialogs import ArchiveDialog, ExportPurposeDialog, SealVerifyDialog
from ui.pages.audit.summary import SummaryPanel
from ui.tasks import LatestQuery, Task, run_blocking
from ui.widgets.dates import date_edit, day_of
from ui.widgets.table_panel import fit_columns, list_view

log = logging.getLogger(__name__)


class AuditPage(QWidget):
    """Entries by filter or one object's history; a summary tab; exports with a purpose."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_audit")
        self._context = context
        self._session = session
        self._next_before: int | None = None
        self._filter = AuditFilter()
        self._history: tuple[str, str] | None = None  # shown instead of the filter
        self._query = LatestQuery(self)  # the entries' query, off the GUI thread
        self._notice = ""  # the last action's result: kept when the list reloads after it
        self._build_ui()
        self._connect_signals()
        self.retranslate_ui()
        self.refresh()
        self.refresh_summary()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(objectName="audit_tabs")
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_entries(), "")
        self.summary = SummaryPanel(self._context, self._session)
        self.tabs.addTab(self.summary, "")
        # the summary's widgets, as the page showed them before the panel had its own module
        self.summary_total = self.summary.summary_total
        self.per_day, self.reveals = self.summary.per_day, self.summary.reveals
        self.failures, self.after_hours = self.summary.failures, self.summary.after_hours

    def _build_entries(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.filter_box = QGroupBox()
        grid = QGridLayout(self.filter_box)
        today = self._context.clock.now().astimezone().date()
        self.user = QComboBox(objectName="filter_user")
        self.user.setEditable(True)
        self.user.setMinimumWidth(140)
        self.user.addItem("")
        try:
            self.user.addItems(
                audit.list_audit_users(session=self._session, clock=self._context.clock)
            )
        except AppError as exc:
            log.warning("audit users not listed (%s)", exc.code)
        self.action = QComboBox(objectName="filter_action")
        self.action.addItem("", "")
        for prefix, label in (
            ("auth.", "登录与锁定（全部）"),
            ("customer.", "客户（全部）"),
            ("user.", "用户与角色（全部）"),
            ("file.", "电子文件（全部）"),
            ("print.", "打印（全部）"),
            ("export.", "导出（全部）"),
            ("audit.", "审计（全部）"),
            ("incident.", "事件登记（全部）"),
            ("volume.", "案卷（全部）"),
            ("loan.", "借阅（全部）"),
            ("inspection.", "库房检查（全部）"),
            ("location.", "库位（全部）"),
            ("backup.", "备份（全部）"),
            ("import.", "导入（全部）"),
        ):
            self.action.addItem(label, prefix)
        for code, label in sorted(ACTION_LABELS.items(), key=lambda kv: kv[0]):
            self.action.addItem(label, code)
        self.action.setMinimumWidth(180)
        self.object_type = QComboBox(objectName="filter_object_type")
        self.object_type.addItem("", "")
        for code, label in OBJECT_LABELS.items():
            if code != "setting":
                self.object_type.addItem(label, code)
        self.object_id = QLineEdit(objectName="filter_object_id")
        self.use_dates = QCheckBox(objectName="filter_use_dates")
        self.date_from = date_edit("filter_from", today - timedelta(days=30))
        self.date_to = date_edit("filter_to", today)
        self.purpose = QLineEdit(objectName="filter_purpose")
        self.search_button = QPushButton(objectName="audit_search")
        self.search_button.setDefault(True)
        self.user_label, self.action_label, self.object_label = QLabel(), QLabel(), QLabel()
        self.dates_label, self.purpose_label = QLabel(), QLabel()
        grid.addWidget(self.user_label, 0, 0)
        grid.addWidget(self.user, 0, 1)
        grid.addWidget(self.action_label, 0, 2)
        grid.addWidget(self.action, 0, 3)
        grid.addWidget(self.object_label, 0, 4)
        grid.addWidget(self.object_type, 0, 5)
        grid.addWidget(self.object_id, 0, 6)
        grid.addWidget(self.dates_label, 1, 0)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("—"))
        dates.addWidget(self.date_to)
        grid.addLayout(dates, 1, 1, 1, 3)
        grid.addWidget(self.purpose_label, 1, 4)
        grid.addWidget(self.purpose, 1, 5, 1, 2)
        grid.addWidget(self.search_button, 0, 7, 2, 1)
        layout.addWidget(self.filter_box)
        bar = QHBoxLayout()
        self.history_kind = QComboBox(objectName="history_kind")
        self.history_kind.addItem("", "customer")
        self.history_kind.addItem("", "volume")
        self.history_key = QLineEdit(objectName="history_key")
        self.history_button = QPushButton(objectName="history_show")
        bar.addWidget(self.history_kind)
        bar.addWidget(self.history_key, 1)
        bar.addWidget(self.history_button)
        bar.addSpacing(24)
        self.export_pdf_button = QPushButton(objectName="export_audit_pdf")
        self.export_xlsx_button = QPushButton(objectName="export_audit_xlsx")
        self.archive_button = QPushButton(objectName="archive_audit")
        self.verify_button = QPushButton(objectName="verify_audit")
        bar.addWidget(self.verify_button)
        bar.addWidget(self.export_pdf_button)
        bar.addWidget(self.export_xlsx_button)
        bar.addWidget(self.archive_button)
        self.incidents_button = QPushButton(objectName="audit_incidents")
        bar.addWidget(self.incidents_button)
        layout.addLayout(bar)
        self.status = QLabel(objectName="audit_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.entries = AuditTableModel()
        self.table = list_view("audit_table", self.entries)  # columns fitted to the entries shown
        layout.addWidget(self.table, 1)
        self.more_button = QPushButton(objectName="audit_more")
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    def _connect_signals(self) -> None:
        self.search_button.clicked.connect(self.refresh)
        self.purpose.returnPressed.connect(self.refresh)
        self.object_id.returnPressed.connect(self.refresh)
        self.more_button.clicked.connect(self.load_more)
        self.history_button.clicked.connect(self.show_history)
        self.history_key.returnPressed.connect(self.show_history)
        self.export_pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.export_xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.archive_button.clicked.connect(self.archive_old)
        self.verify_button.clicked.connect(self.verify_sealed)
        self.incidents_button.clicked.connect(self.show_incidents)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.tabs.setTabText(0, self.tr("审计记录"))
        self.tabs.setTabText(1, self.tr("汇总"))
        self.filter_box.setTitle(self.tr("筛选（只读；审计记录不能修改或清除）"))
        self.user_label.setText(self.tr("用户"))
        self.action_label.setText(self.tr("操作"))
        self.object_label.setText(self.tr("对象"))
        self.object_id.setPlaceholderText(self.tr("对象编号"))
        self.dates_label.setText(self.tr("日期"))
        self.use_dates.setText(self.tr("按日期"))
        self.purpose_label.setText(self.tr("用途含"))
        self.purpose.setPlaceholderText(self.tr("用途中的词，如“借阅”"))
        self.search_button.setText(self.tr("查询"))
        self.history_kind.setItemText(0, self.tr("客户编号"))
        self.history_kind.setItemText(1, self.tr("档号"))
        self.history_key.setPlaceholderText(
            self.tr("输入客户编号（如 KH00000001）或档号，查看完整历史")
        )
        self.history_button.setText(self.tr("完整历史"))
        self.export_pdf_button.setText(self.tr("导出 PDF…"))
        self.export_xlsx_button.setText(self.tr("导出 Excel…"))
        self.more_button.setText(self.tr("加载更多"))
        self.archive_button.setText(self.tr("归档旧记录…"))
        self.verify_button.setText(self.tr("校验（含封印）…"))
        self.incidents_button.setText(self.tr("事件登记簿…"))
        self.summary.retranslate_ui()

    # -- entries ------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        """The filter as set on screen."""
        dated = self.use_dates.isChecked()
        return AuditFilter(
            user=self.user.currentText().strip(),
            action=str(self.action.currentData() or ""),
            object_type=str(self.object_type.currentData() or ""),
            object_id=self.object_id.text().strip(),
            date_from=day_of(self.date_from) if dated else None,
            date_to=day_of(self.date_to) if dated else None,
            purpose=self.purpose.text().strip(),
        )

    # -- loading (off the GUI thread: a million entries, issue 21, point 8) ----------------
    def _load(self, label: str, fetch: Callable[[], Any], show: Callable[[Any], None]) -> None:
        """Run ``fetch`` in a worker (a progress bar with 取消 after 300 ms), then ``show``.

        A newer query cancels the one still running (its result is dropped), so the table
        always shows the last filter asked for.
        """

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppError):
                self.status.setText(message_for(exc))
            else:
                show_unexpected(self, exc)

        self._say(self.tr("正在查询……"))
        self._query.run(label, fetch, show, failed)

    @property
    def load_task(self) -> Task | None:
        """The entries' query running in the background, or the last one."""
        return self._query.task

    def idle(self) -> bool:
        """True when no query of the page (entries or summary) is running."""
        return not self._query.running and self.summary.idle()

    def refresh(self, *, keep_notice: bool = False) -> None:
        """Run the filter (newest first, 500 at a time)."""
        if not keep_notice:
            self._notice = ""
        self._filter = self.current_filter()
        self._history = None
        audit_filter, session, clock = self._filter, self._session, self._context.clock
        self._load(
            self.tr("正在查询审计记录……"),
            lambda: audit.search_audit(session=session, audit_filter=audit_filter, clock=clock),
            lambda page: self._show_entries(audit_filter, page),
        )

    def _show_entries(self, audit_filter: AuditFilter, page: Any) -> None:
        self.entries.set_rows(page.rows)
        fit_columns(self.table)
        self._next_before = page.next_before
        self.more_button.setVisible(page.next_before is not None)
        self.export_pdf_button.setEnabled(True)
        self.export_xlsx_button.setEnabled(True)
        more = (
            self.tr("（最新 {0} 条，可加载更多）").format(len(page.rows))
            if page.next_before
            else ""
        )
        self._say(
            self.tr("筛选：{0}　共显示 {1} 条{2}").format(
                audit_filter.describe(), len(page.rows), more
            )
        )

    def _say(self, text: str) -> None:
        """Show what the table holds, after the last action's result (if any)."""
        self.status.setText(f"{self._notice}\n{text}" if self._notice else text)

    def _set_notice(self, text: str) -> None:
        """Show an action's result; it stays while the list reloads after the action."""
        self._notice = text
        self.status.setText(text)

    def load_more(self) -> None:
        """The next 500 entries of the same filter."""
        if self._next_before is None:
            return
        audit_filter, before = self._filter, self._next_before
        session, clock = self._session, self._context.clock
        status = self.status.text()

        def show(page: Any) -> None:
            self.entries.add_rows(page.rows)
            fit_columns(self.table, grow_only=True)
            self._next_before = page.next_before
            self.more_button.setVisible(page.next_before is not None)
            self.status.setText(status)

        self._load(
            self.tr("正在加载更多审计记录……"),
            lambda: audit.search_audit(
                session=session, audit_filter=audit_filter, clock=clock, before_seq=before
            ),
            show,
        )

    def show_history(self) -> None:
        """A customer's or a volume's complete history, oldest first."""
        self._notice = ""
        self._show_history(str(self.history_kind.currentData()), self.history_key.text())

    def refresh_after_change(self, _changes: Changes) -> None:
        """A write was recorded (issue 21): the same filter or history again, and the summary."""
        if self._history is not None:
            self._show_history(*self._history)
        else:
            self.refresh(keep_notice=True)
        self.refresh_summary()

    def _show_history(self, kind: str, key: str) -> None:
        session, clock = self._session, self._context.clock

        def show(found: Any) -> None:
            target, rows = found
            self.entries.set_rows(rows)
            fit_columns(self.table)
            self._next_before = None
            self._history = (kind, target.key)
            self.more_button.setVisible(False)
            self._say(
                self.tr(
                    "{0} 的完整历史：{1} 条（含其案卷、卷内文件、电子文件、借阅、移位、检查和事件）"
                ).format(target.title, len(rows))
            )

        self._load(
            self.tr("正在读取完整历史……"),
            lambda: audit.get_object_history(session=session, kind=kind, key=key, clock=clock),
            show,
        )

    # -- export -------------------------------------------------------------------------
    def choose_target(self, fmt: str) -> str:
        """Where to save (a file dialog; tests replace it)."""
        name, pattern = {
            "pdf": ("审计记录.pdf", self.tr("PDF 文件 (*.pdf)")),
            "xlsx": ("审计记录.xlsx", self.tr("Excel 工作簿 (*.xlsx)")),
            "json": ("审计记录归档.json", self.tr("审计归档 (*.json)")),
        }[fmt]
        return files.save_file_name(self, "audit_export", self.tr("导出到"), name, pattern)

    def export(self, fmt: str) -> None:
        """The filtered entries as PDF or Excel: a purpose first; the export is recorded."""
        what = (
            self.tr("{0} 的完整历史").format(self._history[1])
            if self._history
            else self._filter.describe()
        )
        ask = ExportPurposeDialog(self, what)
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        target = self.choose_target(fmt)
        if not target:
            return
        audit_filter, history, purpose = self._filter, self._history, ask.purpose.currentText()
        try:
            data = run_blocking(  # off the GUI thread (issue 21, point 8)
                self,
                self.tr("正在导出……"),
                lambda _s: audit.export_audit(
                    session=self._session,
                    audit_filter=audit_filter,
                    fmt=fmt,
                    purpose=purpose,
                    clock=self._context.clock,
                    history=history,
                ),
                cancellable=False,
            )
            atomic_write_bytes(Path(target), data)
        except AppError as exc:
            show_error(self, exc)
            return
        self._set_notice(
            self.tr("已导出到 {0}（此次导出已记入审计记录）").format(Path(target).name)
        )

    def archive_old(self) -> None:
        """Entries older than the retention into a signed file (logged); never a deletion."""
        ask = ArchiveDialog(self)
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        target = self.choose_target("json")
        if not target:
            return
        try:
            result = audit.archive_audit(
                session=self._session,
                retention_days=ask.days.value(),
                target=Path(target),
                purpose=ask.purpose.currentText(),
                clock=self._context.clock,
                second_username=ask.second_username.text(),
                second_password=ask.second_password.text(),
            )
        except AppError as exc:
            show_error(self, exc)
            return
        finally:
            ask.second_password.clear()
        self._set_notice(
            self.tr("已归档第 {0}–{1} 条共 {2} 条记录到 {3}（SHA-256 {4}…）").format(
                result.first_seq,
                result.through_seq,
                result.entries,
                result.path.name,
                result.sha256[:16],
            )
        )
        self.refresh(keep_notice=True)

    def verify_sealed(self) -> None:
        """The whole chain, the seals with the auditor's key, the anchors; the head is kept."""
        from app.security.anchors import parse_anchor

        ask = SealVerifyDialog(self)
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        anchors = []
        if ask.anchor.text().strip():
            anchor = parse_anchor(ask.anchor.text())
            if anchor is None:
                self.status.setText(self.tr("锚点格式不正确（应为 序号:64 位十六进制校验值）"))
                return
            anchors.append(anchor)
        key = ask.key.text().strip() or None
        ask.key.clear()
        try:
            result = audit.verify_sealed_trail(
                self._session.store, key, self._context.clock, anchors=anchors, keep_anchor=True
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.last_verification: audit.SealedVerification | None = result
        lines = []
        chain = result.chain
        if not chain.ok and chain.first_break is not None:
            lines.append(self.tr("审计链校验失败：") + chain.first_break.describe())
        lines += result.problems
        if result.ok:
            sealed = (
                self.tr("，封印已用验证密钥逐期核对（{0} 期）").format(result.seals.seals)
                if result.keyed and result.seals is not None
                else self.tr("，封印连续（未输入验证密钥，未核对认证码）")
            )
            lines.append(self.tr("校验通过：{0} 条记录{1}。").format(chain.checked, sealed))
        lines.append(self.tr("当前审计链头（请记下作为锚点）：{0}").format(result.head.text()))
        self._set_notice("\n".join(lines))

    def show_incidents(self) -> None:
        """The incident register, read-only for the auditor (R45)."""
        from ui.dialogs.incidents import IncidentRegisterDialog

        IncidentRegisterDialog(self, self._context, self._session).exec()

    def refresh_summary(self) -> None:
        """Counts for the chosen period (the 汇总 tab)."""
        self.summary.refresh_summary()
