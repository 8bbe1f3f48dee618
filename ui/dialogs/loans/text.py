"""Asks for one text and saves it through a service (a renewal reason, a report's resolution)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from ui.dialogs.form import FormDialog


class TextDialog(FormDialog):
    """One required text; ``submit(text)`` saves it and its messages show under the field.

    ``field`` is the name the service reports the text's errors under (``reason``,
    ``resolution``); the service's other messages go to the line above the buttons.
    """

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        field: str,
        submit: Callable[[str], Any],
    ) -> None:
        super().__init__(parent, title=title, object_name="TextDialog", ok_text="确定")
        self.setWindowTitle(title)
        self.ok_button.setText(self.tr("确定"))
        self._submit = submit
        self.text = QLineEdit(objectName="text")
        self.add_field(label, self.text, field)
        self.finish(stretch=False)

    def submit(self) -> Any:
        """Save the text through the service."""
        return self._submit(self.text.text())
