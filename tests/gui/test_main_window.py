"""Main window areas, shortcuts, user administration and the users table model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.domain.roles import Role
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.users import list_users
from app.storage.location import DatabaseLocation
from tests.gui.conftest import save_screenshot, when_modal
from ui.context import AppContext
from ui.dialogs.user_edit import OneTimePasswordDialog, UserEditDialog
from ui.main_window import AREAS, MainWindow
from ui.models.users import UserTableModel
from ui.pages.settings import SettingsPage


def open_window(
    qtbot: QtBot, location: DatabaseLocation, username: str
) -> tuple[MainWindow, SignedIn]:
    clock = FixedClock()
    session = sign_in(location=location, username=username, password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(window)
    window.show()
    return window, session


def test_every_area_is_reachable_and_unbuilt_ones_say_so(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    window, session = open_window(qtbot, demo_copy, "archivist")
    server = demo_copy.server()  # the status bar names the database in use (issue 22)
    if server is None:
        assert window.db_label.text() == str(demo_copy.sqlite_path)
    else:  # the server, its database and the login: no URL, no password
        host, database, user = server
        assert (
            window.db_label.text() == f"PostgreSQL 服务器 {host} · 数据库 {database} · 登录 {user}"
        )
        assert database and "://" not in window.db_label.text()
        window.resize(1366, 768)  # a session on a server, as docs/deployment.md shows it
        save_screenshot(window, "pg-session.png")
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        t for _k, t, _d in AREAS
    ]
    with qtbot.waitActive(window):
        window.activateWindow()
    for row, (key, _title, _desc) in enumerate(AREAS):
        if row < 10:
            digit = Qt.Key(Qt.Key.Key_0 + (row + 1) % 10)  # Ctrl+1 … Ctrl+9, Ctrl+0 (issue 20)
            qtbot.keyClick(window, digit, Qt.KeyboardModifier.ControlModifier)
        else:  # past the tenth area: the 前往 menu (设置 also has Ctrl+,)
            window.area_actions[row].trigger()
        assert window.current_area() == key
        page = window.pages.currentWidget()
        shown = " ".join(label.text() for label in page.findChildren(QLabel))
        assert "尚未开放" not in shown and "尚未启用" not in shown  # every area is built (issue 21)
    home = window.page_by_key["home"]
    assert "李秀英" in home.greeting.text()  # type: ignore[attr-defined]
    cards = home.cards  # type: ignore[attr-defined]
    assert cards["overdue"].body.text() == "当前没有逾期未还的借阅。"  # the loan desk's card
    # inspections (issue 8): the schedule and the repair tasks
    assert "半年定期检查" in cards["inspections"].body.text()
    assert cards["tasks"].body.text() == "没有待办的修复任务。"
    assert "backup" not in cards  # backups are the administrator's and the auditor's (issue 21)
    sign_out(session=session, clock=FixedClock())


def test_non_administrators_see_no_user_management(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    window, session = open_window(qtbot, demo_copy, "archivist")
    page = window.page_by_key["settings"]
    assert isinstance(page, SettingsPage) and page.users is None and page.policy is None
    sign_out(session=session, clock=FixedClock())


def test_administrator_creates_a_user_and_sees_the_one_time_password(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    window, session = open_window(qtbot, demo_copy, "admin")
    window.show_area("settings")
    page = window.page_by_key["settings"]
    assert isinstance(page, SettingsPage) and page.users is not None
    users_widget = page.users
    before = users_widget.model.rowCount()
    shown: dict[str, str] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, UserEditDialog)
        dialog.username.setText("wangwu")
        dialog.display_name.setText("王五")
        dialog.role_boxes[Role.ADMIN].setChecked(True)
        dialog.role_boxes[Role.AUDITOR].setChecked(True)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        shown["conflict"] = dialog.errors.text("roles")
        dialog.role_boxes[Role.ADMIN].setChecked(False)
        when_modal(read_password)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    def read_password(dialog: QWidget) -> None:
        assert isinstance(dialog, OneTimePasswordDialog)
        shown["password"] = dialog.password_label.text()
        when_modal(read_note)
        dialog.accept()

    def read_note(box: QWidget) -> None:
        # 三员分立 (issue 23): the administrator only asks; the 安全保密员 grants the role
        assert isinstance(box, QMessageBox)
        shown["note"] = box.text()
        box.accept()

    errors = when_modal(fill)
    users_widget.new_button.click()
    assert errors == []
    assert "系统管理员与安全审计员不能由同一人担任" in shown["conflict"]
    assert len(shown["password"]) == 12
    assert "安全保密员" in shown["note"]
    assert users_widget.model.rowCount() == before + 1
    created = [u for u in list_users(session=session, clock=FixedClock()) if u.username == "wangwu"]
    assert created and created[0].must_change_password
    sign_out(session=session, clock=FixedClock())
    newbie = sign_in(
        location=demo_copy, username="wangwu", password=shown["password"], clock=FixedClock()
    )
    assert newbie.actor.must_change_password
    sign_out(session=newbie, clock=FixedClock())


def test_security_policy_is_saved_from_the_page(qtbot: QtBot, demo_copy: DatabaseLocation) -> None:
    window, session = open_window(qtbot, demo_copy, "baomi")  # the 安全保密员's (issue 23)
    page = window.page_by_key["settings"]
    assert isinstance(page, SettingsPage) and page.policy is not None
    with qtbot.waitSignal(window.policy_changed):
        page.policy.spins["idle_lock_minutes"].setValue(3)
        page.policy.save_button.click()
    assert page.policy.status.text() == "已保存。"
    from app.services.settings import get_settings

    assert get_settings(session=session, clock=FixedClock()).security.idle_lock_minutes == 3
    sign_out(session=session, clock=FixedClock())


def test_user_table_model_is_a_valid_qt_model(qtmodeltester, demo_copy: DatabaseLocation) -> None:  # type: ignore[no-untyped-def]
    session = sign_in(
        location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=FixedClock()
    )
    model = UserTableModel()
    model.set_rows(list_users(session=session, clock=FixedClock()))
    qtmodeltester.check(model)
    assert model.rowCount() == len(DEMO_ACCOUNTS)  # the demo's accounts
    assert model.data(model.index(0, 0)) == "admin"
    sign_out(session=session, clock=FixedClock())
    assert QApplication.instance() is not None


def test_only_archivists_get_the_inspections_area_others_a_note(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from ui.pages.inspections import InspectionsPage

    window, session = open_window(qtbot, demo_copy, "archivist")
    assert isinstance(window.page_by_key["inspections"], InspectionsPage)
    sign_out(session=session, clock=FixedClock())
    window, session = open_window(qtbot, demo_copy, "admin")
    page = window.page_by_key["inspections"]
    assert not isinstance(page, InspectionsPage)
    assert "由档案管理员办理" in page.text()  # type: ignore[attr-defined]
    sign_out(session=session, clock=FixedClock())
