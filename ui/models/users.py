"""Table model of user accounts for the administrator."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.clock import format_local
from app.domain.roles import ROLE_LABELS, TITLE_LABELS
from app.services.users import UserRow

Index = QModelIndex | QPersistentModelIndex


class UserTableModel(QAbstractTableModel):
    """Rows of :class:`UserRow`; fill with :meth:`set_rows`."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[UserRow] = []
        self._headers = [
            self.tr("用户名"),
            self.tr("姓名"),
            self.tr("部门"),
            self.tr("角色"),
            self.tr("状态"),
            self.tr("最近登录"),
        ]

    def set_rows(self, rows: list[UserRow]) -> None:
        """Replace all rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> UserRow:
        """Return the DTO shown in ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        """Number of users."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        """Number of columns."""
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return row.username
            if col == 1:
                return row.display_name
            if col == 2:
                return row.department or "—"
            if col == 3:
                roles = "、".join(ROLE_LABELS[r] for r in row.roles)
                if row.approver_title:
                    roles += f"（{TITLE_LABELS[row.approver_title]}）"
                return roles
            if col == 4:
                if row.disabled:
                    return self.tr("已停用")
                return self.tr("待修改密码") if row.must_change_password else self.tr("正常")
            if col == 5:
                return format_local(row.last_sign_in_at) if row.last_sign_in_at else "—"
        if role == Qt.ItemDataRole.ForegroundRole and row.disabled:
            from PySide6.QtGui import QColor

            return QColor("#888888")
        return None
