"""The one table-page scaffold: a button bar over a read-only table of row DTOs.

A list page (or a tab of one) builds a :class:`TablePanel` with its column titles and a
function from a row to its cell texts, adds its buttons with :meth:`TablePanel.add_button`,
and calls :meth:`TablePanel.set_rows` with what a service returned. Every list then behaves
alike: whole rows selected one at a time, no row numbers, columns sized to their contents
(long texts elided, the whole text in a tooltip), the last column stretched, Enter or a
double click emits ``activated`` with the row, and :meth:`TablePanel.selected` returns the
selected row DTO (or None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.rows import CellsModel, Index, RowsModel

MAX_COLUMN_WIDTH = 320  # px; longer texts are elided and shown whole in the tooltip


class _TooltipModel(CellsModel):
    """Cells whose full text is also their tooltip (for elided columns)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, tooltip and row colour."""
        if role == Qt.ItemDataRole.ToolTipRole:
            text = super().data(index, Qt.ItemDataRole.DisplayRole)
            return text if text and len(str(text)) > 12 else None
        return super().data(index, role)


def configure_table(table: QTableView) -> None:
    """Give ``table`` the list behaviour every page shares."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)


def list_view(name: str, model: QAbstractItemModel) -> QTableView:
    """A table view named ``name`` over ``model`` with the behaviour every list shares.

    For lists whose model is not a :class:`ui.models.rows.RowsModel` (read page by page,
    sorted by the database); a list of row DTOs takes a :class:`TablePanel`.
    """
    table = QTableView(objectName=name)
    table.setModel(model)
    configure_table(table)
    return table


def fit_columns(
    table: QTableView,
    max_width: int = MAX_COLUMN_WIDTH,
    *,
    sample_rows: int | None = None,
    grow_only: bool = False,
) -> None:
    """Size columns to their contents, none wider than ``max_width`` (the last one stretches).

    ``sample_rows`` bounds how many rows are measured (a lazily read list measures its first
    page, not every row); ``grow_only`` keeps a column as wide as it already is, so a list
    that is searched as the user types does not jump at every key.
    """
    header = table.horizontalHeader()
    if sample_rows is not None:
        header.setResizeContentsPrecision(sample_rows)
    before = [header.sectionSize(c) for c in range(header.count())]
    table.resizeColumnsToContents()
    for column in range(header.count()):
        width = min(header.sectionSize(column), max_width)
        if grow_only:
            width = max(width, min(before[column], max_width))
        if width != header.sectionSize(column):
            header.resizeSection(column, width)
    last = header.logicalIndex(header.count() - 1) if header.count() else -1
    if last >= 0 and header.stretchLastSection() and table.isVisible():
        # the last column fills what is left of the view again (only a resize would)
        room = table.viewport().width() - (header.length() - header.sectionSize(last))
        if room > header.sectionSize(last):
            header.resizeSection(last, room)


class _Table(QTableView):
    """A table view that emits ``enter_pressed`` for Enter on a selected row."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter activates the current row."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)


class TablePanel(QWidget):
    """A button bar over a table of rows; ``activated(row)`` on Enter or double click."""

    activated = Signal(object)
    selection_changed = Signal(object)

    def __init__(
        self,
        *,
        name: str,
        columns: Sequence[str],
        cells: Callable[[Any], Sequence[str]] | None = None,
        background: Callable[[Any], Any] | None = None,
        model: RowsModel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if model is None:
            if cells is None:
                raise ValueError("TablePanel needs cells or a model")
            model = _TooltipModel(columns, cells, background)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QHBoxLayout()
        self._bar_stretch_added = False
        layout.addLayout(self.bar)
        self.table = _Table(objectName=name)
        self.table.setModel(model)
        configure_table(self.table)
        layout.addWidget(self.table, 1)
        self.table.doubleClicked.connect(self._activate_index)
        self.table.enter_pressed.connect(lambda: self._activate_index(self.table.currentIndex()))
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit(self.selected())
        )

    def add_button(
        self, text: str, name: str, slot: Callable[[], Any], *, visible: bool = True
    ) -> QPushButton:
        """Add a button to the bar (left to right in call order)."""
        button = QPushButton(text, objectName=name)
        button.clicked.connect(lambda: slot())
        button.setVisible(visible)
        self.bar.addWidget(button)
        return button

    def add_bar_widget(self, widget: QWidget, stretch: int = 0) -> None:
        """Add any widget (a filter box, a label) to the bar."""
        self.bar.addWidget(widget, stretch)

    def end_bar(self) -> None:
        """Push what follows to the right (call once, after the left-hand buttons)."""
        if not self._bar_stretch_added:
            self.bar.addStretch(1)
            self._bar_stretch_added = True

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows`` and size the columns to them."""
        self.model.set_rows(rows)
        fit_columns(self.table)

    @property
    def rows(self) -> list[Any]:
        """The rows shown."""
        return self.model.rows

    def selected(self) -> Any:
        """The selected row DTO, or None."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select_row(self, position: int) -> None:
        """Select the row at ``position`` (ignored when out of range)."""
        if 0 <= position < len(self.model.rows):
            self.table.selectRow(position)

    def _activate_index(self, index: QModelIndex) -> None:
        if index.isValid() and 0 <= index.row() < len(self.model.rows):
            self.activated.emit(self.model.rows[index.row()])
