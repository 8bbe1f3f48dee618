"""Idle lock: watches keyboard and mouse input and signals after N idle minutes."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle`` once when no input arrived for ``timeout_s`` seconds.

    ``monotonic`` is injectable so tests can move time without waiting.
    """

    idle = Signal()

    def __init__(
        self,
        timeout_s: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        poll_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._timeout = timeout_s
        self._monotonic = monotonic
        self._last = monotonic()
        self._fired = False
        self._paused = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """Begin watching application-wide input."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        """Stop watching."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def set_timeout(self, seconds: float) -> None:
        """Change the idle time (settings changed)."""
        self._timeout = seconds

    def reset(self) -> None:
        """Count idle time from now; allow another ``idle`` signal."""
        self._last = self._monotonic()
        self._fired = False

    def pause(self, paused: bool) -> None:
        """While paused (the lock dialog is up) nothing fires."""
        self._paused = paused
        if not paused:
            self.reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note any input as activity."""
        if event.type() in _INPUT_EVENTS:
            self._last = self._monotonic()
        return False

    def check(self) -> None:
        """Emit ``idle`` when the idle time has passed."""
        if self._paused or self._fired:
            return
        if self._monotonic() - self._last >= self._timeout:
            self._fired = True
            self.idle.emit()
