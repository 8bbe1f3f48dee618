"""新建/编辑标签纸: a label stock's name and geometry in millimetres."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from app.domain.label_stock import LabelStock
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen

_NUMBER_FIELDS = (
    ("page_width", "纸宽"),
    ("page_height", "纸高"),
    ("label_width", "标签宽"),
    ("label_height", "标签高"),
    ("top_margin", "上边距"),
    ("left_margin", "左边距"),
    ("gap_x", "列间距"),
    ("gap_y", "行间距"),
    ("corner_radius", "圆角半径"),
)


class LabelStockDialog(FormDialog):
    """新建/编辑标签纸: name and geometry in millimetres; messages next to each field."""

    def __init__(self, parent: QWidget | None, stock: LabelStock, save: Callable[..., LabelStock]):
        super().__init__(
            parent,
            title=self.tr("编辑标签纸") if stock.key else self.tr("新建标签纸"),
            object_name="LabelStockDialog",
        )
        self._key = stock.key
        self._save_fn = save
        self.saved: LabelStock | None = None
        self.name_edit = QLineEdit(stock.name, objectName="stock_name")
        self.add_field(self.tr("名称"), self.name_edit, "stock_name")
        self.numbers: dict[str, QDoubleSpinBox] = {}
        grid_fields: list[tuple[str, str, QWidget]] = []
        for field, label in _NUMBER_FIELDS:
            box = QDoubleSpinBox(objectName=f"stock_{field}")
            box.setDecimals(2)
            box.setRange(-1000.0, 2000.0)  # the domain checks the real limits and says why
            box.setSingleStep(0.5)
            box.setSuffix(" mm")
            box.setValue(float(getattr(stock, field)))
            self.numbers[field] = box
            grid_fields.append((field, label, box))
        self.rows = QSpinBox(objectName="stock_rows")
        self.columns = QSpinBox(objectName="stock_columns")
        for box, value in ((self.rows, stock.rows), (self.columns, stock.columns)):
            box.setRange(0, 99)
            box.setValue(value)
        order = [
            ("page_width", self.tr("纸宽"), self.numbers["page_width"]),
            ("page_height", self.tr("纸高"), self.numbers["page_height"]),
            ("columns", self.tr("列数"), self.columns),
            ("rows", self.tr("行数"), self.rows),
        ] + [(f, self.tr(label), box) for f, label, box in grid_fields[2:]]
        for field, label, widget in order:
            self.add_field(label, widget, f"stock_{field}")
        self.cut_lines = QCheckBox(self.tr("打印裁切框（普通纸或整张不干胶，打印后裁开）"))
        self.cut_lines.setObjectName("stock_cut_lines")
        self.cut_lines.setChecked(stock.cut_lines)
        self.add_field("", self.cut_lines, "stock_cut_lines")
        hint = self.add_note(
            self.tr(
                "尺寸以毫米计，按标签纸包装或说明书上的数据填写；位置从纸的左上角量起。"
                "保存后可打印校准页核对。"
            )
        )
        hint.setStyleSheet("color: #555;")
        self.finish()
        fit_to_screen(self, 460, 620)

    def stock(self) -> LabelStock:
        """The stock as typed."""
        values = {field: round(box.value(), 2) for field, box in self.numbers.items()}
        return LabelStock(
            key=self._key,
            name=self.name_edit.text(),
            rows=self.rows.value(),
            columns=self.columns.value(),
            cut_lines=self.cut_lines.isChecked(),
            **values,
        )

    def submit(self) -> Any:
        """Save the stock through the service; it is kept in ``saved``."""
        self.saved = self._save_fn(self.stock())
        return self.saved
