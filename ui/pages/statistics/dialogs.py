"""Dialogs of the 统计 page: compile a draft, record a hand-out, change one figure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from app.domain.statistics import ROUTE_LABELS, Report, cell_text
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen
from ui.widgets.dates import date_edit, day_of


class CompileDialog(FormDialog):
    """Compile the shown report as a draft and send it for review (``submit(route, who)``)."""

    def __init__(self, parent: QWidget | None, submit: Callable[[str, str], Any]) -> None:
        super().__init__(
            parent, title=self.tr("生成报表草稿并提交审批"), object_name="CompileReportDialog"
        )
        self.ok_button.setText(self.tr("提交审批"))
        self._submit = submit
        self.route = QComboBox(objectName="route")
        for key in ("internal", "other_department"):
            self.route.addItem(self.tr(ROUTE_LABELS[key]), key)
        self.add_field(self.tr("报表类型"), self.route, "route")
        self.requested_by = QLineEdit(objectName="requested_by")
        self.requested_by.setPlaceholderText(self.tr("其他部门索取时必填，如 销售部"))
        self.add_field(self.tr("索取部门"), self.requested_by, "requested_by")
        self.finish(stretch=False)
        fit_to_screen(self, 460, 220)

    def submit(self) -> Any:
        """Compile and submit through the services."""
        return self._submit(str(self.route.currentData()), self.requested_by.text())


class DistributionDialog(FormDialog):
    """One line of the 发放登记 (``submit(recipient=, copies=, given_on=, note=)``)."""

    def __init__(
        self,
        parent: QWidget | None,
        today: date,
        submit: Callable[..., Any],
    ) -> None:
        super().__init__(parent, title=self.tr("发放登记"), object_name="DistributionDialog")
        self._submit = submit
        self.recipient = QLineEdit(objectName="recipient")
        self.recipient.setPlaceholderText(self.tr("部门或职务，如 总经理办公室"))
        self.add_field(self.tr("发放对象"), self.recipient, "recipient")
        self.copies = QSpinBox(objectName="copies", minimum=1, maximum=999, value=1)
        self.add_field(self.tr("份数"), self.copies, "copies")
        self.given_on = date_edit("given_on", today)
        self.add_field(self.tr("发放日期"), self.given_on, "given_on")
        self.note = QLineEdit(objectName="note")
        self.add_field(self.tr("备注"), self.note, "note")
        self.finish(stretch=False)
        fit_to_screen(self, 460, 260)

    def submit(self) -> Any:
        """Record through the service."""
        return self._submit(
            recipient=self.recipient.text(),
            copies=self.copies.value(),
            given_on=day_of(self.given_on),
            note=self.note.text(),
        )


class ReviseDialog(FormDialog):
    """Change one figure of a released report (第11条): a new version for the 总经理.

    ``submit(table_key=, row_label=, column=, new_value=, note=)`` files the new version.
    """

    def __init__(
        self,
        parent: QWidget | None,
        report: Report,
        submit: Callable[..., Any],
    ) -> None:
        super().__init__(parent, title=self.tr("个别项修改"), object_name="ReviseReportDialog")
        self._submit = submit
        self._report = report
        self.cell = QComboBox(objectName="cell")
        for t in report.tables:
            for row in t.rows:
                for column in range(1, len(row)):
                    if isinstance(row[column], int | float):
                        value = cell_text(row[column])
                        label = f"{t.title} · {row[0]} · {t.headers[column]}（{value}）"
                        self.cell.addItem(label, (t.key, str(row[0]), column))
        self.add_field(self.tr("修改项"), self.cell, "cell")
        self.new_value = QLineEdit(objectName="new_value")
        self.add_field(self.tr("新数值"), self.new_value, "new_value")
        self.note = QLineEdit(objectName="change_note")
        self.note.setPlaceholderText(self.tr("修改原因，报总经理批准、客户服务部备案"))
        self.add_field(self.tr("修改说明"), self.note, "change_note")
        self.finish(stretch=False)
        fit_to_screen(self, 620, 240)

    def submit(self) -> Any:
        """File the new version through the service."""
        key, row, column = self.cell.currentData()
        return self._submit(
            table_key=key,
            row_label=row,
            column=int(column),
            new_value=self.new_value.text(),
            note=self.note.text(),
        )
