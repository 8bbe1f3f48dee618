"""The preview table's model: the first rows of the ledger, masked, with each row's verdict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.services import imports
from ui.models.rows import Index, RowsModel

PreviewRow = tuple[imports.RowOutcome, list[str]]  # a row's verdict and its cells as shown
REJECTED_COLOUR = "#b00020"


class PreviewModel(RowsModel):
    """行, 检查结果, then the file's columns; rejected rows in red, the reasons as tooltip."""

    def set_table(self, headers: Sequence[str], rows: Sequence[PreviewRow]) -> None:
        """Show ``rows`` under the file's ``headers``."""
        self.beginResetModel()
        self.columns = ["行", "检查结果", *headers]
        self.rows = list(rows)
        self.endResetModel()

    def cells(self, row: PreviewRow) -> Sequence[str]:
        """The sheet row number, the verdict, the (masked) cells."""
        outcome, values = row
        return [str(outcome.row), self.verdict(outcome), *values]

    def verdict(self, outcome: imports.RowOutcome) -> str:
        """可导入 (with any warnings), or the reasons the row was refused."""
        reasons = imports.describe_outcome(outcome).replace("\n", "；")
        if not outcome.ok:
            return reasons
        return self.tr("可导入") + (f"（{reasons}）" if outcome.warnings else "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; rejected rows in red; the reasons as the verdict's tooltip."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        outcome, values = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole and col >= 2:
            return values[col - 2] if col - 2 < len(values) else ""
        if role == Qt.ItemDataRole.ForegroundRole and not outcome.ok:
            return QColor(REJECTED_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return imports.describe_outcome(outcome)
        return super().data(index, role)
