"""Dialogs of the 库位 area: batch creation, place details, boxes, bulk moves, hand-over.

Batch creation shows a preview first, bulk moves a row-by-row preview, and the custody
hand-over produces the item-by-item list both sign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalogue import RETENTION_LABELS, Retention
from app.domain.locations import ORDER_LABELS, check_code_pattern, code_for
from app.errors import AppError, ValidationFailed
from app.services import locations as L
from ui.dialogs.catalogue_forms import _row, _SaveDialog
from ui.errors import FieldErrors, message_for, show_error

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


class BatchCreateDialog(_SaveDialog):
    """批量新建位置: ranges typed as "1-12", a preview, then all or nothing."""

    def __init__(
        self,
        parent: QWidget | None,
        archivists: Sequence[tuple[int, str]],
        preview: Callable[[L.BatchSpec], L.BatchPlan],
        create: Callable[[L.BatchSpec], int],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BatchCreateDialog")
        self.setWindowTitle(self.tr("批量新建存放位置"))
        self._preview_fn = preview
        self._create_fn = create
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        kind_row = QHBoxLayout()
        self.shelf_radio = QRadioButton(self.tr("密集架"), objectName="unit_shelf")
        self.cabinet_radio = QRadioButton(
            self.tr("柜（保险柜、涉密专柜、档案柜）"), objectName="unit_cabinet"
        )
        self.shelf_radio.setChecked(True)
        kind_row.addWidget(self.shelf_radio)
        kind_row.addWidget(self.cabinet_radio)
        kind_row.addStretch(1)
        layout.addLayout(kind_row)
        form = QFormLayout()
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
            _row(form, self.errors, label, widget, field)
            if group == "shelf":
                self._shelf_rows.append(widget)
            elif group == "cabinet":
                self._cabinet_rows.append(widget)
        self._form = form
        layout.addLayout(form)
        self.preview_button = QPushButton(self.tr("预览"), objectName="preview")
        self.preview_button.clicked.connect(self.show_preview)
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.preview_text = QPlainTextEdit(objectName="preview_text")
        self.preview_text.setReadOnly(True)
        self.preview_text.setFixedHeight(120)
        layout.addWidget(self.preview_text)
        self._finish(layout)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("创建"))
        self.shelf_radio.toggled.connect(self._unit_changed)
        self.secure.toggled.connect(self._unit_changed)
        self._unit_changed()
        self.resize(560, 720)

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
            self.general.setText("\n".join(self.errors.show(exc)))
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

    def _submit(self) -> Any:
        return self._create_fn(self.spec())


class LocationEditDialog(_SaveDialog):
    """A place's name, capacity, 门类, secure flag and custodian."""

    def __init__(
        self,
        parent: QWidget | None,
        node: L.LocationNode,
        archivists: Sequence[tuple[int, str]],
        save: Callable[[L.LocationEdit], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LocationEditDialog")
        self.setWindowTitle(self.tr("存放位置 {0}").format(node.code))
        self._node = node
        self._save_fn = save
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        form = QFormLayout()
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
            _row(form, self.errors, label, widget, field)
        layout.addLayout(form)
        if node.custodian_id is not None:
            hint = QLabel(self.tr("更换保管人请使用“保管交接”，以生成双方签字的逐件交接清单。"))
            hint.setWordWrap(True)
            layout.addWidget(hint)
        self._finish(layout)

    def _submit(self) -> Any:
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


class BoxDialog(_SaveDialog):
    """新建档案盒: 门类, year, retention, capacity."""

    def __init__(self, parent: QWidget | None, create: Callable[[L.BoxDraft], L.BoxRow]) -> None:
        super().__init__(parent)
        self.setObjectName("BoxDialog")
        self.setWindowTitle(self.tr("新建档案盒"))
        self._create_fn = create
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        form = QFormLayout()
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
            _row(form, self.errors, label, widget, field)
        layout.addLayout(form)
        self._finish(layout)

    def _submit(self) -> Any:
        return self._create_fn(
            L.BoxDraft(
                category_code=self.category.text(),
                year=self.year.value() or None,
                retention=self.retention.currentData(),
                capacity=self.capacity.value(),
                note=self.note.text(),
            )
        )


class BulkMoveDialog(QDialog):
    """The preview of a bulk move; "全部移动" only when every row can be applied (R23)."""

    def __init__(self, parent: QWidget | None, preview: L.BulkPreview, title: str) -> None:
        super().__init__(parent)
        self.setObjectName("BulkMoveDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
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
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget(len(preview.rows), 4, objectName="bulk_rows")
        self.table.setHorizontalHeaderLabels(
            [self.tr("对象"), self.tr("原位置"), self.tr("目标"), self.tr("问题")]
        )
        for n, row in enumerate(preview.rows):
            values = [
                row.label,
                row.from_code or self.tr("（未上架）"),
                row.to_code,
                problem_text(row.problem, row.params) if row.problem else self.tr("可以"),
            ]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if row.problem:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(n, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
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
        self.resize(720, 420)


class _ListDialog(QDialog):
    """A read-only list under a line of text, with a 关闭 button."""

    def _build(
        self, intro: QLabel, name: str, headers: Sequence[str], rows: Sequence[Sequence[str]]
    ) -> None:
        layout = QVBoxLayout(self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(rows), len(headers), objectName=name)
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in headers])
        for n, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(n, c, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)


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
        self._build(
            QLabel(text),
            "must_move_rows",
            ("档号", "密级", "档案盒", "现存放位置"),
            [(r.reference_code, r.secrecy_label, r.box_code, r.location_code) for r in rows],
        )
        self.resize(640, 360)


class HandoverDialog(_SaveDialog):
    """保管交接: the places a custodian keeps, the receiver, a witness (R22, R26)."""

    def __init__(
        self,
        parent: QWidget | None,
        archivists: Sequence[tuple[int, str]],
        places_of: Callable[[int], list[L.LocationNode]],
        hand_over: Callable[[list[int], int, str, str], L.HandoverSheet],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("HandoverDialog")
        self.setWindowTitle(self.tr("保管交接"))
        self._places_of = places_of
        self._hand_over = hand_over
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.giver = QComboBox(objectName="giver")
        self.receiver = QComboBox(objectName="receiver")
        for uid, text in archivists:
            self.giver.addItem(text, uid)
            self.receiver.addItem(text, uid)
        self.places = QListWidget(objectName="places")
        self.places.setFixedHeight(140)
        self.witness = QLineEdit(objectName="witness")
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("如 岗位调整、离职、休假"))
        for label, widget, field in (
            (self.tr("移交人（现保管人）"), self.giver, "giver"),
            (self.tr("交接位置"), self.places, "places"),
            (self.tr("接收人"), self.receiver, "custodian"),
            (self.tr("监交人"), self.witness, "witness"),
            (self.tr("说明"), self.note, "note"),
        ):
            _row(form, self.errors, label, widget, field)
        layout.addLayout(form)
        self._finish(layout)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("交接并生成清单"))
        self.giver.currentIndexChanged.connect(self._load_places)
        self._load_places()

    def _load_places(self, *_a: object) -> None:
        self.places.clear()
        uid = self.giver.currentData()
        if uid is None:
            return
        try:
            nodes = self._places_of(uid)
        except AppError as exc:
            self.general.setText(message_for(exc))
            return
        for node in nodes:
            item = QListWidgetItem(node.label, self.places)
            item.setData(Qt.ItemDataRole.UserRole, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        if not nodes:
            QListWidgetItem(self.tr("（此人没有保管的保密柜）"), self.places).setFlags(
                Qt.ItemFlag.NoItemFlags
            )

    def chosen_places(self) -> list[int]:
        """Ids of the ticked places."""
        out = []
        for n in range(self.places.count()):
            item = self.places.item(n)
            if item.checkState() == Qt.CheckState.Checked and item.data(Qt.ItemDataRole.UserRole):
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _submit(self) -> Any:
        return self._hand_over(
            self.chosen_places(), self.receiver.currentData(), self.witness.text(), self.note.text()
        )


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
        self._build(
            self.where,
            "volume_moves",
            ("时间", "从", "到", "原因", "经办人", "说明"),
            [
                (
                    m.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    m.from_code,
                    m.to_code,
                    m.reason,
                    m.actor,
                    m.note,
                )
                for m in moves
            ],
        )
        self.resize(720, 360)


class LocationSettingsDialog(_SaveDialog):
    """编码规则与排架顺序: code patterns of shelves and cabinets, the shelving order (R20, R21)."""

    def __init__(
        self,
        parent: QWidget | None,
        current: L.LocationSettings,
        save: Callable[[str, str, str], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LocationSettingsDialog")
        self.setWindowTitle(self.tr("位置编码规则与排架顺序"))
        self._save_fn = save
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "编码由各级的段组成：{room} 库房、{shelf} 密集架（可省略）、"
                "{column:2} 列（补足 2 位）、{face} 面、{cabinet} 柜、{section} 节、"
                "{layer} 层、{position} 位；其余字符为分隔符。"
                "只影响今后新建的位置，已有编码不变。"
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
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
            _row(form, self.errors, label, widget, field)
        layout.addLayout(form)
        self._finish(layout)
        self.shelf_pattern.textChanged.connect(self._show_example)
        self.cabinet_pattern.textChanged.connect(self._show_example)
        self._show_example()
        self.resize(620, 320)

    def _show_example(self, *_a: object) -> None:
        shelf = {
            "room": "K1",
            "shelf": "M1",
            "column": "3",
            "face": "A",
            "section": "2",
            "layer": "4",
            "position": "1",
        }
        cabinet = {"room": "K1", "cabinet": "G1", "section": "1", "layer": "2", "position": "1"}
        parts = []
        if not check_code_pattern(self.shelf_pattern.text(), cabinet=False, field="x"):
            parts.append(
                self.tr("第3列A面第2节第4层：{0}").format(
                    code_for(self.shelf_pattern.text(), shelf, "layer")
                )
            )
        if not check_code_pattern(self.cabinet_pattern.text(), cabinet=True, field="x"):
            parts.append(
                self.tr("保险柜G1第2层：{0}").format(
                    code_for(self.cabinet_pattern.text(), cabinet, "layer")
                )
            )
        self.example.setText("　".join(parts) or self.tr("（规则不完整）"))

    def _submit(self) -> Any:
        self._save_fn(
            self.shelf_pattern.text(), self.cabinet_pattern.text(), str(self.order.currentData())
        )
        return True
