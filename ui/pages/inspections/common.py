"""What the panels of the 检查 page share: the page they report to, result tables, colours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from app.domain.changes import Changes
from app.domain.inspection_rows import InspectionRow
from ui.models.rows import CellsModel, Index
from ui.widgets.table_panel import configure_table, fit_columns

RED = "#b00020"
ORANGE = "#e65100"
LIVE = ("open", "counting", "findings")  # a session not closed yet
LONG_CELL = 12  # characters


class Host(Protocol):
    """The page a panel works for: the selected session, and reloading everything."""

    current: InspectionRow | None

    def refresh(self) -> None:
        """Reload the schedule, the sessions and the selected session."""

    def shown_own(self, changes: Changes) -> None:
        """Say a panel has already shown what its own write changed."""


def session_state(row: InspectionRow | None) -> tuple[str, bool]:
    """(status, paused) of the selected session ("" when none is selected)."""
    return (row.status if row else "", bool(row and row.paused))


def result_table(name: str, headers: Sequence[str]) -> QTableWidget:
    """A read-only table whose first cell of each row carries the row's id."""
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(list(headers))
    configure_table(table)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]], data: Sequence[Any] = ()) -> None:
    """Show ``rows``; ``data[r]`` is kept on the first cell of row ``r``."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if len(value) > LONG_CELL:  # the column may elide it: shown whole as the tooltip
                item.setToolTip(value)
            if c == 0 and r < len(data):
                item.setData(Qt.ItemDataRole.UserRole, data[r])
            table.setItem(r, c, item)
    fit_columns(table)


def selected_data(table: QTableWidget) -> Any:
    """What the current row carries (None without a current row)."""
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def paint(table: QTableWidget, column: int, colours: Sequence[str | None]) -> None:
    """Colour the text of ``column`` row by row (None: the default colour)."""
    for r, colour in enumerate(colours):
        item = table.item(r, column)
        if colour and item is not None:
            item.setForeground(QColor(colour))


class ColouredCells(CellsModel):
    """Cells from a function, with a text colour per cell (for :class:`TablePanel`)."""

    def __init__(
        self,
        columns: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
        colour: Callable[[Any, int], str | None],
    ) -> None:
        super().__init__(columns, cells)
        self._colour = colour

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, with its colour."""
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            if 0 <= index.row() < len(self.rows):
                colour = self._colour(self.rows[index.row()], index.column())
                return QColor(colour) if colour else None
            return None
        return super().data(index, role)
