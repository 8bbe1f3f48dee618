"""Table model of user accounts for the administrator."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.clock import format_local
from app.domain.roles import ROLE_LABELS, TITLE_LABELS
from app.services.users import UserRow
from ui.models.rows import Index, RowsModel

DISABLED_COLOR = QColor("#888888")


class UserTableModel(RowsModel):
    """Rows of :class:`UserRow`; fill with :meth:`set_rows`."""

    COLUMNS: ClassVar[list[str]] = ["用户名", "姓名", "部门", "角色", "状态", "最近登录"]

    def row_at(self, row: int) -> UserRow:
        """Return the DTO shown in ``row``."""
        user: UserRow = self.rows[row]
        return user

    def cells(self, row: UserRow) -> list[str]:
        """Cell texts of one account."""
        roles = "、".join(ROLE_LABELS[r] for r in row.roles)
        if row.approver_title:
            roles += f"（{TITLE_LABELS[row.approver_title]}）"
        if row.disabled:
            state = self.tr("已停用")
        else:
            state = self.tr("待修改密码") if row.must_change_password else self.tr("正常")
        return [
            row.username,
            row.display_name,
            row.department or "—",
            roles,
            state,
            format_local(row.last_sign_in_at) if row.last_sign_in_at else "—",
        ]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; disabled accounts greyed."""
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.isValid() and 0 <= index.row() < len(self.rows):
                return DISABLED_COLOR if self.rows[index.row()].disabled else None
            return None
        return super().data(index, role)
