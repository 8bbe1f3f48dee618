"""The boxes of the selected place: a list whose rows can be dragged onto a map cell."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt
from PySide6.QtGui import QColor, QDrag
from PySide6.QtWidgets import QAbstractItemView, QTableView

from app.services import locations as L
from ui.models.rows import Index, RowsModel
from ui.pages.locations.shelf_map import BOX_MIME, LEVEL_COLOURS
from ui.widgets.table_panel import configure_table, fit_columns

_SECRECY_COLUMN = 3


class BoxRowsModel(RowsModel):
    """Box rows; the 密级 cell on its level's colour (the word stays: never colour alone)."""

    COLUMNS = ("盒号", "档号", "卷数", "密级", "门类", "年度", "保管期限", "位置")

    def cells(self, row: L.BoxRow) -> Sequence[str]:
        """Cell texts of one box."""
        return (
            row.code,
            row.reference_range,
            f"{row.volume_count}/{row.capacity}",
            row.secrecy_label,
            row.category_code,
            str(row.year or ""),
            row.retention,
            row.location_code or self.tr("（未上架）"),
        )

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows can be dragged (onto a map cell)."""
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; the 密级 cell white on its level's colour."""
        if index.isValid() and index.column() == _SECRECY_COLUMN and index.row() < len(self.rows):
            level = self.rows[index.row()].secrecy_label
            if level in LEVEL_COLOURS and role == Qt.ItemDataRole.BackgroundRole:
                return QColor(LEVEL_COLOURS[level])
            if level in LEVEL_COLOURS and role == Qt.ItemDataRole.ForegroundRole:
                return QColor("white")
        return super().data(index, role)


class BoxTable(QTableView):
    """Boxes of the selected place; several can be selected, rows dragged onto a map cell."""

    def __init__(self) -> None:
        super().__init__(objectName="box_table")
        self.box_model = BoxRowsModel()
        self.setModel(self.box_model)
        configure_table(self)
        # several boxes move (or get labels) together
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)

    @property
    def rows(self) -> list[L.BoxRow]:
        """The boxes listed."""
        return self.box_model.rows

    def set_rows(self, rows: Sequence[L.BoxRow]) -> None:
        """Show ``rows``."""
        self.box_model.set_rows(rows)
        fit_columns(self)

    def selected_ids(self) -> list[int]:
        """Ids of the selected boxes."""
        return [self.rows[i.row()].id for i in self.selectionModel().selectedRows()]

    def chosen_ids(self) -> list[int]:
        """Ids of the selected boxes, or of every box listed when none is selected."""
        return self.selected_ids() or [row.id for row in self.rows]

    def startDrag(self, _actions: Qt.DropAction) -> None:  # Qt's name
        """Drag the first selected box."""
        ids = self.selected_ids()
        if not ids:
            return
        current = self.currentIndex().row()
        mime = QMimeData()
        mime.setData(BOX_MIME, QByteArray(str(ids[0]).encode()))
        mime.setText(self.rows[current].code if 0 <= current < len(self.rows) else "")
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setHotSpot(QPoint(0, 0))
        drag.exec(Qt.DropAction.MoveAction)
