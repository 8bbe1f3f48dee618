"""The 档案 page's table models: volumes and the items of one volume."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.catalogue import volume_state_label
from app.services.catalogue import ItemRow, VolumeRow
from ui.models.rows import RowsModel

Index = QModelIndex | QPersistentModelIndex
RESTRICTED_COLOR = QColor("#eeeeee")
CLASSIFIED_COLOR = QColor("#fde2e1")


class _RowsModel(RowsModel):
    """Catalogue rows: restricted ones grey with a tooltip, classified ones tinted."""

    def cells(self, row: Any) -> list[str]:
        """Cell texts of one row (each table names its own in ``values``)."""
        return self.values(row)

    def values(self, row: Any) -> list[str]:
        """Cell texts of one row."""
        raise NotImplementedError  # each table model names its cells

    def background(self, row: Any) -> Any:
        """Restricted rows grey, classified rows tinted."""
        if row.restricted:
            return RESTRICTED_COLOR
        return CLASSIFIED_COLOR if row.secrecy else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text and colour; a tooltip on restricted rows."""
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            if 0 <= index.row() < len(self.rows) and self.rows[index.row()].restricted:
                return self.tr("受限：您的涉密级别不足，仅显示档号")
            return None
        return super().data(index, role)


class VolumeTableModel(_RowsModel):
    """Volumes: 档号, title, year, retention, expiry, secrecy, state, counts."""

    COLUMNS: ClassVar[list[str]] = [
        "档号",
        "案卷题名",
        "年度",
        "保管期限",
        "到期",
        "密级",
        "状态",
        "件数",
        "页数",
    ]

    def values(self, row: VolumeRow) -> list[str]:
        """Cell texts."""
        state = "" if row.restricted else volume_state_label(row.state, row.placed)
        hidden = row.restricted
        return [
            row.reference_code,
            row.title,
            str(row.year),
            row.retention,
            row.expires.isoformat() if row.expires else self.tr("永久"),
            row.secrecy,
            state,
            "" if hidden else str(row.item_count),
            "" if hidden else str(row.page_count),
        ]


class ItemTableModel(_RowsModel):
    """Items of one volume, in 卷内目录 order."""

    COLUMNS: ClassVar[list[str]] = [
        "序号",
        "文号",
        "责任者",
        "题名",
        "日期",
        "页号",
        "载体",
        "密级",
        "备注",
    ]

    def values(self, row: ItemRow) -> list[str]:
        """Cell texts (dates YYYYMMDD as on the printed 卷内目录)."""
        return [
            str(row.seq),
            row.doc_number,
            row.author,
            row.title,
            row.doc_date.strftime("%Y%m%d") if row.doc_date else "",
            row.pages,
            row.carrier,
            row.secrecy,
            row.remarks.replace("\n", "；"),
        ]
