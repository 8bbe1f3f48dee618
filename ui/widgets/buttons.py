"""Small builders for a page's top bar: the search field and the buttons beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QBoxLayout, QLineEdit, QPushButton


def search_field(object_name: str, placeholder: str) -> QLineEdit:
    """A search box with its hint and a clear button."""
    field = QLineEdit(objectName=object_name)
    field.setPlaceholderText(placeholder)
    field.setClearButtonEnabled(True)
    return field


def add_button(
    row: QBoxLayout,
    text: str,
    object_name: str,
    clicked: Callable[[], object] | None = None,
    *,
    visible: bool = True,
    enabled: bool = True,
) -> QPushButton:
    """A push button added to ``row``; ``clicked`` runs on a click."""
    button = QPushButton(text, objectName=object_name)
    if not visible:
        button.setVisible(False)
    if not enabled:
        button.setEnabled(False)
    if clicked is not None:
        button.clicked.connect(lambda _checked=False: clicked())
    row.addWidget(button)
    return button
