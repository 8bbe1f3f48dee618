"""编码规则与排架顺序: code patterns of shelves and cabinets, the shelving order (R20, R21)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from app.domain.locations import ORDER_LABELS, check_code_pattern, code_for
from app.services import locations as L
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen

_SHELF_EXAMPLE = {
    "room": "K1",
    "shelf": "M1",
    "column": "3",
    "face": "A",
    "section": "2",
    "layer": "4",
    "position": "1",
}
_CABINET_EXAMPLE = {"room": "K1", "cabinet": "G1", "section": "1", "layer": "2", "position": "1"}


class LocationSettingsDialog(FormDialog):
    """编码规则与排架顺序: code patterns of shelves and cabinets, the shelving order (R20, R21)."""

    def __init__(
        self,
        parent: QWidget | None,
        current: L.LocationSettings,
        save: Callable[[str, str, str], None],
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("位置编码规则与排架顺序"),
            object_name="LocationSettingsDialog",
        )
        self._save_fn = save
        self.add_intro(
            self.tr(
                "编码由各级的段组成：{room} 库房、{shelf} 密集架（可省略）、"
                "{column:2} 列（补足 2 位）、{face} 面、{cabinet} 柜、{section} 节、"
                "{layer} 层、{position} 位；其余字符为分隔符。"
                "只影响今后新建的位置，已有编码不变。"
            )
        )
        self.shelf_pattern = QLineEdit(current.shelf_pattern, objectName="shelf_pattern")
        self.cabinet_pattern = QLineEdit(current.cabinet_pattern, objectName="cabinet_pattern")
        self.order = QComboBox(objectName="order")
        for order, text in ORDER_LABELS.items():
            self.order.addItem(self.tr(text), order.value)
        self.order.setCurrentIndex(max(self.order.findData(current.order.value), 0))
        self.example = QLabel(objectName="example")
        for label, widget, field in (
            (self.tr("密集架编码"), self.shelf_pattern, "shelf_pattern"),
            (self.tr("柜编码"), self.cabinet_pattern, "cabinet_pattern"),
            (self.tr("排架顺序"), self.order, "order"),
            (self.tr("示例"), self.example, "example"),
        ):
            self.add_field(label, widget, field)
        self.finish()
        self.shelf_pattern.textChanged.connect(self._show_example)
        self.cabinet_pattern.textChanged.connect(self._show_example)
        self._show_example()
        fit_to_screen(self, 620, 320)

    def _show_example(self, *_a: object) -> None:
        parts = []
        if not check_code_pattern(self.shelf_pattern.text(), cabinet=False, field="x"):
            parts.append(
                self.tr("第3列A面第2节第4层：{0}").format(
                    code_for(self.shelf_pattern.text(), _SHELF_EXAMPLE, "layer")
                )
            )
        if not check_code_pattern(self.cabinet_pattern.text(), cabinet=True, field="x"):
            parts.append(
                self.tr("保险柜G1第2层：{0}").format(
                    code_for(self.cabinet_pattern.text(), _CABINET_EXAMPLE, "layer")
                )
            )
        self.example.setText("　".join(parts) or self.tr("（规则不完整）"))

    def submit(self) -> Any:
        """Save the patterns and the order."""
        self._save_fn(
            self.shelf_pattern.text(), self.cabinet_pattern.text(), str(self.order.currentData())
        )
        return True
