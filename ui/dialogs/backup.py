"""备份与恢复: back up now, verify, restore into a new database (R43), with progress and cancel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain.roles import Role
from app.errors import AppError, BackupCancelled
from app.services import backup as backup_service
from app.services.auth import SignedIn
from app.services.backup import BACKUP_RANGES, BackupRow, RestoreSummary
from ui import files
from ui.context import AppContext
from ui.dialogs import backup_pg
from ui.dialogs.form import add_form_row
from ui.errors import (
    REFUSED,
    FieldErrors,
    UseCases,
    save_with_status,
    show_error,
    show_unexpected,
)
from ui.geometry import cap_minimum
from ui.tasks import ProgressSink, Task, run_task
from ui.widgets.table_panel import configure_table, fit_columns

log = logging.getLogger(__name__)

SPIN_LABELS = {
    "backup_interval_hours": "提醒间隔（小时）",
    "backup_keep_daily": "保留每日备份（天）",
    "backup_keep_weekly": "保留每周备份（周）",
    "backup_keep_monthly": "保留每月备份（月）",
    "backup_vault_days": "密钥库副本保留（天）",
}


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MiB"


class BackupDialog(UseCases, QDialog):
    """Backups of the embedded database; emits ``restore_ready(staged_path)`` to switch."""

    restore_ready = Signal(str)

    def __init__(
        self, context: AppContext, session: SignedIn, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, objectName="BackupDialog")
        self._context = context
        self._session = session
        self._admin = session.actor.has(Role.ADMIN)
        self._rows: list[BackupRow] = []
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self.errors = FieldErrors()
        self._build_ui()
        self._connect_signals()
        self.retranslate_ui()
        self._load()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        cap_minimum(self, 860, 600)
        layout = QVBoxLayout(self)
        self.status = QLabel(objectName="backup_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 11pt;")
        layout.addWidget(self.status)
        self.settings_box = QGroupBox(objectName="backup_settings")
        form = QFormLayout(self.settings_box)
        target_row = QHBoxLayout()
        self.target = QLineEdit(objectName="backup_target")
        self.browse = QPushButton(objectName="backup_browse")
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.browse)
        self.target_label = QLabel()
        form.addRow(self.target_label, target_row)
        form.addRow("", self.errors.label_for("backup_target"))
        spins_row = QHBoxLayout()
        self.spins: dict[str, QSpinBox] = {}
        self.spin_labels: dict[str, QLabel] = {}
        spin_form = QFormLayout()
        spin_form2 = QFormLayout()
        for n, key in enumerate(SPIN_LABELS):
            spin = QSpinBox(objectName=key)
            low, high = BACKUP_RANGES[key]
            spin.setRange(low, high)
            self.spins[key] = spin
            label = QLabel()
            self.spin_labels[key] = label
            add_form_row(spin_form if n < 3 else spin_form2, self.errors, label, spin, key)
        spins_row.addLayout(spin_form)
        spins_row.addLayout(spin_form2)
        form.addRow(spins_row)
        self.vault_note = QLabel(objectName="vault_note")
        self.vault_note.setWordWrap(True)
        self.vault_note.setStyleSheet("color: #555;")
        form.addRow(self.vault_note)
        save_row = QHBoxLayout()
        self.save_button = QPushButton(objectName="save_backup_settings")
        self.save_status = QLabel(objectName="backup_settings_status")
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.save_status, 1)
        form.addRow(save_row)
        layout.addWidget(self.settings_box)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton(objectName="backup_now")
        self.backup_button.setStyleSheet("font-weight: bold;")
        self.verify_button = QPushButton(objectName="verify_backup")
        self.restore_button = QPushButton(objectName="restore_backup")
        self.refresh_button = QPushButton(objectName="refresh_backups")
        for b in (self.backup_button, self.verify_button, self.restore_button, self.refresh_button):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.table = QTableWidget(0, 7, objectName="backups_table")
        configure_table(self.table)  # the lists' behaviour; columns fitted when filled
        layout.addWidget(self.table, 1)
        self.result = QLabel(objectName="backup_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(self.close_buttons)
        for widget in (
            self.target,
            self.browse,
            self.save_button,
            self.backup_button,
            self.restore_button,
            *self.spins.values(),
        ):
            widget.setEnabled(self._admin)

    def _connect_signals(self) -> None:
        self.browse.clicked.connect(self._browse)
        self.save_button.clicked.connect(self.save_settings)
        self.backup_button.clicked.connect(self.start_backup)
        self.verify_button.clicked.connect(self.start_verify)
        self.restore_button.clicked.connect(self.start_restore)
        self.refresh_button.clicked.connect(self._refresh_list)
        self.close_buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._selection_changed)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("备份与恢复"))
        self.settings_box.setTitle(self.tr("备份位置与保留规则"))
        self.target_label.setText(self.tr("备份文件夹："))
        self.target.setPlaceholderText(self.tr("如 E:\\档案室备份（U 盘、移动硬盘或网络盘）"))
        self.browse.setText(self.tr("浏览…"))
        for key, text in SPIN_LABELS.items():
            self.spin_labels[key].setText(self.tr(text) + self.tr("："))
        self.vault_note.setText(
            self.tr(
                "备份中的密钥库副本只保留上面设定的天数，到期即销毁；恢复任何备份时都使用最新的密钥库。"
                "因此已删除的客户在恢复后仍是删除状态，超过该天数后任何备份都无法再恢复其信息（R8）。"
            )
        )
        self.save_button.setText(self.tr("保存设置"))
        self.backup_button.setText(self.tr("立即备份"))
        self.verify_button.setText(self.tr("校验所选备份"))
        self.restore_button.setText(self.tr("从所选备份恢复…"))
        self.refresh_button.setText(self.tr("刷新"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("备份时间"),
                self.tr("大小"),
                self.tr("客户"),
                self.tr("案卷"),
                self.tr("电子文件"),
                self.tr("密钥库副本"),
                self.tr("说明"),
            ]
        )

    # -- data ---------------------------------------------------------------------------
    def _load(self) -> None:
        settings = backup_service.get_backup_settings(
            session=self._session, clock=self._context.clock
        )
        if self._admin and settings.backup_target:
            try:  # R8: vault copies past their window go whenever the folder is reachable
                backup_service.expire_vault_copies(session=self._session, clock=self._context.clock)
            except AppError as exc:
                log.info("vault copies not checked: %s", exc.code)
        self.target.setText(settings.backup_target)
        for key, spin in self.spins.items():
            spin.setValue(int(getattr(settings, key)))
        self._refresh_status()
        self._refresh_list()

    def _refresh_status(self) -> None:
        status = backup_service.get_backup_status(session=self._session, clock=self._context.clock)
        if not status.supported:
            self.status.setText(self.tr("本机没有 PostgreSQL 客户端工具（pg_dump、pg_restore）。"))
            return
        last = format_local(status.last_at) if status.last_at else self.tr("从未备份")
        verified = (
            format_local(status.last_verified_at)
            if status.last_verified_at
            else self.tr("没有校验通过的备份")
        )
        text = self.tr("上次备份：{0}　最近一次校验通过的备份：{1}").format(last, verified)
        if status.overdue:
            text += self.tr("\n⚠ 已超过 {0} 小时没有校验通过的备份，请立即备份。").format(
                status.interval_hours
            )
            self.status.setStyleSheet("font-size: 11pt; color: #b00020;")
        else:
            self.status.setStyleSheet("font-size: 11pt; color: #1b5e20;")
        self.status.setText(text)

    def _refresh_list(self) -> None:
        self._rows = []
        self.table.setRowCount(0)
        if not self.target.text().strip():
            self._selection_changed()
            return
        rows = self.attempt(backup_service.list_backups, target=self.target.text())
        if rows is REFUSED:
            return
        self._rows = rows
        self.table.setRowCount(len(self._rows))
        vault_text = {
            "present": self.tr("有"),
            "expiring": self.tr("有"),
            "expired": self.tr("已到期销毁"),
            "missing": self.tr("缺失"),
        }
        for r, row in enumerate(self._rows):
            note = "" if row.same_database else self.tr("其他数据库的备份")
            if row.problem:
                note = self.tr("清单损坏，不能使用")
            cells = [
                format_local(row.created_at) if row.created_at else row.name,
                _mib(row.total_bytes),
                str(row.counts.get("customers", "")),
                str(row.counts.get("volumes", "")),
                str(row.counts.get("files", "")),
                vault_text[row.vault_state]
                + (
                    self.tr("（{0} 销毁）").format(format_local(row.vault_until)[:10])
                    if row.vault_state == "present" and row.vault_until
                    else ""
                ),
                note,
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        fit_columns(self.table)
        if self._rows:
            self.table.selectRow(0)
        self._selection_changed()

    def _selected(self) -> BackupRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._rows[rows[0].row()]

    def _selection_changed(self) -> None:
        row = self._selected()
        usable = row is not None and row.problem is None and row.same_database
        self.verify_button.setEnabled(usable)
        self.restore_button.setEnabled(usable and self._admin)

    def _browse(self) -> None:
        folder = files.existing_directory(
            self, "backup", self.tr("选择备份文件夹"), start=self.target.text()
        )
        if folder:
            self.target.setText(folder)

    def save_settings(self) -> bool:
        """Store the target folder and the numbers; return True when saved."""
        changes: dict[str, Any] = {"backup_target": self.target.text()}
        changes.update({k: s.value() for k, s in self.spins.items()})
        saved = save_with_status(
            self,
            self.errors,
            self.save_status,
            lambda: backup_service.update_backup_settings(
                session=self._session, changes=changes, clock=self._context.clock
            ),
        )
        if saved:
            self._refresh_list()
        return saved

    # -- long work ----------------------------------------------------------------------
    def _run(
        self,
        label: str,
        work: Callable[[ProgressSink], Any],
        done: Callable[[Any], None],
    ) -> None:
        progress = QProgressDialog(label, self.tr("取消"), 0, 1000, self)
        progress.setObjectName("backup_progress")
        progress.setWindowTitle(self.tr("备份与恢复"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.progress = progress

        def on_progress(n: int, total: int) -> None:
            progress.setValue(int(n * 1000 / total) if total else 0)

        def finish() -> None:
            progress.canceled.disconnect()  # closing a progress dialog emits canceled
            progress.close()
            self.progress = None
            self.task = None

        def on_done(result: Any) -> None:
            finish()
            done(result)

        def on_error(exc: BaseException) -> None:
            finish()
            if isinstance(exc, BackupCancelled):
                self.result.setText(self.tr("已取消，未保留任何不完整的内容。"))
            elif isinstance(exc, AppError):
                self.result.setText("")
                show_error(self, exc)
            else:
                log.error("backup task failed", exc_info=exc)
                show_unexpected(self, exc)
            self._refresh_status()
            self._refresh_list()

        self.task = run_task(
            work, on_done=on_done, on_error=on_error, parent=self, on_progress=on_progress
        )
        task = self.task

        def cancel() -> None:
            progress.setLabelText(self.tr("正在取消…"))
            task.cancel()
            # the worker stops at its next block and removes what it wrote; say so at once
            on_error(BackupCancelled())

        progress.canceled.connect(cancel)
        progress.show()

    def start_backup(self) -> None:
        """Save the settings, then write and verify a backup in the background."""
        if not self.save_settings():
            return
        session, clock = self._session, self._context.clock

        def work(sink: ProgressSink) -> backup_service.BackupReport:
            return backup_service.run_backup(session=session, clock=clock, sink=sink)

        def done(report: backup_service.BackupReport) -> None:
            self.result.setText(
                self.tr(
                    "备份完成并已逐个文件校验通过：{0}"
                    "（{1}，客户 {2} 位，案卷 {3} 卷，电子文件 {4} 个）。"
                ).format(
                    report.path,
                    _mib(report.total_bytes),
                    report.counts.get("customers", 0),
                    report.counts.get("volumes", 0),
                    report.counts.get("files", 0),
                )
            )
            self._refresh_status()
            self._refresh_list()

        self._run(self.tr("正在备份并校验…"), work, done)

    def start_verify(self) -> None:
        """Read the selected backup back and check every sum and the tag."""
        row = self._selected()
        if row is None:
            return
        session, clock = self._session, self._context.clock

        def work(sink: ProgressSink) -> backup_service.VerifyReport:
            return backup_service.verify_backup(
                session=session, clock=clock, path=row.path, sink=sink
            )

        def done(report: backup_service.VerifyReport) -> None:
            if report.ok:
                self.result.setText(
                    self.tr("校验通过：{0} 的每个文件都与清单一致，认证标记正确。").format(row.name)
                )
            else:
                self.result.setText("")
                QMessageBox.warning(
                    self,
                    self.tr("备份已损坏"),
                    self.tr("该备份校验失败，不能用于恢复：\n{0}").format(
                        "\n".join(report.problems[:8])
                    ),
                )
            self._refresh_status()

        self._run(self.tr("正在校验备份…"), work, done)

    def start_restore(self) -> None:
        """Restore the selected backup into a new database, show it, then offer the switch."""
        row = self._selected()
        if row is None:
            return
        session, clock = self._session, self._context.clock
        if not session.store.location.is_sqlite:  # a server: into a new database (issue 22)
            into = backup_pg.ask_new_database(self, "archive_restored")
            if into is not None:
                show = lambda s: backup_pg.show_restored(self, self.summary_text(s))  # noqa: E731
                work_pg = backup_pg.restore_work(session, clock, row.path, into)
                self._run(self.tr("正在恢复到新数据库并校验…"), work_pg, show)
            return

        def work(sink: ProgressSink) -> RestoreSummary:
            return backup_service.prepare_restore(
                session=session, clock=clock, backup=row.path, sink=sink
            )

        self._run(self.tr("正在恢复到新数据库并校验…"), work, self._offer_switch)

    def summary_text(self, s: RestoreSummary) -> str:
        """What the restored database holds, in words."""
        head = s.audit_head
        lines = [
            self.tr("已恢复到新数据库并校验通过（当前数据库未改变）："),
            s.staged_path,
            "",
            self.tr("备份时间：{0}").format(format_local(s.backup_created_at)),
            self.tr(
                "客户 {0} 位，案卷 {1} 卷，卷内文件 {2} 件，电子文件 {3} 个，用户 {4} 个"
            ).format(
                s.counts.get("customers", 0),
                s.counts.get("volumes", 0),
                s.counts.get("items", 0),
                s.counts.get("files", 0),
                s.counts.get("users", 0),
            ),
            self.tr("审计记录 {0} 条，末条编号 {1}（{2}）").format(
                head.get("entries", 0), head.get("last_id"), head.get("last_action", "")
            ),
        ]
        if s.erased_customers:
            lines.append(
                self.tr(
                    "{0} 位客户在备份之后已被删除："
                    "其受保护信息和 {1} 个电子文件不会恢复（密钥已销毁）。"
                ).format(s.erased_customers, s.skipped_files)
            )
        if s.vault_source == "none":
            lines.append(self.tr("⚠ 找不到密钥库：客户的受保护信息和电子文件将无法解密。"))
        lines += ["", self.tr("切换后当前数据库改名保留，需要重新登录。")]
        return "\n".join(lines)

    def _offer_switch(self, summary: RestoreSummary) -> None:
        box = QMessageBox(self)
        box.setObjectName("restore_summary")
        box.setStyleSheet("QLabel { min-width: 520px; }")
        box.setWindowTitle(self.tr("恢复的数据库"))
        box.setText(self.summary_text(summary))
        switch = box.addButton(self.tr("切换到恢复的数据库"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("不切换，删除恢复的数据库"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is switch:
            self.restore_ready.emit(summary.staged_path)
            self.accept()
        else:
            backup_service.discard_staged(Path(summary.staged_path))
            self.result.setText(self.tr("未切换，恢复出的数据库已删除；当前数据库未改变。"))
