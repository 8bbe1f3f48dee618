"""保管交接: the secure places a custodian keeps, the receiver and a witness (R22, R26).

The hand-over produces the item-by-item list both custodians sign (printed by the page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.errors import AppError
from app.services import locations as L
from ui.dialogs.form import FormDialog
from ui.errors import message_for


class HandoverDialog(FormDialog):
    """保管交接: the places a custodian keeps, the receiver, a witness (R22, R26).

    ``places_of(user_id=)`` lists a custodian's places; ``hand_over(location_ids=,
    to_user_id=, witness=, note=)`` hands them over and returns the sheet.
    """

    def __init__(
        self,
        parent: QWidget | None,
        archivists: Sequence[tuple[int, str]],
        places_of: Callable[..., list[L.LocationNode]],
        hand_over: Callable[..., L.HandoverSheet],
    ) -> None:
        super().__init__(
            parent,
            title=self.tr("保管交接"),
            object_name="HandoverDialog",
            ok_text=self.tr("交接并生成清单"),
        )
        self._places_of = places_of
        self._hand_over = hand_over
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
            self.add_field(label, widget, field)
        self.finish()
        self.giver.currentIndexChanged.connect(self._load_places)
        self._load_places()

    def _load_places(self, *_a: object) -> None:
        self.places.clear()
        uid = self.giver.currentData()
        if uid is None:
            return
        try:
            nodes = self._places_of(user_id=uid)
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

    def submit(self) -> Any:
        """Hand the ticked places over; returns the hand-over sheet."""
        return self._hand_over(
            location_ids=self.chosen_places(),
            to_user_id=self.receiver.currentData(),
            witness=self.witness.text(),
            note=self.note.text(),
        )
