"""The customer form when the PostgreSQL server goes away at 保存 (issue 22 point 5): a clear
Chinese message, the typed contents stay in the open form, 保存 again once the server is back
saves it exactly once."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.clock import FixedClock
from app.storage.location import DatabaseLocation
from app.storage.models import Customer
from tests.engines import pg_ctl
from tests.gui.conftest import save_screenshot, when_modal
from tests.gui.test_customers_page import open_page
from ui.dialogs.customer_form import CustomerFormDialog

pytestmark = pytest.mark.postgresql_only(reason="stops and starts the PostgreSQL server")

NAME = "周断线"


@pytest.fixture
def server_back() -> Iterator[None]:
    yield
    with contextlib.suppress(subprocess.CalledProcessError):  # already running
        pg_ctl("start")


def _count(session: object, name: str) -> int:
    with session.uow(FixedClock()) as uow:  # type: ignore[attr-defined]
        query = select(func.count()).select_from(Customer).where(Customer.name == name)
        return int(uow.session.scalar(query) or 0)


def test_the_server_gone_at_save_keeps_the_form_and_a_second_save_stores_it_once(
    qtbot: QtBot, demo_copy: DatabaseLocation, server_back: None
) -> None:
    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, object] = {}

    def fill_then_lose_the_server(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        dialog.name.setText(NAME)
        dialog.consent_editor.choose("合同必需")
        dialog.phones[0].setText("138 0013 8000")
        pg_ctl("stop")

        def read_message(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            seen["message"] = box.text()
            save_screenshot(box, "pg-connection-lost-message.png")
            box.accept()

        when_modal(read_message)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        seen["open_after_failure"] = dialog.isVisible()
        seen["kept"] = (dialog.name.text(), dialog.phones[0].text())
        save_screenshot(dialog, "pg-connection-lost-form.png")
        pg_ctl("start")
        when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()  # 保存 again
        seen["open_after_retry"] = dialog.isVisible()

    errors = when_modal(fill_then_lose_the_server)
    page.new_button.click()
    assert errors == []
    message = str(seen["message"])
    assert "无法连接数据库服务器" in message and "不算已保存" in message
    assert "服务器" in message and "Error" not in message
    assert seen["open_after_failure"] is True
    assert seen["kept"] == (NAME, "138 0013 8000")
    assert seen["open_after_retry"] is False
    assert _count(session, NAME) == 1
