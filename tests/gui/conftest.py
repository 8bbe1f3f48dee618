"""GUI test helpers: modal dialogs driven from a timer, a settable monotonic clock, import desk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import SignedIn, sign_in
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist
from ui.context import AppContext

if TYPE_CHECKING:
    from ui.dialogs.import_wizard import ImportWizard

W = TypeVar("W", bound=QWidget)


@pytest.fixture(autouse=True)
def no_error_box_left_waiting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[list[str]]:
    """A 程序错误 box (``show_unexpected``) fails the test with where the error was raised.

    Offscreen, a modal box nobody closes would hold the test until the suite's timeout; here it
    is answered at once and the test fails naming the error. A test that expects a critical box
    takes this fixture and empties the list; other critical boxes (a database that cannot be
    opened) are answered and left to the test to assert.
    """
    shown: list[str] = []

    def critical(_parent: object, title: str, text: str, *_args: object) -> object:
        shown.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    yield shown
    if any(text.startswith("程序错误") for text in shown):
        where = "\n".join(r.getMessage() for r in caplog.records if r.name == "ui.errors")
        pytest.fail(f"error box shown: {shown}\n{where}")


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


def when_modal(action: Callable[[QWidget], None], *, attempts: int = 200) -> list[BaseException]:
    """Run ``action`` on the next modal dialog once it is shown; return errors raised in it."""
    errors: list[BaseException] = []

    def poll(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible():
            if left > 0:
                QTimer.singleShot(10, lambda: poll(left - 1))
            return
        try:
            action(widget)
        except BaseException as exc:  # surfaced by the test after the modal loop ends
            errors.append(exc)
            if isinstance(widget, QDialog):
                widget.done(QDialog.DialogCode.Rejected)  # bypasses reject() overrides
            else:
                widget.close()

    QTimer.singleShot(0, lambda: poll(attempts))
    return errors


@dataclass
class WizardDesk:
    """The archivist ``lisi`` at the import wizard (the administrator created the account)."""

    qtbot: QtBot
    location: DatabaseLocation
    clock: FixedClock
    session: SignedIn

    @property
    def context(self) -> AppContext:
        return AppContext(location=self.location, clock=self.clock)

    def add(self, widget: W) -> W:
        """``widget``, closed with the test."""
        self.qtbot.addWidget(widget)
        return widget

    def open(self, kind: str) -> tuple[ImportWizard, SignedIn]:
        """The wizard for ``kind``, shown; and lisi's session."""
        from ui.dialogs.import_wizard import ImportWizard

        wizard = self.add(ImportWizard(None, self.context, self.session, kind))
        wizard.show()
        return wizard, self.session


@pytest.fixture
def import_desk(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> WizardDesk:
    add_archivist(admin, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    return WizardDesk(qtbot, location, clock, session)
