"""GUI test helpers: drive modal dialogs from a timer, a settable monotonic clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget


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
