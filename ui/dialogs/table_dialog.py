"""The one list-dialog scaffold: a table of rows filling a dialog, and 关闭 at the bottom right.

A queue or history dialog subclasses :class:`TableDialog` with its column titles and a function
from a row to its cells (the table is a :class:`ui.widgets.table_panel.TablePanel`, so it
behaves like every list page), adds what it needs in the order it should appear
(:meth:`TableDialog.add_line` for a line of text, above the list or under it;
:meth:`TableDialog.add_field` for a labelled field with its error label, under it), its buttons
with :meth:`TableDialog.add_action` (left of the bottom row), calls :meth:`TableDialog.finish`
once and reads its rows with :meth:`TableDialog.show_rows`. ``rows`` and
:meth:`TableDialog.selected` give the rows shown and the selected one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from ui.dialogs.form import add_form_row
from ui.errors import FieldErrors, show_error
from ui.geometry import fit_to_screen
from ui.widgets.table_panel import TablePanel


class TableDialog(QDialog):
    """A list over optional lines and fields; actions left and 关闭 right in the bottom row."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        object_name: str,
        table: str,
        columns: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.layout_ = QVBoxLayout(self)
        self.panel = TablePanel(name=table, columns=columns, cells=cells)
        self.table = self.panel.table
        self.layout_.addWidget(self.panel, 1)
        self.fields = QWidget(self)  # the fields, placed with the first; hide it to offer none
        self.fields.hide()
        self._form = QFormLayout(self.fields)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._actions = QHBoxLayout()
        self._above = 0  # lines added above the list so far

    @property
    def rows(self) -> list[Any]:
        """The rows shown."""
        return self.panel.rows

    def selected(self) -> Any:
        """The selected row, or None."""
        return self.panel.selected()

    def add_line(self, name: str, *, above: bool = False) -> QLabel:
        """Add a word-wrapped line of text under what was added before (details, a note).

        ``above``: over the list instead (a count, what the list is), below earlier such lines.
        """
        line = QLabel(objectName=name)
        line.setWordWrap(True)
        if above:
            self.layout_.insertWidget(self._above, line)
            self._above += 1
        else:
            self.layout_.addWidget(line)
        return line

    def add_field(self, label: str, widget: QWidget, field: str) -> QWidget:
        """Add a labelled field with ``field``'s error label under it; returns ``widget``.

        The fields stand together, where the first of them was added.
        """
        if self._form.rowCount() == 0:
            self.layout_.addWidget(self.fields)
            self.fields.show()
        add_form_row(self._form, self.errors, label, widget, field)
        return widget

    def add_action(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        """Add a button to the bottom row (left to right in call order)."""
        button = QPushButton(text, objectName=name)
        button.clicked.connect(lambda: slot())
        self._actions.addWidget(button)
        return button

    def finish(self, *, width: int, height: int, close_text: str | None = None) -> None:
        """Add the bottom row with 关闭 (it accepts) on the right; size the dialog. Call once."""
        self._actions.addStretch(1)
        self.close_button = QPushButton(close_text or self.tr("关闭"), objectName="close")
        self.close_button.clicked.connect(self.accept)
        self._actions.addWidget(self.close_button)
        self.layout_.addLayout(self._actions)
        fit_to_screen(self, width, height)

    def show_rows(
        self,
        read: Callable[[], Sequence[Any]],
        *,
        refused: Callable[[AppError], None] | None = None,
    ) -> list[Any]:
        """Show the rows ``read`` returns and return them.

        A refusal leaves the list empty and is shown by ``refused`` (by default in a message
        box).
        """
        try:
            rows = list(read())
        except AppError as exc:
            if refused is None:
                show_error(self, exc)
            else:
                refused(exc)
            rows = []
        self.panel.set_rows(rows)
        return rows
