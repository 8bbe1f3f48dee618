"""Labels for a secret shown once: the key itself in a framed monospace box, and its warning."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

WARNING_STYLE = "color: #8a1c00; font-weight: bold;"
KEY_STYLE = "border: 2px solid #444; padding: 10px; background: white;"


def key_label(text: str = "", *, object_name: str, point_size: int) -> QLabel:
    """A key in bold monospace inside a white frame, wrapped and selectable for copying."""
    label = QLabel(text, objectName=object_name)
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(point_size)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(KEY_STYLE)
    return label


def warning_label(text: str = "") -> QLabel:
    """Bold dark-red wrapped text: what to do with the key before the window closes."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    return label
