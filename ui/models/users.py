"""Table model of user accounts for the administrator."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.clock import format_local
from app.domain.roles import ROLE_LABELS, TITLE_LABELS
from app.services.account_review import PendingChange
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
        roles = "、".join(ROLE_LABELS[r] for r in row.roles) or self.tr("（待安全保密员授予）")
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


class PendingChangesModel(RowsModel):
    """Rows of :class:`PendingChange` (changes waiting for a second 三员 member)."""

    COLUMNS: ClassVar[list[str]] = ["变更", "账户", "内容", "提出人", "提出时间", "可否由我确认"]

    def cells(self, row: PendingChange) -> list[str]:
        """Cell texts of one pending change."""
        if row.may_confirm:
            mine = self.tr("可以确认")
        elif row.own:
            mine = self.tr("本人提出（可撤回）")
        else:
            mine = self.tr("须另一名三员确认")
        return [
            row.kind_label,
            f"{row.display_name}（{row.username}）",
            row.summary,
            row.requested_by,
            format_local(row.requested_at),
            mine,
        ]
