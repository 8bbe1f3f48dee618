"""设置 → 待确认的账户变更: the 安全保密员 confirms or rejects what the administrator asked
(三员分立, issue 23); a change already decided elsewhere is refused with a message."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services import account_review
from app.services.auth import SignedIn
from app.services.users import list_users
from app.storage.location import DatabaseLocation
from tests.factories import ask_for_user
from tests.gui.conftest import show_page
from ui.pages.settings import PendingChangesWidget


def _select(widget: PendingChangesWidget, username: str) -> None:
    rows = [n for n, r in enumerate(widget.panel.rows) if r.username == username]
    widget.panel.table.selectRow(rows[0])


def test_the_officer_confirms_one_grant_and_rejects_another_in_the_widget(
    qtbot: QtBot,
    admin: SignedIn,
    officer: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask_for_user(admin, clock, "wangwu", display_name="王五")
    ask_for_user(admin, clock, "zhaoliu", display_name="赵六")
    widget = show_page(qtbot, PendingChangesWidget, location, clock, officer, size=None)
    assert sorted(r.username for r in widget.panel.rows) == ["wangwu", "zhaoliu"]
    assert not widget.confirm_button.isEnabled()  # nothing selected yet

    _select(widget, "wangwu")
    assert widget.confirm_button.isEnabled()
    widget.confirm_button.click()  # a known password: no one-time password to hand over
    assert [r.username for r in widget.panel.rows] == ["zhaoliu"]
    _select(widget, "zhaoliu")
    widget.reject_button.click()
    assert widget.panel.rows == []
    roles = {u.username: u.roles for u in list_users(session=admin, clock=clock)}
    assert roles["wangwu"] and not roles["zhaoliu"]

    # a row decided at another desk meanwhile: refused, the refusal shown, the list reloaded
    ask_for_user(admin, clock, "sunqi", display_name="孙七")
    widget.refresh()
    _select(widget, "sunqi")
    [change] = account_review.list_pending_changes(session=officer, clock=clock)
    account_review.reject_change(session=admin, change_id=change.id, clock=clock)  # withdrawn
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, text, *_a: shown.append(text)
    )
    widget.confirm_button.click()
    assert len(shown) == 1 and [r.username for r in widget.panel.rows] == ["sunqi"]
    widget.refresh()
    assert widget.panel.rows == []
