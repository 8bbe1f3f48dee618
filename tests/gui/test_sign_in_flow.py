"""Setup wizard → sign-in → main window; wrong password, lockout, idle lock, forced change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import add_user
from tests.gui.conftest import FakeMonotonic, when_modal
from ui.app import SessionController
from ui.context import AppContext
from ui.dialogs.password import ChangePasswordDialog, UnlockDialog
from ui.dialogs.setup_wizard import SetupWizard
from ui.dialogs.sign_in import SignInDialog

ADMIN_PASSWORD = "Setup-Wizard-Pass-1"


def fill_wizard(wizard: QWidget, sheet: Path) -> None:
    assert isinstance(wizard, SetupWizard)
    wizard.next()  # intro
    org = wizard.organisation
    wizard.next()  # empty fields: stays with messages
    assert wizard.currentPage() is org
    assert "不能为空" in org.errors.text("fonds_name")
    org.organisation_name.setText("华东示范贸易有限公司")
    org.fonds_name.setText("华东示范贸易有限公司客户档案")
    org.fonds_code.setText("z001")
    wizard.next()
    # 三员分立 (issue 23): the 安全保密员 and the 安全审计员 are created with the administrator
    three = wizard.three
    assert wizard.currentPage() is three
    assert (three.security_username.text(), three.auditor_username.text()) == ("baomi", "shenji")
    three.security_display_name.setText("孙丽")
    wizard.next()
    admin = wizard.admin
    assert wizard.currentPage() is admin
    admin.username.setText("boss")
    admin.display_name.setText("王建国")
    admin.password.setText("weak")
    admin.password_confirm.setText("weak")
    wizard.next()  # refused: policy
    assert wizard.currentPage() is admin
    assert "至少需要 10 个字符" in admin.errors.text("password")
    admin.password.setText(ADMIN_PASSWORD)
    admin.password_confirm.setText(ADMIN_PASSWORD)
    wizard.next()  # creates the database
    recovery = wizard.recovery
    assert wizard.currentPage() is recovery
    key = recovery.key_label.text()
    assert len(key.replace(" ", "")) == 52
    one_time = recovery.one_time.text()
    assert "baomi 的一次性密码" in one_time and "shenji 的一次性密码" in one_time
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    warned: list[str] = []

    def dismiss(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        warned.append(box.text())
        box.accept()

    when_modal(dismiss)
    wizard.reject()  # refused while the key is not confirmed saved
    assert wizard.isVisible()
    assert warned and "恢复密钥" in warned[0]
    assert recovery.save_sheet(sheet)
    recovery.confirm.setChecked(True)
    wizard.next()  # the auditor's key (tests/gui/test_setup_audit_key.py hands it over)
    assert wizard.currentPage() is wizard.audit_key
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    wizard.audit_key.later.setChecked(True)  # the auditor is not here: at their first sign-in
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    wizard.button(QWizard.WizardButton.FinishButton).click()


def sign_in_with(password: str, *, expect_error: str | None = None):  # type: ignore[no-untyped-def]
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, SignInDialog)
        if expect_error:
            dialog.username.setText("boss")
            dialog.password.setText("Wrong-Pass-000")
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            assert expect_error in dialog.error.text()
            assert dialog.isVisible()
        dialog.username.setText("boss")
        dialog.password.setText(password)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    return act


def test_setup_wizard_then_sign_in_then_main_window(qtbot: QtBot, tmp_path: Path) -> None:
    location = DatabaseLocation.parse(tmp_path / "new.db")
    controller = SessionController(AppContext(location=location))
    errors = when_modal(lambda w: fill_wizard(w, tmp_path / "恢复密钥单.pdf"))
    assert controller.start() is True
    assert errors == []
    assert (tmp_path / "恢复密钥单.pdf").read_bytes().startswith(b"%PDF")
    window = controller.window
    assert window is not None and window.isVisible()
    qtbot.addWidget(window)
    assert "王建国（boss）" in window.user_label.text()
    assert str(location.sqlite_path) == window.db_label.text()
    assert window.current_area() == "home"

    errors = when_modal(sign_in_with(ADMIN_PASSWORD, expect_error="用户名或密码错误"))
    controller.sign_out()
    assert errors == []
    assert controller.window is not None and controller.window is not window
    qtbot.addWidget(controller.window)
    assert controller.session is not None and controller.session.actor.username == "boss"
    controller.quit()
    assert controller.session is None


def test_wrong_password_shows_a_message_and_keeps_the_dialog(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    dialog = SignInDialog(AppContext(location=demo_copy))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "archivist")
    qtbot.keyClicks(dialog.password, "not-the-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.session is None
    assert "用户名或密码错误" in dialog.error.text()
    assert dialog.password.text() == ""
    dialog.password.setText("")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.text() == "请输入密码。"


def test_a_locked_account_gets_the_message_of_a_wrong_password(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """Issue 23: a guesser learns neither that the account is locked nor that a try was right."""
    clock = FixedClock()
    dialog = SignInDialog(AppContext(location=demo_copy, clock=clock))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("archivist")
    dialog.password.setText("not-the-password")
    dialog.attempt()
    wrong = dialog.error.text()
    assert "用户名或密码错误" in wrong
    for _ in range(4):
        dialog.username.setText("archivist")
        dialog.password.setText("not-the-password")
        dialog.attempt()
    dialog.username.setText("archivist")
    dialog.password.setText(DEMO_PASSWORD)
    dialog.attempt()
    assert dialog.session is None and dialog.error.text() == wrong  # locked: the same words
    clock.advance(minutes=15)
    dialog.password.setText(DEMO_PASSWORD)
    dialog.attempt()
    assert dialog.session is not None
    sign_out(session=dialog.session, clock=clock)


def _window_of(
    qtbot: QtBot, location: DatabaseLocation, monotonic: FakeMonotonic, user: str
) -> SessionController:
    """The demo ``user`` signed in and their main window opened (idle time on ``monotonic``)."""
    context = AppContext(location=location, monotonic=monotonic)
    controller = SessionController(context)
    controller.session = sign_in(
        location=location, username=user, password=DEMO_PASSWORD, clock=context.clock
    )
    controller.open_main_window()
    assert controller.window is not None
    qtbot.addWidget(controller.window)
    return controller


def test_idle_time_locks_the_window_until_the_password_is_given(
    qtbot: QtBot, demo_copy: DatabaseLocation, monotonic: FakeMonotonic
) -> None:
    controller = _window_of(qtbot, demo_copy, monotonic, "archivist")
    window = controller.window
    assert window is not None and controller.idle is not None
    monotonic.now += 9 * 60
    controller.idle.check()
    assert QApplicationModal() is None  # not yet: 10 minutes by default
    seen: dict[str, object] = {}

    def unlock(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        seen["window_visible"] = window.isVisible()
        dialog.password.setText("wrong-password")
        dialog.attempt()
        seen["error"] = dialog.error.text()
        dialog.password.setText(DEMO_PASSWORD)
        dialog.attempt()

    errors = when_modal(unlock)
    monotonic.now += 61
    controller.idle.check()
    assert errors == []
    assert seen["window_visible"] is False
    assert "用户名或密码错误" in str(seen["error"])
    assert window.isVisible()
    with controller.session.store.new_session() as s:
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-3:] == ["auth.idle_lock", "auth.sign_in_failed", "auth.unlock"]
    controller.quit()


def QApplicationModal() -> QWidget | None:
    from PySide6.QtWidgets import QApplication

    return QApplication.activeModalWidget()


def test_one_time_password_must_be_changed_before_work(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    admin = sign_in(location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=clock)
    otp = add_user(admin, clock, "newbie", display_name="新人", password=None)
    sign_out(session=admin, clock=clock)
    session = sign_in(location=demo_copy, username="newbie", password=otp.password, clock=clock)
    dialog = ChangePasswordDialog(AppContext(location=demo_copy, clock=clock), session, forced=True)
    qtbot.addWidget(dialog)
    dialog.old.setText(otp.password)
    dialog.new.setText("Fresh-Start-Pass-9")
    dialog.confirm.setText("Fresh-Start-Pass-8")
    dialog.attempt()
    assert "两次输入不一致" in dialog.errors.text("password_confirm")
    dialog.confirm.setText("Fresh-Start-Pass-9")
    dialog.attempt()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert not session.actor.must_change_password
    sign_out(session=session, clock=clock)


def test_lock_closes_open_dialogs_first(
    qtbot: QtBot, demo_copy: DatabaseLocation, monotonic: FakeMonotonic
) -> None:
    from ui.dialogs.user_edit import OneTimePasswordDialog

    controller = _window_of(qtbot, demo_copy, monotonic, "admin")
    assert controller.window is not None and controller.idle is not None
    otp = OneTimePasswordDialog("lisi", "Secret-Once-42", controller.window)
    unlocked: list[bool] = []

    def unlock(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        assert not otp.isVisible()  # the one-time password is no longer on screen
        dialog.password.setText(DEMO_PASSWORD)
        dialog.attempt()
        unlocked.append(True)

    def go_idle(dialog: QWidget) -> None:
        assert dialog is otp
        monotonic.now += 601
        controller.idle.check()  # type: ignore[union-attr]
        when_modal(unlock)

    errors = when_modal(go_idle)
    otp.exec()
    qtbot.waitUntil(lambda: bool(unlocked), timeout=5000)
    assert errors == []
    assert controller.window.isVisible()
    controller.quit()
