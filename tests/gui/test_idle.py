"""The idle watcher fires once after the idle time, and input resets the count."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from tests.gui.conftest import FakeMonotonic
from ui.idle import IdleWatcher


def test_idle_fires_once_after_the_timeout(qtbot: QtBot, monotonic: FakeMonotonic) -> None:
    watcher = IdleWatcher(600, monotonic=monotonic)
    fired: list[int] = []
    watcher.idle.connect(lambda: fired.append(1))
    watcher.start()
    monotonic.now += 599
    watcher.check()
    assert fired == []
    monotonic.now += 1
    watcher.check()
    watcher.check()
    assert fired == [1]
    watcher.reset()
    monotonic.now += 600
    watcher.check()
    assert fired == [1, 1]
    watcher.stop()


def test_keyboard_input_counts_as_activity(qtbot: QtBot, monotonic: FakeMonotonic) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    watcher = IdleWatcher(600, monotonic=monotonic)
    fired: list[int] = []
    watcher.idle.connect(lambda: fired.append(1))
    watcher.start()
    monotonic.now += 500
    QApplication.sendEvent(
        edit, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    monotonic.now += 500
    watcher.check()
    assert fired == []  # only 500 s since the key press
    monotonic.now += 100
    watcher.check()
    assert fired == [1]
    watcher.stop()


def test_paused_watcher_never_fires(qtbot: QtBot, monotonic: FakeMonotonic) -> None:
    watcher = IdleWatcher(60, monotonic=monotonic)
    fired: list[int] = []
    watcher.idle.connect(lambda: fired.append(1))
    watcher.start()
    watcher.pause(True)
    monotonic.now += 3600
    watcher.check()
    assert fired == []
    watcher.pause(False)  # resuming restarts the count
    watcher.check()
    assert fired == []
    watcher.stop()
