"""Table models of the auditor's view: entries, and the summary's small tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from app.domain.audit import AuditRow
from app.services.audit.export import AUDIT_HEADERS, audit_cells
from ui.models.rows import Index, RowsModel

LONG_CELL = 12  # characters: a longer cell may be elided, its tooltip shows it whole


class AuditTableModel(RowsModel):
    """Audit entries, newest first (read-only)."""

    COLUMNS = AUDIT_HEADERS

    def cells(self, row: AuditRow) -> list[str]:
        """Cell texts of one entry."""
        return [str(value) for value in audit_cells(row)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; the whole text as the tooltip of a long cell (the columns elide)."""
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            if 0 <= index.row() < len(self.rows):
                text = self.cells(self.rows[index.row()])[index.column()]
                return text if index.column() == 7 or len(text) > LONG_CELL else None
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return super().data(index, role)


class CountTableModel(RowsModel):
    """A small table of texts (summary: per user per day, reveals, failures, after hours)."""

    def set_rows(self, rows: Sequence[Sequence[object]]) -> None:
        """Show ``rows`` (any values, shown as text)."""
        super().set_rows([[str(v) for v in row] for row in rows])

    def cells(self, row: list[str]) -> list[str]:
        """The row itself."""
        return row

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text only."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return super().data(index, role)
