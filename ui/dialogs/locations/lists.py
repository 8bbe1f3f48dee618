"""Read-only lists of the 库位 area: the bulk-move preview, must-move volumes, a volume's moves.

A bulk move shows its row-by-row preview first; "全部移动" is offered only when every row can
be applied (R23).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import locations as L
from ui.geometry import fit_to_screen
from ui.widgets.table_panel import configure_table, fit_columns

PROBLEM_TEXT = {
    "not_found": "不存在",
    "not_slot": "目标不是层或位",
    "same_place": "已在该位置",
    "secure_required": "{level}档案只能放入保险柜/涉密专柜",
    "full": "目标已放满",
    "box_full": "档案盒已装满",
    "restricted": "涉密级别不足",
    "volume_on_loan": "已借出",
    "volume_destroyed": "已销毁",
}


def problem_text(problem: str, params: dict[str, Any]) -> str:
    """A bulk-move row's problem in Chinese."""
    text = PROBLEM_TEXT.get(problem, problem)
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def moment(when: Any) -> str:
    """A move's time as the lists show it (local time, to the minute)."""
    return str(when.astimezone().strftime("%Y-%m-%d %H:%M"))


class _ListDialog(QDialog):
    """A line of text over a read-only table, and the dialog's buttons below."""

    def _build(
        self,
        intro: QLabel,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        red: Sequence[bool] = (),
    ) -> QVBoxLayout:
        """Lay out ``intro`` over a table of ``rows`` (rows flagged in ``red`` in dark red)."""
        layout = QVBoxLayout(self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(rows), len(headers), objectName=name)
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in headers])
        configure_table(self.table)
        for n, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if n < len(red) and red[n]:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(n, c, item)
        fit_columns(self.table)
        layout.addWidget(self.table, 1)
        return layout

    def _close_button(self, layout: QVBoxLayout) -> None:
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)


class BulkMoveDialog(_ListDialog):
    """The preview of a bulk move; "全部移动" only when every row can be applied (R23)."""

    def __init__(self, parent: QWidget | None, preview: L.BulkPreview, title: str) -> None:
        super().__init__(parent)
        self.setObjectName("BulkMoveDialog")
        self.setWindowTitle(title)
        summary = QLabel(objectName="bulk_summary")
        if preview.ok:
            summary.setText(self.tr("共 {0} 项，全部可以移动。").format(len(preview.rows)))
        else:
            summary.setText(
                self.tr(
                    "共 {0} 项，其中 {1} 项不能移动（标红）。须全部可行才会执行，否则一项也不移动。"
                ).format(len(preview.rows), preview.problems)
            )
            summary.setStyleSheet("color: #b00020;")
        layout = self._build(
            summary,
            "bulk_rows",
            ("对象", "原位置", "目标", "问题"),
            [
                (
                    row.label,
                    row.from_code or self.tr("（未上架）"),
                    row.to_code,
                    problem_text(row.problem, row.params) if row.problem else self.tr("可以"),
                )
                for row in preview.rows
            ],
            red=[bool(row.problem) for row in preview.rows],
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("全部移动"))
        ok.setEnabled(preview.ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 720, 420)


class MustMoveDialog(_ListDialog):
    """机密/绝密 volumes standing in ordinary places (R22)."""

    def __init__(self, parent: QWidget | None, rows: Sequence[L.MustMoveRow]) -> None:
        super().__init__(parent)
        self.setObjectName("MustMoveDialog")
        self.setWindowTitle(self.tr("须移入保密柜的档案"))
        text = (
            self.tr("以下 {0} 卷为机密或绝密，但存放在普通位置，须移入保险柜或涉密专柜：").format(
                len(rows)
            )
            if rows
            else self.tr("没有须移动的档案：所有机密、绝密档案都在保险柜或涉密专柜中。")
        )
        layout = self._build(
            QLabel(text),
            "must_move_rows",
            ("档号", "密级", "档案盒", "现存放位置"),
            [(r.reference_code, r.secrecy_label, r.box_code, r.location_code) for r in rows],
        )
        self._close_button(layout)
        fit_to_screen(self, 640, 360)


class VolumeHistoryDialog(_ListDialog):
    """A volume's box and place, and every move it made (from, to, reason, who, when; R23)."""

    def __init__(
        self, parent: QWidget | None, where: L.VolumeWhere, moves: Sequence[L.MoveRow]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VolumeHistoryDialog")
        self.setWindowTitle(self.tr("{0} 的存放位置与移动记录").format(where.reference_code))
        place = " ".join(p for p in (where.box_code, where.location_code) if p)
        self.where = QLabel(
            self.tr("现存放：{0}").format(place) if place else self.tr("尚未上架"),
            objectName="volume_where",
        )
        layout = self._build(
            self.where,
            "volume_moves",
            ("时间", "从", "到", "原因", "经办人", "说明"),
            [
                (moment(m.occurred_at), m.from_code, m.to_code, m.reason, m.actor, m.note)
                for m in moves
            ],
        )
        self._close_button(layout)
        fit_to_screen(self, 720, 360)
