"""批量新建位置: ranges typed as "1-12", a preview first, then all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.errors import AppError, ValidationFailed
from app.services import locations as L
from ui.dialogs.form import FormDialog
from ui.errors import show_error
from ui.geometry import fit_to_screen


class BatchCreateDialog(FormDialog):
    """批量新建位置: ranges typed as "1-12", a preview, then all or nothing."""

    def __init__(
        self,
        parent: QWidget | None,
        archivists: Sequence[tuple[int, str]],
        preview: Callable[[L.BatchSpec], L.BatchPlan],
        create: Callable[[L.BatchSpec], int],
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("批量新建存放位置"),
            object_name="BatchCreateDialog",
            ok_text=self.tr("创建"),
        )
        self._preview_fn = preview
        self._create_fn = create
        kind_row = QHBoxLayout()
        self.shelf_radio = QRadioButton(self.tr("密集架"), objectName="unit_shelf")
        self.cabinet_radio = QRadioButton(
            self.tr("柜（保险柜、涉密专柜、档案柜）"), objectName="unit_cabinet"
        )
        self.shelf_radio.setChecked(True)
        kind_row.addWidget(self.shelf_radio)
        kind_row.addWidget(self.cabinet_radio)
        kind_row.addStretch(1)
        self.layout_.insertLayout(0, kind_row)  # above the fields
        self.room = QLineEdit("K1", objectName="room")
        self.room_name = QLineEdit(objectName="room_name")
        self.room_name.setPlaceholderText(self.tr("如 一号库房（已有库房可不填）"))
        self.shelf = QLineEdit("M1", objectName="shelf")
        self.columns = QLineEdit("1-12", objectName="columns")
        self.faces = QLineEdit("A/B", objectName="faces")
        self.cabinet_prefix = QLineEdit("G", objectName="cabinet_prefix")
        self.cabinets = QLineEdit("1", objectName="cabinets")
        self.sections = QLineEdit("1-5", objectName="sections")
        self.layers = QLineEdit("1-6", objectName="layers")
        self.positions = QSpinBox(objectName="positions")
        self.positions.setRange(0, 50)
        self.positions.setSpecialValueText(self.tr("不分位（档案盒直接放在层上）"))
        self.capacity = QSpinBox(objectName="capacity")
        self.capacity.setRange(1, 200)
        self.capacity.setValue(6)
        self.category = QLineEdit(objectName="category_code")
        self.category.setPlaceholderText(self.tr("留空：任何门类；如 KH 只放客户档案"))
        self.secure = QCheckBox(
            self.tr("保险柜/涉密专柜（可存放机密、绝密档案）"), objectName="secure"
        )
        self.custodian = QComboBox(objectName="custodian")
        self.custodian.addItem(self.tr("（请选择保管人）"), None)
        for uid, name in archivists:
            self.custodian.addItem(name, uid)
        self._shelf_rows: list[QWidget] = []
        self._cabinet_rows: list[QWidget] = []
        for label, widget, field, group in (
            (self.tr("库房编码"), self.room, "room", None),
            (self.tr("库房名称"), self.room_name, "room_name", None),
            (self.tr("密集架编码"), self.shelf, "shelf", "shelf"),
            (self.tr("列"), self.columns, "columns", "shelf"),
            (self.tr("面"), self.faces, "faces", "shelf"),
            (self.tr("柜编码前缀"), self.cabinet_prefix, "cabinet_prefix", "cabinet"),
            (self.tr("柜号"), self.cabinets, "cabinets", "cabinet"),
            (self.tr("节"), self.sections, "sections", None),
            (self.tr("层（1 为最上层）"), self.layers, "layers", None),
            (self.tr("每层位数"), self.positions, "positions", None),
            (self.tr("容量（盒/层或盒/位）"), self.capacity, "capacity", None),
            (self.tr("门类"), self.category, "category_code", None),
            ("", self.secure, "secure", None),
            (self.tr("保管人"), self.custodian, "custodian", None),
        ):
            self.add_field(label, widget, field)
            if group == "shelf":
                self._shelf_rows.append(widget)
            elif group == "cabinet":
                self._cabinet_rows.append(widget)
        self.preview_button = QPushButton(self.tr("预览"), objectName="preview")
        self.preview_button.setAutoDefault(False)
        self.preview_button.clicked.connect(self.show_preview)
        self.layout_.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.preview_text = QPlainTextEdit(objectName="preview_text")
        self.preview_text.setReadOnly(True)
        self.preview_text.setFixedHeight(120)
        self.add_widget(self.preview_text)
        self.finish()
        self.shelf_radio.toggled.connect(self._unit_changed)
        self.secure.toggled.connect(self._unit_changed)
        self._unit_changed()
        fit_to_screen(self, 560, 720)

    def _unit_changed(self, *_a: object) -> None:
        shelf = self.shelf_radio.isChecked()
        for widget in self._shelf_rows:
            widget.setEnabled(shelf)
        for widget in self._cabinet_rows:
            widget.setEnabled(not shelf)
        self.custodian.setEnabled(self.secure.isChecked())

    def spec(self) -> L.BatchSpec:
        """What is typed."""
        return L.BatchSpec(
            room=self.room.text(),
            room_name=self.room_name.text(),
            unit="shelf" if self.shelf_radio.isChecked() else "cabinet",
            shelf=self.shelf.text(),
            cabinets=self.cabinets.text(),
            cabinet_prefix=self.cabinet_prefix.text(),
            columns=self.columns.text(),
            faces=self.faces.text(),
            sections=self.sections.text(),
            layers=self.layers.text(),
            positions=self.positions.value(),
            capacity=self.capacity.value(),
            secure=self.secure.isChecked(),
            custodian_id=self.custodian.currentData() if self.secure.isChecked() else None,
            category_code=self.category.text(),
        )

    def show_preview(self) -> L.BatchPlan | None:
        """Show what would be created (nothing is written)."""
        self.errors.clear()
        self.general.clear()
        try:
            plan = self._preview_fn(self.spec())
        except ValidationFailed as exc:
            self.show_validation(exc)
            self.preview_text.clear()
            return None
        except AppError as exc:
            show_error(self, exc)
            return None
        lines = [
            self.tr("将新建 {0} 个位置：{1}").format(
                len(plan.new), "、".join(f"{k} {v}" for k, v in plan.counts.items())
            ),
            self.tr("可放档案盒的位置 {0} 个，共可容纳 {1} 盒").format(
                plan.slots, plan.total_capacity
            ),
        ]
        if plan.new:
            lines.append(self.tr("编码从 {0} 到 {1}").format(plan.new[0].code, plan.new[-1].code))
        if plan.reused:
            lines.append(self.tr("沿用已有：{0}").format("、".join(plan.reused[:6])))
        if plan.conflicts:
            lines.append(
                self.tr("以下编码已被占用，不能创建：{0}").format("、".join(plan.conflicts[:8]))
            )
        self.preview_text.setPlainText("\n".join(lines))
        return plan

    def submit(self) -> Any:
        """Create every place of the batch; returns how many were created."""
        return self._create_fn(self.spec())
