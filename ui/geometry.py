"""Window sizes that fit the screen: every dialog that sets a size goes through here.

A size asked for is a wish: on a small screen (1366×768 laptops, a taskbar below) the dialog
gets at most the screen's available geometry less room for the window frame, and it is moved
inside that area, so no button or confirmation runs off the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room for the window manager's title bar and borders around the client area.
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def available(widget: QWidget | None = None) -> QRect:
    """The available geometry of the screen ``widget`` is on (the primary screen otherwise)."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(widget: QWidget | None, width: int, height: int) -> tuple[int, int]:
    """``width`` × ``height`` shrunk to what fits the available geometry with its frame."""
    area = available(widget)
    return (
        max(1, min(width, area.width() - FRAME_WIDTH)),
        max(1, min(height, area.height() - FRAME_HEIGHT)),
    )


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` × ``height`` or less so that it fits the screen.

    Its minimum size is capped as well (a layout's minimum would otherwise win), and a widget
    already placed is moved back inside the available area.
    """
    w, h = fitted_size(widget, width, height)
    minimum = widget.minimumSize()
    if minimum.width() > w or minimum.height() > h:
        widget.setMinimumSize(min(minimum.width(), w), min(minimum.height(), h))
    widget.resize(w, h)
    keep_on_screen(widget)


def cap_minimum(widget: QWidget, width: int, height: int) -> None:
    """``setMinimumSize`` that never exceeds the screen's available geometry."""
    widget.setMinimumSize(*fitted_size(widget, width, height))


def keep_on_screen(widget: QWidget) -> None:
    """Move ``widget`` (with its frame) inside the available geometry when it sticks out."""
    area = available(widget)
    frame = widget.frameGeometry()
    x = max(area.left(), min(frame.x(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.y(), area.bottom() + 1 - frame.height()))
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)
