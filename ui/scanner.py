"""Scanner input (R24): a USB scanner types like a keyboard and ends with Enter.

:class:`ScanRouter` watches Enter in every search box (a ``QLineEdit`` whose object name ends
in ``search``). The text is read by the one input rule (``app.domain.scan_codes.read_code``):
a scanned code (``<code>*<check>``) or a typed one (a 档号 with ``·``, ``.`` or ``-``, a box
number, a place code) that names a place, box or volume is announced with
:attr:`ScanRouter.scanned`; a code whose check character fails is rejected with a message and
never looked up; anything else is left to the box (ordinary typing, a search). A box that
handles scans itself sets the Qt property ``handles_scans``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from app.clock import Clock
from app.domain.scan_codes import SEPARATOR, ScanResult, read_code
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.locations import ScanNotFound, ScanTarget, resolve_scan
from ui.errors import message_for

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def is_search_box(obj: QObject) -> bool:
    """True for the line edits scans are routed from."""
    return (
        isinstance(obj, QLineEdit)
        and obj.objectName().endswith("search")
        and not obj.property("handles_scans")
    )


class ScanRouter(QObject):
    """Application-wide event filter turning scanned codes into :attr:`scanned` signals."""

    scanned = Signal(object)  # ScanTarget
    rejected = Signal(str)  # the message shown

    def __init__(self, session: SignedIn, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._clock = clock

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt's name
        """Intercept Enter in a search box when its text is a scanned code."""
        if event.type() != QEvent.Type.KeyPress or not is_search_box(obj):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in _ENTER:
            return False
        assert isinstance(obj, QLineEdit)
        target = self.read(obj, obj.text())
        return target is not False

    def read(self, box: QLineEdit, text: str) -> ScanTarget | bool | None:
        """Handle ``text`` typed into ``box``.

        Returns False when it is not a code (left to the box), None when it was rejected, else
        the target (announced, the box cleared).
        """
        result, _code = read_code(text)
        if result is ScanResult.NOT_A_CODE:
            return False
        try:
            target = resolve_scan(session=self._session, text=text, clock=self._clock)
        except ScanNotFound as exc:
            if SEPARATOR not in text:
                return False  # typed text naming no code: the box searches as usual
            self._reject(box, message_for(exc))
            return None
        except AppError as exc:
            self._reject(box, message_for(exc))
            return None
        if target is None:
            return False
        box.clear()
        self.scanned.emit(target)
        return target

    def _reject(self, box: QLineEdit, message: str) -> None:
        # not modal: the scanner may already be sending the next code
        box.selectAll()
        QApplication.beep()
        self.rejected.emit(message)
