"""A secret shown once: the key in a framed monospace box, its warning, the controls keeping it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QHBoxLayout, QLabel, QPushButton

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


def add_keeping_controls(
    layout: QBoxLayout, buttons: Sequence[QPushButton], saved_name: str, confirm: QCheckBox
) -> QLabel:
    """Add, under a key shown once, what keeps it: its save buttons, where it went, the check.

    The buttons stand in a row on the left; the returned label (object name ``saved_name``,
    wrapped) is for saying where the sheet or file was saved; ``confirm`` (the operator's "I
    have kept it") comes last.
    """
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch()
    layout.addLayout(row)
    saved = QLabel(objectName=saved_name)
    saved.setWordWrap(True)
    layout.addWidget(saved)
    layout.addWidget(confirm)
    return saved
