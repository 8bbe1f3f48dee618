"""设置 → 用户: disabling an account rotates the data key behind a progress dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.security.keyring import FileKeyringStore, Keyring
from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation
from tests.factories import add_archivist
from ui.context import AppContext
from ui.pages.settings import SettingsPage


def test_the_administrator_disables_a_user_and_the_key_is_rotated(
    qtbot: QtBot,
    admin: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_archivist(admin, clock, "lisi")
    page = SettingsPage(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(page)
    users = page.users
    assert users is not None
    users.refresh()
    names = [r.username for r in users.panel.rows]
    users.panel.select_row(names.index("lisi"))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    users.disable_user()
    ring = Keyring.load(FileKeyringStore(location.keyring_path))
    assert ring.key_version == 2 and not ring.has_user("lisi")
    assert admin.store.keyring().key_version == 2  # the session carries on with the new key
    assert next(r for r in users.panel.rows if r.username == "lisi").disabled
