"""备份与恢复 and the home card on a PostgreSQL database (issue 22 point 6), offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.backup import get_backup_status
from app.storage.location import DatabaseLocation
from tests.engines import PgServer
from tests.gui.conftest import save_screenshot, show_page, when_box_shown, when_modal
from ui.dialogs.backup import BackupDialog
from ui.dialogs.loans.text import TextDialog
from ui.pages.home import HomePage

pytestmark = pytest.mark.postgresql_only(reason="pg_dump and pg_restore of a server database")


def test_backup_verify_and_restore_into_a_new_server_database_from_the_dialog(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path, pg_server: PgServer
) -> None:
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=clock)
    assert demo_copy.url is not None
    into = f"{make_url(demo_copy.url).database}_gui"
    try:
        status = get_backup_status(session=session, clock=clock)
        assert status.supported  # pg_dump is here: the card shows the state, not a refusal
        home = HomePage(session.actor, "", clock.now(), status)
        assert home.cards["backup"].property("overdue") is True
        assert "还没有校验通过的备份" in home.cards["backup"].body.text()
        dialog = show_page(qtbot, BackupDialog, demo_copy, clock, session, size=None)
        dialog.target.setText(str(tmp_path / "备份"))
        dialog.backup_button.click()
        qtbot.waitUntil(lambda: dialog.task is None, timeout=120_000)
        assert "校验通过" in dialog.result.text(), dialog.result.text()
        assert dialog.table.rowCount() == 1 and dialog.table.item(0, 5).text().startswith("有（")
        dialog.verify_button.click()
        qtbot.waitUntil(lambda: dialog.task is None, timeout=120_000)
        assert dialog.result.text().startswith("校验通过")
        save_screenshot(dialog, "pg-backup-dialog.png")

        def name_it(widget: QWidget) -> None:
            assert isinstance(widget, TextDialog)
            widget.text.setText(into)
            widget.ok_button.click()

        errors = when_modal(name_it)
        texts = when_box_shown(lambda box: box.accept())
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: bool(texts), timeout=120_000)
        assert errors == []
        assert "已恢复到新数据库并校验通过" in texts[0] and into in texts[0]
        assert "当前数据库未改变" in texts[0] and "切换后" not in texts[0]
        home2 = HomePage(
            session.actor, "", clock.now(), get_backup_status(session=session, clock=clock)
        )
        assert home2.cards["backup"].property("overdue") is False
        assert "最近一次校验通过的备份" in home2.cards["backup"].body.text()
        home2.resize(900, 600)
        save_screenshot(home2, "pg-home-backup-card.png")
    finally:
        sign_out(session=session, clock=clock)
        pg_server.drop(into)
