"""库房与密集架: the location tree; a node's children are read when it is expanded."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from app.domain.locations import GRID_KINDS
from app.errors import AppError
from app.services import locations as L
from ui.errors import show_error

ChildrenOf = Callable[[int | None], list[L.LocationNode]]  # None: the store rooms

_DEEPEST = 4  # room → 密集架 → 列 → 面 at most before a face or cabinet


class LocationTree(QTreeWidget):
    """Rooms at the top, shelves and faces below; faces and cabinets are its leaves."""

    def __init__(self, children_of: ChildrenOf) -> None:
        super().__init__(objectName="location_tree")
        self._children_of = children_of
        self.setHeaderLabels([self.tr("库房与密集架")])
        self.itemExpanded.connect(self._expand)

    @staticmethod
    def node_of(item: QTreeWidgetItem) -> L.LocationNode:
        """The place an item shows."""
        node: L.LocationNode = item.data(0, Qt.ItemDataRole.UserRole)
        return node

    def _item(self, node: L.LocationNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([self._node_text(node)])
        item.setData(0, Qt.ItemDataRole.UserRole, node)
        if node.has_children and node.kind not in GRID_KINDS:
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _node_text(self, node: L.LocationNode) -> str:
        text = node.label
        if node.secure:
            text += self.tr(" · 保密柜（{0}）").format(node.custodian or self.tr("无保管人"))
        return text

    def load_rooms(self) -> list[L.LocationNode] | None:
        """Show the store rooms (children load when expanded); None when refused."""
        self.clear()
        try:
            rooms = self._children_of(None)
        except AppError as exc:
            show_error(self, exc)
            return None
        for node in rooms:
            self.addTopLevelItem(self._item(node))
        return rooms

    def first_grid(self, node: L.LocationNode) -> L.LocationNode | None:
        """The first face or cabinet at or under ``node`` (None when it cannot be read)."""
        for _level in range(_DEEPEST):
            if node.kind in GRID_KINDS or not node.has_children:
                break
            try:
                children = self._children_of(node.id)
            except AppError:
                return None
            if not children:
                break
            node = children[0]
        return node

    def _expand(self, item: QTreeWidgetItem) -> None:
        if item.childCount():
            return
        try:
            children = self._children_of(self.node_of(item).id)
        except AppError as exc:
            show_error(self, exc)
            return
        for child in children:
            item.addChild(self._item(child))

    def find_item(self, path: list[int]) -> QTreeWidgetItem | None:
        """Expand the tree along ``path`` (ids from the room down); return the deepest item."""
        items = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        found: QTreeWidgetItem | None = None
        for lid in path:
            match = next((i for i in items if i is not None and self.node_of(i).id == lid), None)
            if match is None:
                break
            found = match
            if self.node_of(match).kind in GRID_KINDS:
                break
            self._expand(match)
            match.setExpanded(True)
            items = [match.child(i) for i in range(match.childCount())]
        return found

    def select_quietly(self, item: QTreeWidgetItem) -> None:
        """Make ``item`` current without emitting ``currentItemChanged``."""
        if self.currentItem() is item:
            return
        self.blockSignals(True)
        self.setCurrentItem(item)
        self.blockSignals(False)
