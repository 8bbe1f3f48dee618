"""A read-only table model over a list of row DTOs: the base of the small list models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """Rows and column titles; a subclass (or ``cells``) turns a row into its cell texts.

    ``columns`` are translated through ``tr`` when shown. ``data`` shows ``cells(row)`` and
    asks :meth:`background` for a row colour; subclasses add roles by overriding ``data``.
    """

    COLUMNS: Sequence[str] = ()

    def __init__(self, columns: Sequence[str] | None = None) -> None:
        super().__init__()
        self.columns = list(columns if columns is not None else self.COLUMNS)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show ``rows``."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def add_rows(self, rows: Sequence[Any]) -> None:
        """Append the next page."""
        if not rows:
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows shown."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.columns):
            return self.tr(self.columns[section])
        return None

    def cells(self, row: Any) -> Sequence[str]:
        """Cell texts of one row."""
        raise NotImplementedError  # each table model names its cells

    def background(self, row: Any) -> Any:
        """A row colour (None: the default)."""
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text and row colour."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(row)
        return None


class CellsModel(RowsModel):
    """A :class:`RowsModel` whose cells (and optional row colour) come from functions."""

    def __init__(
        self,
        columns: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
        background: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(columns)
        self._cells = cells
        self._background = background

    def cells(self, row: Any) -> Sequence[str]:
        """Cell texts of one row."""
        return self._cells(row)

    def background(self, row: Any) -> Any:
        """The row colour given by ``background`` (None: the default)."""
        return self._background(row) if self._background is not None else None
