"""备份与恢复 on a PostgreSQL database: restore into a NEW database named by the user (issue 22).

The live database is never replaced from the program: the restored one is shown, and the desks
are pointed at it by changing their database address (docs/deployment.md, Backups).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.errors import FieldError, ValidationFailed
from app.services import backup as backup_service
from app.services.backup import RestoreSummary
from ui.dialogs.loans.text import TextDialog
from ui.geometry import fit_to_screen


def _tr(text: str) -> str:
    return QCoreApplication.translate("BackupDialog", text)


def ask_new_database(parent: QWidget, suggestion: str) -> str | None:
    """The name of the new database to restore into (None: cancelled)."""

    def check(name: str) -> str:
        if not name.strip():
            raise ValidationFailed([FieldError("into", "required")])
        return name.strip()

    dialog = TextDialog(parent, _tr("恢复到新的数据库"), _tr("新数据库名称"), "into", check)
    dialog.text.setText(suggestion)
    fit_to_screen(dialog, 460, 160)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return str(dialog.result_value)


def restore_work(session: Any, clock: Any, path: str, into: str) -> Callable[[Any], RestoreSummary]:
    """The background work: verify, pg_restore into ``into``, newest vault, purge, audit."""

    def work(sink: Any) -> RestoreSummary:
        return backup_service.prepare_restore(
            session=session, clock=clock, backup=path, into=into, sink=sink
        )

    return work


def show_restored(parent: QWidget, text: str) -> None:
    """What the restored database holds; nothing is switched."""
    box = QMessageBox(parent)
    box.setObjectName("restore_summary")
    box.setStyleSheet("QLabel { min-width: 520px; }")
    box.setWindowTitle(_tr("恢复的数据库"))
    lines = text.split("\n")
    if lines and lines[-1].startswith(_tr("切换后")):
        lines = lines[:-1]
    lines.append(
        _tr(
            "当前数据库未改变。确认无误后，由管理员为新数据库运行 pg-setup，"
            "并把各工作站的数据库地址改为上面的新数据库。"
        )
    )
    box.setText("\n".join(lines))
    box.exec()
