"""Screenshots of 备份与恢复 (offscreen): the home card's warning, the dialog, a restore summary.

Run: ``python scripts/screenshots_backup.py`` (writes docs/screenshots/backup-*.png).
"""

from __future__ import annotations

from _shot import demo_database, demo_sign_in, grab, main_window, start_app, work_dir
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app.clock import FixedClock, SystemClock
from app.services.auth import sign_out
from app.services.backup import (
    prepare_restore,
    run_backup,
    update_backup_settings,
)
from ui.context import AppContext
from ui.dialogs.backup import BackupDialog


def main() -> None:
    """Build a demo, back it up twice, grab the screens."""
    start_app()
    work = work_dir("archive-room-backup-shots-")
    demo = demo_database(work, SystemClock())
    clock = FixedClock()
    session = demo_sign_in(demo, "admin", clock)
    window = main_window(demo, clock, session, (1100, 720))
    grab(window, "backup-home-warning")
    window.close_for_sign_out()
    target = work / "备份"
    update_backup_settings(session=session, changes={"backup_target": str(target)}, clock=clock)
    run_backup(session=session, clock=clock, target=target)
    clock.advance(days=1)
    run_backup(session=session, clock=clock, target=target)
    clock.advance(hours=3)
    dialog = BackupDialog(AppContext(location=demo, clock=clock), session)
    dialog.resize(940, 680)
    dialog.result.setText(
        "备份完成并已逐个文件校验通过：" + str(target) + "/archive-backup-20260106-090000"
    )
    dialog.show()
    grab(dialog, "backup-dialog")
    summary = prepare_restore(session=session, clock=clock, backup=dialog._rows[-1].path)
    box = QMessageBox(dialog)
    box.setWindowTitle("恢复的数据库")
    box.setStyleSheet("QLabel { min-width: 520px; }")
    box.setText(dialog.summary_text(summary))
    box.addButton("切换到恢复的数据库", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("不切换，删除恢复的数据库", QMessageBox.ButtonRole.RejectRole)
    QTimer.singleShot(0, lambda: (grab(box, "backup-restore-summary"), box.accept()))
    box.exec()
    dialog.close()
    sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
