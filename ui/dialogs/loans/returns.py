"""归还: the counts expected from the 卷内目录, confirmed face to face with the borrower (R33).

The counts start at what the 卷内目录 expects; the operator changes them only for a shortfall.
The button (or Ctrl+Enter) is the confirmation: "已当面点清，归还注销" — so a return is two
actions, the scan and the confirmation (issue 21).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.domain.loans import CONDITION_LABELS, Condition
from app.services.loans import ReturnCheck, ReturnCount
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen


class ReturnDialog(FormDialog):
    """归还: the expected counts from the 卷内目录; the operator confirms the face-to-face count."""

    def __init__(
        self,
        parent: QWidget | None,
        check: ReturnCheck,
        submit: Callable[[ReturnDialog], Any],
    ) -> None:
        super().__init__(
            parent,
            title="归还",
            object_name="ReturnDialog",
            ok_text="已当面点清，归还注销 (Ctrl+Enter)",
        )
        self.setWindowTitle(self.tr("归还 — {0}").format(check.number))
        self._submit = submit
        late = self.tr("　已逾期 {0} 天").format(check.overdue_days) if check.overdue_days else ""
        self.add_intro(
            self.tr("{0}　{1}{2}\n利用者：{3}　{4}　借出 {5}　应还 {6}{7}").format(
                check.reference_code,
                check.title,
                f"（{check.secrecy}）" if check.secrecy else "",
                check.borrower,
                check.kind_label,
                check.issued_on.isoformat(),
                check.due_on.isoformat(),
                late,
            ),
            "return_info",
        )
        expected = QGroupBox(self.tr("应有（按卷内目录）"))
        box = QHBoxLayout(expected)
        self.expected_label = QLabel(
            self.tr("{0} 件，{1} 页").format(check.expected_items, check.expected_pages),
            objectName="expected",
        )
        self.expected_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        box.addWidget(self.expected_label)
        self.layout_.insertWidget(1, expected)
        self.counted_items = QSpinBox(objectName="counted_items")
        self.counted_items.setRange(0, 9_999)
        self.counted_items.setValue(check.expected_items)
        self.counted_pages = QSpinBox(objectName="counted_pages")
        self.counted_pages.setRange(0, 99_999)
        self.counted_pages.setValue(check.expected_pages)
        self.condition = QComboBox(objectName="condition")
        for key, label in CONDITION_LABELS.items():
            self.condition.addItem(self.tr(label), key.value)
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("短缺或损坏时写明情况（将生成损坏/遗失报告）"))
        self.to_repair = QCheckBox(self.tr("送修（不回原位）"), objectName="to_repair")
        self.effect = QLineEdit(objectName="effect")
        self.effect.setPlaceholderText(self.tr("利用效果，如：已解决客户投诉"))
        confirm = QLabel(
            self.tr("请与利用者当面清点页数和完好情况；点清后按“已当面点清，归还注销”。"),
            objectName="counted_face_to_face",
        )
        confirm.setWordWrap(True)
        for label, widget, field in (
            (self.tr("清点件数"), self.counted_items, "counted_items"),
            (self.tr("清点页数"), self.counted_pages, "counted_pages"),
            (self.tr("完好情况"), self.condition, "condition"),
            (self.tr("情况说明"), self.note, "note"),
            (self.tr("去向"), self.to_repair, "to_repair"),
            (self.tr("利用效果"), self.effect, "effect"),
        ):
            self.add_field(label, widget, field)
        self.condition.currentIndexChanged.connect(
            lambda _i: self.to_repair.setChecked(
                self.condition.currentData() == Condition.DAMAGED.value
            )
        )
        self.add_widget(confirm)
        self.finish(stretch=False)
        fit_to_screen(self, 520, 480)

    def count(self) -> ReturnCount:
        """What was counted."""
        return ReturnCount(
            counted_pages=self.counted_pages.value(),
            counted_items=self.counted_items.value(),
            condition=str(self.condition.currentData()),
            face_to_face=True,  # the button says so: "已当面点清，归还注销"
            note=self.note.text(),
            to_repair=self.to_repair.isChecked(),
            effect=self.effect.text(),
        )

    def submit(self) -> Any:
        """Close the entry (the page's ``submit``)."""
        return self._submit(self)
