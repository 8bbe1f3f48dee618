"""Screenshots of 备份与恢复 (offscreen): the home card's warning, the dialog, a restore summary.

Run: ``python scripts/screenshots_backup.py`` (writes docs/screenshots/backup-*.png).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from app.clock import FixedClock, SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.services.auth import sign_in, sign_out  # noqa: E402
from app.services.backup import (  # noqa: E402
    prepare_restore,
    run_backup,
    update_backup_settings,
)
from app.storage.location import DatabaseLocation  # noqa: E402
from scripts.screenshots import grab  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.backup import BackupDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    """Build a demo, back it up twice, grab the screens."""
    app = QApplication(sys.argv)
    prepare_application(app)
    work = Path(tempfile.mkdtemp(prefix="archive-room-backup-shots-"))
    demo = DatabaseLocation.parse(work / "demo.db")
    build_demo(location=demo, clock=SystemClock())
    clock = FixedClock()
    session = sign_in(location=demo, username="admin", password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=demo, clock=clock), session)
    window.resize(1100, 720)
    window.show()
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
