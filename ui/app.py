"""Starts the GUI: fonts, translations, then setup or sign-in, then the main window."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import APP_AUTHOR, APP_NAME
from app.errors import AppError
from app.paths import cjk_font_path, resources_dir
from app.storage.location import DatabaseLocation
from ui.context import AppContext
from ui.dialogs.sign_in import SignInDialog
from ui.errors import message_for, show_error, show_unexpected
from ui.idle import IdleWatcher

if TYPE_CHECKING:  # the storage layer and the workspace load after the sign-in window is up
    from app.demo import DemoAccount
    from app.services.auth import SignedIn
    from ui.dialogs.password import UnlockDialog
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

# Loaded in the background while the sign-in window waits for the user (cold start, issue 21):
# the storage layer and the services the first seconds after sign-in need. Qt-free modules only.
PRELOAD = ("app.services.auth", "app.services.settings", "app.services.catalogue")


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # imported again (and then reported) when it is really needed
            log.exception("preloading %s failed", name)
            return


def start_preload() -> None:
    """Import what comes after the sign-in window in a background thread."""
    threading.Thread(target=_preload, name="preload", daemon=True).start()


def database_exists(location: DatabaseLocation) -> bool:
    """Whether ``location`` has been set up (a file check for SQLite: no storage layer yet)."""
    if location.is_sqlite:
        return location.has_database_file()
    from app.services.auth import database_exists as exists

    return exists(location)


def prepare_application(app: QApplication) -> None:
    """Names for QSettings, the bundled CJK font, Qt's own Chinese translations."""
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("档案室")
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        app.setFont(font)
    else:
        log.warning("bundled CJK font could not be loaded")
    install_qt_translations(app)


def qt_translation_folders() -> list[str]:
    """Where Qt's own translations may be: Qt's configured folder, PySide6's, the bundle's."""
    import PySide6

    folders = [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(Path(PySide6.__file__).resolve().parent / "Qt" / "translations"),
        str(resources_dir() / "translations"),
    ]
    return list(dict.fromkeys(folders))


def install_qt_translations(app: QApplication) -> bool:
    """Load Qt's qtbase_zh_CN (shipped with PySide6): standard dialogs and buttons in Chinese.

    QFileDialog, QMessageBox and QDialogButtonBox texts come from it; False (and a log line)
    when it is not found.
    """
    translator = QTranslator(app)
    china = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    for folder in qt_translation_folders():
        if translator.load(china, "qtbase", "_", folder):
            app.installTranslator(translator)
            # what qtbase_zh_CN lacks (Qt 6 file dialog labels); installed later, asked first
            extra = QTranslator(app)
            if extra.load(china, "qt_extra", "_", str(resources_dir() / "translations")):
                app.installTranslator(extra)
            return True
    log.warning("Qt's Chinese translations (qtbase_zh_CN.qm) were not found")
    return False


class SessionController(QObject):
    """Drives setup → sign-in → (forced password change) → main window → lock / sign-out."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.session: SignedIn | None = None
        self.window: MainWindow | None = None
        self.idle: IdleWatcher | None = None
        self.unlock_dialog: UnlockDialog | None = None
        from ui.tasks import task_registry

        self.tasks = task_registry()  # the running background tasks (issue 21, point 8)

    # -- start --------------------------------------------------------------------------
    def start(self) -> bool:
        """Show setup or sign-in; return False when the user gave up (quit)."""
        try:
            exists = database_exists(self.context.location)
        except AppError as exc:
            QMessageBox.critical(None, self.tr("无法打开数据库"), message_for(exc))
            return False
        if not exists:
            from ui.dialogs.setup_wizard import SetupWizard

            wizard = SetupWizard(self.context)
            if wizard.exec() != QDialog.DialogCode.Accepted or wizard.session is None:
                return False
            self.session = wizard.session
            self.open_main_window()
            return True
        return self.sign_in()

    def sign_in(self) -> bool:
        """Ask for credentials until success or cancel."""
        dialog = SignInDialog(self.context)
        QTimer.singleShot(0, start_preload)  # runs once the dialog is on screen
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
            return False
        self.session = dialog.session
        if self.session.actor.must_change_password:
            from ui.dialogs.password import ChangePasswordDialog

            change = ChangePasswordDialog(self.context, self.session, forced=True)
            if change.exec() != QDialog.DialogCode.Accepted:
                self._end_session("declined password change")
                return self.sign_in()
        self.open_main_window()
        return True

    def open_main_window(self) -> None:
        """Show the workspace and start the idle watch (after the day's secrecy check)."""
        from ui.main_window import MainWindow
        from ui.sign_in_hooks import after_sign_in

        assert self.session is not None
        after_sign_in(self.context, self.session)  # auditor's key, secrecy check (issue 23)
        window = MainWindow(self.context, self.session)
        window.sign_out_requested.connect(self.sign_out)
        window.quit_requested.connect(self.quit)
        window.lock_requested.connect(lambda: self.lock("manual"))
        window.change_password_requested.connect(self.change_password)
        window.policy_changed.connect(self._apply_idle_timeout)
        window.restore_switch_requested.connect(self.switch_to_restored)
        self.window = window
        self.idle = IdleWatcher(self._idle_seconds(), monotonic=self.context.monotonic, parent=self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.idle.start()
        window.show()

    def _idle_seconds(self) -> float:
        from app.services.settings import get_settings

        assert self.session is not None
        security = get_settings(session=self.session, clock=self.context.clock).security
        return float(security.idle_lock_minutes * 60)

    def _apply_idle_timeout(self) -> None:
        if self.idle is not None and self.session is not None:
            self.idle.set_timeout(self._idle_seconds())

    # -- background tasks ------------------------------------------------------------------
    def settle_tasks(self, why: str) -> int:
        """Cancel the running background tasks and wait for their workers; return how many.

        Before sign-out, lock and quit: no worker may read a store being closed, and no result
        of the ending session (a preview, a file) may appear after it. A cancelled task drops its
        result; a task that is past its last check finishes its own unit of work first.
        """
        cancelled = self.tasks.cancel_all()
        if cancelled:
            log.info("%s: waiting for %s background task(s)", why, cancelled)
            self.tasks.wait_all(
                self.window,
                self.tr("正在取消 {0} 项后台任务，请稍候……").format(cancelled),
            )
            if self.window is not None:
                self.window.statusBar().showMessage(
                    self.tr("已取消 {0} 项后台任务。").format(cancelled), 10_000
                )
        return cancelled

    # -- lock, password, sign-out ---------------------------------------------------------
    def lock(self, reason: str = "idle") -> None:
        """Hide the workspace behind the unlock dialog (idle time or Ctrl+L).

        Open dialogs (which may show a one-time password) are closed first, and the lock runs
        again from the main event loop once their own loops have ended.
        """
        if self.session is None or self.window is None or self.idle is None:
            return
        self.idle.pause(True)
        self.settle_tasks("lock")
        if self._close_modals():
            QTimer.singleShot(0, lambda: self.lock(reason))
            return
        from app.services.auth import record_lock
        from ui.dialogs.password import UnlockDialog

        self.window.hide()
        try:
            record_lock(session=self.session, clock=self.context.clock, reason=reason)
        except Exception:  # the lock itself must happen even if the audit write fails
            log.exception("could not record the lock")
        dialog = UnlockDialog(self.context, self.session)
        self.unlock_dialog = dialog
        dialog.exec()
        self.unlock_dialog = None
        if dialog.signed_out:
            if dialog.locked_error is not None:
                QMessageBox.warning(None, self.tr("账户已锁定"), message_for(dialog.locked_error))
            QTimer.singleShot(0, self.sign_out)
            return
        if self.window is not None:
            self.window.show()
        if self.idle is not None:
            self.idle.pause(False)

    @staticmethod
    def _close_modals() -> bool:
        """Reject every open modal dialog; return True when there were any."""
        closed = False
        for _ in range(20):
            modal = QApplication.activeModalWidget()
            if modal is None:
                break
            closed = True
            if isinstance(modal, QDialog):
                modal.done(QDialog.DialogCode.Rejected)
            else:
                modal.close()
            QApplication.processEvents()
        return closed

    def change_password(self) -> None:
        """Let the user change their own password."""
        from ui.dialogs.password import ChangePasswordDialog

        if self.session is not None and self.window is not None:
            ChangePasswordDialog(self.context, self.session, parent=self.window).exec()

    def _end_session(self, reason: str) -> None:
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
        if self.session is not None:
            from app.services.auth import sign_out

            session, self.session = self.session, None
            try:
                sign_out(session=session, clock=self.context.clock, reason=reason)
            except Exception:  # the key is forgotten regardless (sign_out closes in finally)
                log.exception("sign-out could not be recorded")

    def sign_out(self) -> None:
        """Close the workspace and go back to the sign-in dialog (running tasks cancelled)."""
        self.settle_tasks("sign-out")
        self._end_session("user")
        if self.window is not None:
            self.window.close_for_sign_out()
            self.window.deleteLater()
            self.window = None
        if not self.sign_in():
            QApplication.quit()

    def switch_to_restored(self, staged: str) -> None:
        """Sign out, make the verified restore the database (current one kept), sign in again."""
        from pathlib import Path

        from app.services.backup import switch_to_restored

        self.settle_tasks("restore")
        self._end_session("restore")
        if self.window is not None:
            self.window.close_for_sign_out()
            self.window.deleteLater()
            self.window = None
        db = self.context.location.sqlite_path
        try:
            kept = switch_to_restored(db=db, staged=Path(staged), now=self.context.clock.now())
        except AppError as exc:  # another session still holds the database: it says whose
            show_error(None, exc)
        except OSError as exc:
            log.error("switch to the restored database failed: %s", type(exc).__name__)
            QMessageBox.critical(
                None,
                self.tr("无法切换"),
                self.tr("切换到恢复的数据库失败（{0}）。恢复的数据库保留在：{1}").format(
                    exc.strerror, staged
                ),
            )
        else:
            QMessageBox.information(
                None,
                self.tr("已切换到恢复的数据库"),
                self.tr("现在使用恢复的数据库。原数据库已改名保留为：{0}\n请重新登录。").format(
                    kept if kept is not None else self.tr("（无）")
                ),
            )
        if not self.sign_in():
            QApplication.quit()

    def quit(self) -> None:
        """Sign out and leave the application (running tasks cancelled)."""
        self.settle_tasks("quit")
        self._end_session("quit")
        QApplication.quit()


def install_excepthook() -> None:
    """Log unexpected errors and show a plain message instead of a traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if isinstance(exc, AppError):
            show_error(QApplication.activeWindow(), exc)
        else:
            show_unexpected(QApplication.activeWindow(), exc)

    sys.excepthook = hook


# The installer's smoke test (.ci/installer-smoke): start, report the first window, leave.
SMOKE_ENV = "ARCHIVE_ROOM_SMOKE_TEST"


def _leave_at_first_window(left: int = 600) -> None:
    """Print the first window shown (the sign-in or setup dialog) and close it: exit code 0."""
    widget = QApplication.activeModalWidget()
    if widget is None or not widget.isVisible():
        if left > 0:
            QTimer.singleShot(50, lambda: _leave_at_first_window(left - 1))
        return
    print(f"smoke: {type(widget).__name__} 「{widget.windowTitle()}」", flush=True)
    widget.close()


def run_gui(location: DatabaseLocation, demo_accounts: list[DemoAccount] | None = None) -> int:
    """Run the application; return its exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    prepare_application(app)
    install_excepthook()
    app.setQuitOnLastWindowClosed(False)
    controller = SessionController(AppContext(location=location, demo_accounts=demo_accounts))
    if os.environ.get(SMOKE_ENV):
        _leave_at_first_window()
    try:
        if not controller.start():
            return 0
    except AppError as exc:
        show_error(None, exc)
        return 1
    return app.exec()
