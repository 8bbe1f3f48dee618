"""The read side of the 库位 page: which place is shown, and showing it (tree, map, lists).

:class:`PlaceView` keeps the page's state and the widgets :class:`LocationsPage` builds; the
scanning, action and printing parts of the page (:mod:`.move_mode`, :mod:`.actions`,
:mod:`.printing`) build on it.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.domain.locations import GRID_KINDS, KIND_LABELS, LocationKind
from app.domain.roles import Role
from app.errors import AppError
from app.services import locations as L
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.label_sheet import SheetMemory
from ui.errors import REFUSED, UseCases, show_error
from ui.pages.locations.boxes import BoxTable
from ui.pages.locations.history import MoveHistoryPanel
from ui.pages.locations.shelf_map import ShelfMapWidget
from ui.pages.locations.tree import LocationTree

ERROR_STYLE = "color: #b00020;"


class PlaceView(UseCases, QWidget):
    """The selected place (a tree node, its face or cabinet, a cell) and what shows it."""

    # built by LocationsPage._build_ui
    scan: QLineEdit
    move_mode: QCheckBox
    status: QLabel
    node_label: QLabel
    tree: LocationTree
    map: ShelfMapWidget
    tabs: QTabWidget
    boxes: BoxTable
    history: MoveHistoryPanel
    edit_button: QPushButton
    place_button: QPushButton
    bulk_button: QPushButton
    shelf_list_button: QPushButton
    must_move_button: QPushButton
    action_box_labels: QAction
    action_place_labels: QAction

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LocationsPage")
        self._context = context
        self._session = session
        self._writer = session.actor.has(Role.ARCHIVIST)
        self._node: L.LocationNode | None = None
        self._grid_id: int | None = None
        self._cell_id: int | None = None
        self._pending: L.ScanTarget | None = None
        self._must_move: list[L.MustMoveRow] = []
        self._label_memory = SheetMemory()

    # -- small helpers ---------------------------------------------------------------------------
    def _children_of(self, parent_id: int | None) -> list[L.LocationNode]:
        return L.list_child_locations(
            session=self._session, parent_id=parent_id, clock=self._context.clock
        )

    def _moves_of(self, location_id: int) -> list[L.MoveRow]:
        return L.location_history(
            session=self._session, location_id=location_id, clock=self._context.clock
        )

    def _target_id(self) -> int | None:
        """The map cell chosen, else the place shown (what labels and lists are printed for)."""
        return self._cell_id or (self._node.id if self._node is not None else None)

    def _scan_failed(self, message: str) -> None:
        self.status.setText(message)
        self.status.setStyleSheet(ERROR_STYLE)

    # -- tree ------------------------------------------------------------------------------------
    def reload_tree(self) -> None:
        """Load the store rooms (children load when expanded)."""
        rooms = self.tree.load_rooms()
        if rooms is None:
            return
        if not rooms:
            self.node_label.setText(
                self.tr("还没有存放位置。请用“批量新建位置”建立库房、密集架或保险柜。")
            )
        self._refresh_must_move()
        if rooms and self._node is None:
            # on opening, show the first face or cabinet, so the map is never an empty pane
            first = self.tree.first_grid(rooms[0])
            if first is not None:
                self.show_location(first.id)

    def _tree_selected(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            return
        self.show_location(LocationTree.node_of(current).id)

    # -- showing a place -------------------------------------------------------------------------
    def show_location(self, location_id: int, *, select_box: int | None = None) -> None:
        """Show a place: its map when it is (or lies in) a face or cabinet, and its boxes."""
        clock = self._context.clock
        try:
            node = L.get_location(session=self._session, location_id=location_id, clock=clock)
            path = L.location_path(session=self._session, location_id=location_id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self._node = node
        grid_id = next((lid for lid, kind in path if kind in GRID_KINDS), None)
        item = self.tree.find_item([lid for lid, _kind in path])
        if item is not None:
            self.tree.select_quietly(item)
        self._grid_id = grid_id
        self._load_map()
        cell = location_id if node.kind in (LocationKind.LAYER, LocationKind.POSITION) else None
        if node.kind is LocationKind.POSITION and node.parent_id is not None:
            cell = node.parent_id
        self._cell_id = cell
        self.map.select(cell)
        self._load_lists(location_id, select_box)
        self.node_label.setText(self._describe(node))
        self._update_buttons()

    def _describe(self, node: L.LocationNode) -> str:
        parts = [f"{KIND_LABELS[node.kind]} {node.label}"]
        if node.capacity:
            parts.append(self.tr("容量 {0} 盒").format(node.capacity))
        if node.secure_effective:
            keeper = node.custodian or (self.map.shelf_map.custodian if self.map.shelf_map else "")
            parts.append(self.tr("保密柜，保管人：{0}").format(keeper or self.tr("未指定")))
        if node.category_code:
            parts.append(self.tr("门类 {0}").format(node.category_code))
        if self.map.shelf_map is not None:
            used, capacity = self.map.shelf_map.totals
            parts.append(self.tr("本面/本柜已放 {0}/{1} 盒").format(used, capacity))
        return "　".join(parts)

    def _load_map(self) -> None:
        if self._grid_id is None:
            self.map.show_map(None)
            return
        shelf_map = self.attempt(L.get_shelf_map, grid_id=self._grid_id)
        if shelf_map is REFUSED:
            return
        self.map.show_map(shelf_map)

    def _load_lists(self, location_id: int, select_box: int | None = None) -> None:
        boxes = self.attempt(L.list_boxes_at, location_id=location_id)
        if boxes is REFUSED:
            return
        self.boxes.set_rows(boxes)
        if select_box is not None:
            for n, row in enumerate(boxes):
                if row.id == select_box:
                    self.boxes.selectRow(n)
        self.history.show_for(location_id)
        self._load_history()

    def _load_history(self, *_a: object) -> None:
        """The 移动记录 tab: read when it is shown (a face's history can be long)."""
        if self.tabs.currentWidget() is self.history:
            self.history.load()

    def select_cell(self, location_id: int) -> None:
        """A map cell was clicked: list its boxes and moves."""
        self._cell_id = location_id
        self.map.select(location_id)
        self._load_lists(location_id)
        self._update_buttons()

    def _show_box_alone(self, box: L.BoxRow) -> None:
        """List only ``box`` (new or not on a shelf yet), selected."""
        self.boxes.set_rows([box])
        self.boxes.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        node = self._node
        self.edit_button.setEnabled(node is not None)
        self.shelf_list_button.setEnabled(node is not None)
        self.action_place_labels.setEnabled(node is not None)
        self.action_box_labels.setEnabled(bool(self.boxes.rows))
        self.place_button.setEnabled(bool(self.boxes.rows))
        self.bulk_button.setEnabled(bool(self.boxes.rows))

    def _refresh_must_move(self) -> None:
        try:
            rows = L.list_must_move(session=self._session, clock=self._context.clock)
        except AppError:
            rows = []
        self._must_move = rows
        self.must_move_button.setText(self.tr("须移入保密柜（{0}）").format(len(rows)))
        self.must_move_button.setStyleSheet(f"{ERROR_STYLE} font-weight: bold;" if rows else "")

    def refresh(self) -> None:
        """Reload what is shown after a change."""
        self._refresh_must_move()
        self._load_map()
        self.map.select(self._cell_id)
        target = self._target_id()
        if target is not None:
            self._load_lists(target)
        if self._node is not None:
            self.node_label.setText(self._describe(self._node))
        self._update_buttons()
