"""备份与恢复 dialog and the home screen's backup card, offscreen on a copy of the demo database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.backup import get_backup_status
from app.storage.location import DatabaseLocation
from tests.factories import signed_in
from tests.gui.conftest import show_page, when_box_shown
from ui.context import AppContext
from ui.dialogs.backup import BackupDialog
from ui.pages.home import HomePage


def _wait(qtbot: QtBot, dialog: BackupDialog) -> None:
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)


def test_backup_verify_and_restore_from_the_dialog_with_progress_then_offer_the_switch(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    clock = FixedClock()
    with signed_in(demo_copy, "admin", DEMO_PASSWORD, clock) as session:
        home = HomePage(
            session.actor, "", clock.now(), get_backup_status(session=session, clock=clock)
        )
        assert home.cards["backup"].property("overdue") is True
        assert "还没有校验通过的备份" in home.cards["backup"].body.text()
        dialog = show_page(qtbot, BackupDialog, demo_copy, clock, session, size=None)
        dialog.target.setText(str(tmp_path / "备份"))
        dialog.backup_button.click()
        assert dialog.progress is not None  # progress with a cancel button while it runs
        _wait(qtbot, dialog)
        assert "校验通过" in dialog.result.text()
        assert dialog.table.rowCount() == 1
        assert dialog.table.item(0, 5).text().startswith("有（")
        assert "⚠" not in dialog.status.text()
        dialog.verify_button.click()
        _wait(qtbot, dialog)
        assert dialog.result.text().startswith("校验通过")
        staged: list[str] = []
        dialog.restore_ready.connect(staged.append)
        texts = when_box_shown(
            lambda box: next(
                b for b in box.findChildren(QPushButton) if "切换到" in b.text()
            ).click()
        )
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: bool(staged), timeout=60_000)
        assert Path(staged[0]).exists() and Path(staged[0]) != demo_copy.sqlite_path
        assert "已恢复到新数据库并校验通过" in texts[0] and "审计记录" in texts[0]
        home2 = HomePage(
            session.actor, "", clock.now(), get_backup_status(session=session, clock=clock)
        )
        assert home2.cards["backup"].property("overdue") is False
        assert home2.backup_button is not None


def test_a_bad_target_is_refused_with_the_field_named(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    with signed_in(demo_copy, "admin", DEMO_PASSWORD, clock) as session:
        dialog = BackupDialog(AppContext(location=demo_copy, clock=clock), session)
        qtbot.addWidget(dialog)
        dialog.target.setText("相对路径/备份")
        assert not dialog.save_settings()
        assert "备份文件夹" in dialog.errors.text("backup_target")
        assert dialog.task is None


def test_cancel_in_the_progress_dialog_stops_the_backup_and_leaves_nothing_partial(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    from PySide6.QtCore import QThreadPool

    clock = FixedClock()
    with signed_in(demo_copy, "admin", DEMO_PASSWORD, clock) as session:
        dialog = show_page(qtbot, BackupDialog, demo_copy, clock, session, size=None)
        target = tmp_path / "备份"
        dialog.target.setText(str(target))
        dialog.backup_button.click()
        assert dialog.progress is not None
        cancel = next(b for b in dialog.progress.findChildren(QPushButton) if b.text() == "取消")
        cancel.click()
        assert "已取消" in dialog.result.text()
        assert dialog.task is None and dialog.progress is None
        QThreadPool.globalInstance().waitForDone(60_000)
        assert not [p for p in target.iterdir() if p.name.startswith(".partial-")]
