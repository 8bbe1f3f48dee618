"""A place's settings and a new archive box: two small forms of the 库位 area."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from app.domain.catalogue import RETENTION_LABELS, Retention
from app.services import locations as L
from ui.dialogs.form import FormDialog


class LocationEditDialog(FormDialog):
    """A place's name, capacity, 门类, secure flag and custodian."""

    def __init__(
        self,
        parent: QWidget | None,
        node: L.LocationNode,
        archivists: Sequence[tuple[int, str]],
        save: Callable[[L.LocationEdit], None],
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("存放位置 {0}").format(node.code),
            object_name="LocationEditDialog",
        )
        self._node = node
        self._save_fn = save
        self.name = QLineEdit(node.name, objectName="name")
        self.capacity = QSpinBox(objectName="capacity")
        self.capacity.setRange(1, 200)
        self.capacity.setValue(node.capacity or 1)
        self.capacity.setEnabled(node.capacity is not None)
        self.category = QLineEdit(node.category_code, objectName="category_code")
        self.secure = QCheckBox(self.tr("保险柜/涉密专柜"), objectName="secure")
        self.secure.setChecked(node.secure)
        self.custodian = QComboBox(objectName="custodian")
        self.custodian.addItem(self.tr("（无）"), None)
        for uid, text in archivists:
            self.custodian.addItem(text, uid)
        index = self.custodian.findData(node.custodian_id)
        self.custodian.setCurrentIndex(max(index, 0))
        self.note = QLineEdit(node.note, objectName="note")
        for label, widget, field in (
            (self.tr("名称"), self.name, "name"),
            (self.tr("容量（盒）"), self.capacity, "capacity"),
            (self.tr("门类"), self.category, "category_code"),
            ("", self.secure, "secure"),
            (self.tr("保管人"), self.custodian, "custodian"),
            (self.tr("说明"), self.note, "note"),
        ):
            self.add_field(label, widget, field)
        if node.custodian_id is not None:
            self.add_note(self.tr("更换保管人请使用“保管交接”，以生成双方签字的逐件交接清单。"))
        self.finish()

    def submit(self) -> Any:
        """Save the place's settings."""
        node = self._node
        self._save_fn(
            L.LocationEdit(
                location_id=node.id,
                version=node.version,
                name=self.name.text(),
                capacity=self.capacity.value() if node.capacity is not None else None,
                secure=self.secure.isChecked(),
                custodian_id=self.custodian.currentData(),
                category_code=self.category.text(),
                note=self.note.text(),
            )
        )
        return True


class BoxDialog(FormDialog):
    """新建档案盒: 门类, year, retention, capacity."""

    def __init__(self, parent: QWidget | None, create: Callable[[L.BoxDraft], L.BoxRow]) -> None:
        super().__init__(parent, title=self.tr("新建档案盒"), object_name="BoxDialog")
        self._create_fn = create
        self.category = QLineEdit("KH", objectName="category_code")
        self.year = QSpinBox(objectName="year")
        self.year.setRange(0, 2200)
        self.year.setSpecialValueText(self.tr("（不限）"))
        self.retention = QComboBox(objectName="retention")
        self.retention.addItem(self.tr("（不限）"), None)
        for r in Retention:
            self.retention.addItem(RETENTION_LABELS[r], r.value)
        self.capacity = QSpinBox(objectName="capacity")
        self.capacity.setRange(1, 100)
        self.capacity.setValue(10)
        self.note = QLineEdit(objectName="note")
        for label, widget, field in (
            (self.tr("门类"), self.category, "category_code"),
            (self.tr("年度"), self.year, "year"),
            (self.tr("保管期限"), self.retention, "retention"),
            (self.tr("容量（卷）"), self.capacity, "capacity"),
            (self.tr("说明"), self.note, "note"),
        ):
            self.add_field(label, widget, field)
        self.finish()

    def submit(self) -> Any:
        """Create the box; returns its row."""
        return self._create_fn(
            L.BoxDraft(
                category_code=self.category.text(),
                year=self.year.value() or None,
                retention=self.retention.currentData(),
                capacity=self.capacity.value(),
                note=self.note.text(),
            )
        )
