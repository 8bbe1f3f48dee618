"""库位: the location tree, the shelf map of a face or cabinet, boxes, moves and scanning.

The page shows what the location services return and calls them for every change; secure
custody (R22) and the all-or-nothing rule of bulk moves (R23) live in the services.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.locations import GRID_KINDS, KIND_LABELS, LocationKind
from app.domain.roles import Role
from app.domain.scan_codes import ScanKind
from app.errors import AppError
from app.printing.labels import LabelContent
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.locations import box_labels, location_labels
from app.services.locations import printing as location_print
from ui.context import AppContext
from ui.dialogs.label_sheet import LabelSheetDialog, SheetMemory, session_actions
from ui.dialogs.locations import (
    BatchCreateDialog,
    BoxDialog,
    BulkMoveDialog,
    HandoverDialog,
    LocationEditDialog,
    LocationSettingsDialog,
    MustMoveDialog,
)
from ui.dialogs.print_preview import show_print_preview
from ui.errors import message_for, show_error
from ui.scanner import ScanRouter

log = logging.getLogger(__name__)
BOX_MIME = "application/x-archive-room-box"
# Secrecy is shown as colour AND text (never colour alone).
LEVEL_COLOURS = {"秘密": "#f5c242", "机密": "#e8772e", "绝密": "#c62828"}
PROBLEM_LABELS = {"over_capacity": "超出容量", "must_move": "须移入保密柜"}


class MapCellWidget(QFrame):
    """One 节 × 层 cell: code, fill, secrecy (colour and word) and problems; a drop target."""

    clicked = Signal(int)
    box_dropped = Signal(int, int)  # box id, location id
    HEIGHT = 80

    def __init__(self, cell: L.MapCell) -> None:
        super().__init__(objectName=f"cell_{cell.code}")
        self.cell = cell
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setMinimumSize(110, self.HEIGHT)
        self.setMaximumWidth(240)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 3, 4, 3)
        layout.setSpacing(1)
        code = QLabel(cell.code)
        code.setStyleSheet("color: #555; font-size: 8pt;")
        self.fill_label = QLabel(self.tr("{0}/{1} 盒").format(cell.used, cell.capacity))
        self.fill_label.setObjectName("fill")
        bar = QProgressBar(objectName="fill_bar")
        bar.setRange(0, max(cell.capacity, 1))
        bar.setValue(min(cell.used, max(cell.capacity, 1)))
        bar.setTextVisible(False)
        bar.setFixedHeight(6)
        colour = "#c62828" if cell.fill > 1 else "#1e88e5"  # fill is blue: amber/red mean 密级
        bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        layout.addWidget(code)
        line = QHBoxLayout()
        line.setSpacing(4)
        line.addWidget(self.fill_label)
        line.addStretch(1)
        self.secrecy = QLabel(objectName="secrecy")
        if cell.secrecy_label:  # the word itself, on its colour (never colour alone)
            self.secrecy.setText(cell.secrecy_label)
            self.secrecy.setStyleSheet(
                f"color: white; background: {LEVEL_COLOURS[cell.secrecy_label]}; padding: 0 3px;"
            )
        line.addWidget(self.secrecy)
        layout.addLayout(line)
        layout.addWidget(bar)
        notes = [self.tr("保密柜")] if cell.secure else []
        notes += [self.tr(PROBLEM_LABELS.get(p, p)) for p in cell.problems]
        self.problems = QLabel("；".join(notes), objectName="problems")
        self.problems.setStyleSheet(
            "color: #b00020; font-weight: bold;" if cell.problems else "color: #2e7d32;"
        )
        layout.addWidget(self.problems)
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        """Outline the cell the lists below belong to."""
        border = "2px solid #1565c0" if selected else "1px solid #9e9e9e"
        background = "#fff3f3" if self.cell.problems else "#ffffff"
        self.setStyleSheet(f"MapCellWidget {{ border: {border}; background: {background}; }}")

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt's name
        """Select the cell."""
        self.clicked.emit(self.cell.location_id)
        super().mousePressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt's name
        """Accept dragged boxes."""
        if event.mimeData().hasFormat(BOX_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt's name
        """A box dropped here: move it."""
        data = event.mimeData().data(BOX_MIME)
        box_id = int(bytes(data.data()).decode() or 0)
        if box_id:
            event.acceptProposedAction()
            self.box_dropped.emit(box_id, self.cell.location_id)


class ShelfMapWidget(QWidget):
    """A face or cabinet as a grid of 节 (left to right) × 层 (top to bottom)."""

    cell_clicked = Signal(int)
    box_dropped = Signal(int, int)

    def __init__(self) -> None:
        super().__init__(objectName="shelf_map")
        self._grid = QGridLayout(self)
        self._grid.setSpacing(4)

        self.cells: dict[int, MapCellWidget] = {}
        self.shelf_map: L.ShelfMap | None = None

    def show_map(self, shelf_map: L.ShelfMap | None) -> None:
        """Replace the grid with ``shelf_map`` (None: empty)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.setParent(None)
                widget.deleteLater()
        self.cells = {}
        self.shelf_map = shelf_map
        if shelf_map is None:
            return
        for c, section in enumerate(shelf_map.sections, start=1):
            head = QLabel(self.tr("第{0}节").format(section))
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(head, 0, c)
        for n in range(self._grid.columnCount()):
            self._grid.setColumnStretch(n, 0)
        for n in range(self._grid.rowCount()):
            self._grid.setRowStretch(n, 0)
        # spare room goes right of and below the grid, not into its label column
        self._grid.setColumnStretch(len(shelf_map.sections) + 1, 1)
        self._grid.setRowStretch(len(shelf_map.layers) + 1, 1)
        # cells keep their height (a tall cabinet scrolls instead of squeezing its words)
        self.setMinimumHeight(24 + len(shelf_map.layers) * (MapCellWidget.HEIGHT + 4))
        for r, layer in enumerate(shelf_map.layers, start=1):
            self._grid.addWidget(QLabel(self.tr("第{0}层").format(layer)), r, 0)
            for c, section in enumerate(shelf_map.sections, start=1):
                cell = shelf_map.cells.get((section, layer))
                if cell is None:
                    continue
                widget = MapCellWidget(cell)
                widget.clicked.connect(self.cell_clicked)
                widget.box_dropped.connect(self.box_dropped)
                self.cells[cell.location_id] = widget
                self._grid.addWidget(widget, r, c)

    def select(self, location_id: int | None) -> None:
        """Outline one cell."""
        for lid, widget in self.cells.items():
            widget.set_selected(lid == location_id)


class BoxTable(QTableWidget):
    """Boxes of the selected place; rows can be dragged onto a map cell."""

    COLUMNS = ("盒号", "档号", "卷数", "密级", "门类", "年度", "保管期限", "位置")

    def __init__(self) -> None:
        super().__init__(0, len(self.COLUMNS), objectName="box_table")
        self.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setColumnWidth(1, 240)
        self.rows: list[L.BoxRow] = []

    def set_rows(self, rows: Sequence[L.BoxRow]) -> None:
        """Show ``rows``."""
        self.rows = list(rows)
        self.setRowCount(len(rows))
        for n, row in enumerate(rows):
            values = [
                row.code,
                row.reference_range,
                f"{row.volume_count}/{row.capacity}",
                row.secrecy_label,
                row.category_code,
                str(row.year or ""),
                row.retention,
                row.location_code or self.tr("（未上架）"),
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 3 and row.secrecy_label:
                    item.setBackground(QColor(LEVEL_COLOURS[row.secrecy_label]))
                    item.setForeground(QColor("white"))
                self.setItem(n, c, item)

    def selected_ids(self) -> list[int]:
        """Ids of the selected boxes."""
        return [self.rows[i.row()].id for i in self.selectionModel().selectedRows()]

    def startDrag(self, _actions: Qt.DropAction) -> None:  # Qt's name
        """Drag the first selected box."""
        ids = self.selected_ids()
        if not ids:
            return
        mime = QMimeData()
        mime.setData(BOX_MIME, QByteArray(str(ids[0]).encode()))
        mime.setText(self.rows[self.currentRow()].code if self.currentRow() >= 0 else "")
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setHotSpot(QPoint(0, 0))
        drag.exec(Qt.DropAction.MoveAction)


class LocationsPage(QWidget):
    """Rooms and shelves on the left; the shelf map, boxes and history of the selection."""

    open_volume = Signal(str)  # a scanned volume's 档号: shown in the 档案 area

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LocationsPage")
        self._context = context
        self._session = session
        self._writer = session.actor.has(Role.ARCHIVIST)
        self._node: L.LocationNode | None = None
        self._grid_id: int | None = None
        self._cell_id: int | None = None
        self._pending: L.ScanTarget | None = None
        self._history_for: int | None = None  # the place whose 移动记录 the tab should show
        self._history_shown: int | None = None  # the place whose 移动记录 it shows
        self._label_memory = SheetMemory()
        self.router = ScanRouter(session, context.clock, self)
        self.router.rejected.connect(self._scan_failed)
        self._build_ui()
        self.reload_tree()

    # -- construction -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.scan = QLineEdit(objectName="location_search")
        self.scan.setProperty("handles_scans", True)
        self.scan.setPlaceholderText(
            self.tr("扫描或输入位置编码、盒号、档号后回车（标签上的二维码可直接扫描）")
        )
        self.scan.returnPressed.connect(self._scan_entered)
        top.addWidget(self.scan, 1)
        self.move_mode = QCheckBox(
            self.tr("移动模式：先扫档案盒或案卷，再扫目标"), objectName="move_mode"
        )
        self.move_mode.setVisible(self._writer)
        self.move_mode.toggled.connect(self._move_mode_changed)
        top.addWidget(self.move_mode)
        layout.addLayout(top)
        bar = QHBoxLayout()
        self.batch_button = QPushButton(self.tr("批量新建位置…"), objectName="batch_create")
        self.batch_button.clicked.connect(self.batch_create)
        self.box_button = QPushButton(self.tr("新建档案盒…"), objectName="new_box")
        self.box_button.clicked.connect(self.new_box)
        self.edit_button = QPushButton(self.tr("位置设置…"), objectName="edit_location")
        self.edit_button.clicked.connect(self.edit_location)
        self.place_button = QPushButton(self.tr("上架到建议位置"), objectName="place_box")
        self.place_button.clicked.connect(self.place_selected)
        self.bulk_button = QPushButton(self.tr("批量移动到…"), objectName="bulk_move")
        self.bulk_button.clicked.connect(self.bulk_move_selected)
        self.undo_button = QPushButton(self.tr("撤销上次批量移动"), objectName="undo_bulk")
        self.undo_button.clicked.connect(self.undo_bulk)
        self.handover_button = QPushButton(self.tr("保管交接…"), objectName="handover")
        self.handover_button.clicked.connect(self.hand_over)
        self.rules_button = QPushButton(self.tr("编码规则…"), objectName="location_rules")
        self.rules_button.clicked.connect(self.edit_rules)
        for button in (
            self.batch_button,
            self.box_button,
            self.edit_button,
            self.place_button,
            self.bulk_button,
            self.undo_button,
            self.handover_button,
            self.rules_button,
        ):
            button.setVisible(self._writer)
            bar.addWidget(button)
        can_print = self._writer or self._session.actor.has(Role.APPROVER)
        self.labels_button = QPushButton(self.tr("打印标签"), objectName="print_labels")
        labels_menu = QMenu(self.labels_button)
        self.action_box_labels = labels_menu.addAction(self.tr("档案盒脊背标签（所选档案盒）…"))
        self.action_box_labels.triggered.connect(self.print_box_labels)
        self.action_place_labels = labels_menu.addAction(self.tr("位置标签（当前位置及其下各层）…"))
        self.action_place_labels.triggered.connect(self.print_place_labels)
        self.labels_button.setMenu(labels_menu)
        self.shelf_list_button = QPushButton(
            self.tr("打印排架清单…"), objectName="print_shelf_list"
        )
        self.shelf_list_button.clicked.connect(self.print_shelf_list)
        for button in (self.labels_button, self.shelf_list_button):
            button.setVisible(can_print)
            bar.addWidget(button)
        self.must_move_button = QPushButton(objectName="must_move")
        self.must_move_button.clicked.connect(self.show_must_move)
        bar.addWidget(self.must_move_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.status = QLabel(objectName="scan_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget(objectName="location_tree")
        self.tree.setHeaderLabels([self.tr("库房与密集架")])
        self.tree.itemExpanded.connect(self._expand)
        self.tree.currentItemChanged.connect(self._tree_selected)
        splitter.addWidget(self.tree)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.node_label = QLabel(objectName="node_label")
        self.node_label.setWordWrap(True)
        right_layout.addWidget(self.node_label)
        self.map = ShelfMapWidget()
        self.map.cell_clicked.connect(self.select_cell)
        self.map.box_dropped.connect(self._box_dropped)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.map)
        right_layout.addWidget(scroll, 5)
        self.tabs = QTabWidget()
        self.boxes = BoxTable()
        self.history = QTableWidget(0, 6, objectName="move_history")
        self.history.setHorizontalHeaderLabels(
            [
                self.tr("时间"),
                self.tr("对象"),
                self.tr("从"),
                self.tr("到"),
                self.tr("原因"),
                self.tr("经办人"),
            ]
        )
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.boxes, self.tr("档案盒"))
        self.tabs.addTab(self.history, self.tr("移动记录"))
        self.tabs.currentChanged.connect(self._load_history)
        right_layout.addWidget(self.tabs, 2)
        splitter.addWidget(right)
        splitter.setSizes([260, 900])
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- tree ------------------------------------------------------------------------------------
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

    def reload_tree(self) -> None:
        """Load the store rooms (children load when expanded)."""
        self.tree.clear()
        try:
            rooms = L.list_child_locations(
                session=self._session, parent_id=None, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        for node in rooms:
            self.tree.addTopLevelItem(self._item(node))
        if not rooms:
            self.node_label.setText(
                self.tr("还没有存放位置。请用“批量新建位置”建立库房、密集架或保险柜。")
            )
        self._refresh_must_move()
        if rooms and self._node is None:
            self._open_first_grid(rooms[0])

    def _open_first_grid(self, node: L.LocationNode) -> None:
        """On opening, show the first face or cabinet, so the map is never an empty pane."""
        for _level in range(4):  # room → 密集架 → 列 → 面 at most
            if node.kind in GRID_KINDS or not node.has_children:
                break
            try:
                children = L.list_child_locations(
                    session=self._session, parent_id=node.id, clock=self._context.clock
                )
            except AppError:
                return
            if not children:
                break
            node = children[0]
        self.show_location(node.id)

    def _expand(self, item: QTreeWidgetItem) -> None:
        if item.childCount():
            return
        node: L.LocationNode = item.data(0, Qt.ItemDataRole.UserRole)
        try:
            children = L.list_child_locations(
                session=self._session, parent_id=node.id, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        for child in children:
            item.addChild(self._item(child))

    def _tree_selected(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            return
        self.show_location(current.data(0, Qt.ItemDataRole.UserRole).id)

    def _find_item(self, path: list[int]) -> QTreeWidgetItem | None:
        """Expand the tree along ``path`` (ids from the room down); return the deepest item."""
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        found: QTreeWidgetItem | None = None
        for lid in path:
            match = next(
                (
                    i
                    for i in items
                    if i is not None and i.data(0, Qt.ItemDataRole.UserRole).id == lid
                ),
                None,
            )
            if match is None:
                break
            found = match
            node: L.LocationNode = match.data(0, Qt.ItemDataRole.UserRole)
            if node.kind in GRID_KINDS:
                break
            self._expand(match)
            match.setExpanded(True)
            items = [match.child(i) for i in range(match.childCount())]
        return found

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
        item = self._find_item([lid for lid, _kind in path])
        if item is not None and self.tree.currentItem() is not item:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)
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
        try:
            shelf_map = L.get_shelf_map(
                session=self._session, grid_id=self._grid_id, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.map.show_map(shelf_map)

    def _load_lists(self, location_id: int, select_box: int | None = None) -> None:
        clock = self._context.clock
        try:
            boxes = L.list_boxes_at(session=self._session, location_id=location_id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self.boxes.set_rows(boxes)
        if select_box is not None:
            for n, row in enumerate(boxes):
                if row.id == select_box:
                    self.boxes.selectRow(n)
        self._history_for = location_id
        self._history_shown = None
        if self.tabs.currentWidget() is self.history:
            self._load_history()

    def _load_history(self, *_a: object) -> None:
        """The 移动记录 tab: read when it is shown (a face's history can be long)."""
        target = self._history_for
        if target is None or self.tabs.currentWidget() is not self.history:
            return
        if self._history_shown == target:
            return
        try:
            moves = L.location_history(
                session=self._session, location_id=target, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._history_shown = target
        self._show_history(moves)

    def _show_history(self, moves: Sequence[L.MoveRow]) -> None:
        self.history.setRowCount(len(moves))
        for n, m in enumerate(moves):
            when = m.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")
            for c, value in enumerate([when, m.label, m.from_code, m.to_code, m.reason, m.actor]):
                self.history.setItem(n, c, QTableWidgetItem(value))

    def select_cell(self, location_id: int) -> None:
        """A map cell was clicked: list its boxes and moves."""
        self._cell_id = location_id
        self.map.select(location_id)
        self._load_lists(location_id)
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
        self.must_move_button.setStyleSheet("color: #b00020; font-weight: bold;" if rows else "")

    def refresh(self) -> None:
        """Reload what is shown after a change."""
        self._refresh_must_move()
        self._load_map()
        self.map.select(self._cell_id)
        target = self._cell_id or (self._node.id if self._node else None)
        if target is not None:
            self._load_lists(target)
        if self._node is not None:
            self.node_label.setText(self._describe(self._node))
        self._update_buttons()

    # -- scanning (R24) --------------------------------------------------------------------------
    def _scan_entered(self) -> None:
        text = self.scan.text()
        if not text.strip():
            return
        result = self.router.read(self.scan, text)
        if result is False:
            self.status.setText(
                self.tr("“{0}”不是扫描码：请扫描标签上的二维码，或在“档案”“客户”中检索。").format(
                    text.strip()
                )
            )
            self.scan.selectAll()
        elif isinstance(result, L.ScanTarget):
            self.handle_scan(result)

    def _scan_failed(self, message: str) -> None:
        self.status.setText(message)
        self.status.setStyleSheet("color: #b00020;")

    def handle_scan(self, target: L.ScanTarget) -> None:
        """Jump to a scanned object, or (in move mode) pick it up / put it down."""
        self.status.setStyleSheet("")
        if not self.move_mode.isChecked():
            self.jump_to(target)
            return
        pending = self._pending
        if target.kind in (ScanKind.BOX, ScanKind.VOLUME) and (
            pending is None
            or (target.kind is ScanKind.BOX and pending.kind is ScanKind.BOX)
            or (pending.kind is ScanKind.BOX and target.kind is ScanKind.VOLUME)
        ):
            self._pending = target
            self.status.setText(
                self.tr("已选择 {0}，请扫描目标位置{1}。").format(
                    target.code, self.tr("或档案盒") if target.kind is ScanKind.VOLUME else ""
                )
            )
            return
        if pending is None:
            self.status.setText(self.tr("移动模式：请先扫描要移动的档案盒或案卷。"))
            return
        clock = self._context.clock
        try:
            if pending.kind is ScanKind.BOX and target.kind is ScanKind.LOCATION:
                done = L.place_box(
                    session=self._session,
                    box_id=pending.object_id,
                    location_id=target.object_id,
                    clock=clock,
                )
            elif pending.kind is ScanKind.VOLUME and target.kind is ScanKind.BOX:
                done = L.put_volume(
                    session=self._session,
                    volume_id=pending.object_id,
                    box_id=target.object_id,
                    clock=clock,
                )
            elif pending.kind is ScanKind.VOLUME and target.kind is ScanKind.LOCATION:
                done = L.put_volume(
                    session=self._session,
                    volume_id=pending.object_id,
                    location_id=target.object_id,
                    clock=clock,
                )
            else:
                self._pending = target
                return
        except AppError as exc:
            self._scan_failed(message_for(exc))
            return
        self._pending = None
        where = done.to_code or target.code
        self.status.setText(
            self.tr("已移动：{0} → {1}（{2}）").format(done.label, where, done.reason)
        )
        if target.kind is ScanKind.LOCATION:
            self.show_location(target.object_id)
        else:
            self.refresh()

    def jump_to(self, target: L.ScanTarget) -> None:
        """Show a scanned place, box or volume."""
        clock = self._context.clock
        try:
            if target.kind is ScanKind.LOCATION:
                self.show_location(target.object_id)
                self.status.setText(self.tr("位置 {0}").format(target.code))
            elif target.kind is ScanKind.BOX:
                box = L.get_box(session=self._session, box_id=target.object_id, clock=clock)
                if box.location_id is not None:
                    self.show_location(box.location_id, select_box=box.id)
                    self.status.setText(
                        self.tr("档案盒 {0} 在 {1}").format(box.code, box.location_code)
                    )
                else:
                    self.boxes.set_rows([box])
                    self.boxes.selectRow(0)
                    self.status.setText(self.tr("档案盒 {0} 尚未上架").format(box.code))
                    self._update_buttons()
            elif target.kind is ScanKind.VOLUME:
                where = L.where_is_volume(
                    session=self._session, volume_id=target.object_id, clock=clock
                )
                state = self.tr("，已借出") if where.state == "on_loan" else ""
                if where.location_id is not None:
                    self.show_location(where.location_id, select_box=where.box_id)
                self.status.setText(
                    self.tr("案卷 {0}：{1}{2}").format(
                        where.reference_code,
                        f"{where.box_code} {where.location_code}".strip() or self.tr("尚未上架"),
                        state,
                    )
                )
        except AppError as exc:
            self._scan_failed(message_for(exc))

    def _move_mode_changed(self, on: bool) -> None:
        self._pending = None
        self.status.setStyleSheet("")
        self.status.setText(
            self.tr("移动模式：扫描档案盒（或案卷），再扫描目标位置（或档案盒）。") if on else ""
        )
        self.scan.setFocus()

    # -- actions ---------------------------------------------------------------------------------
    def _archivists(self) -> list[tuple[int, str]]:
        try:
            return L.list_archivists(session=self._session, clock=self._context.clock)
        except AppError:
            return []

    def batch_create(self) -> None:
        """批量新建位置 with a preview."""
        clock = self._context.clock
        dialog = BatchCreateDialog(
            self,
            self._archivists(),
            lambda spec: L.plan_location_batch(session=self._session, spec=spec, clock=clock),
            lambda spec: L.create_location_batch(session=self._session, spec=spec, clock=clock),
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.setText(self.tr("已新建 {0} 个存放位置。").format(dialog.result_value))
            self.reload_tree()

    def edit_rules(self) -> None:
        """Code patterns and shelving order."""
        clock = self._context.clock
        try:
            current = L.get_location_settings(session=self._session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        dialog = LocationSettingsDialog(
            self,
            current,
            lambda shelf, cabinet, order: L.set_location_settings(
                session=self._session,
                shelf_pattern=shelf,
                cabinet_pattern=cabinet,
                order=order,
                clock=clock,
            ),
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.setText(self.tr("编码规则与排架顺序已保存。"))
            self.refresh()

    def new_box(self) -> None:
        """新建档案盒, then offer the proposed place."""
        clock = self._context.clock
        dialog = BoxDialog(
            self, lambda draft: L.create_box(session=self._session, draft=draft, clock=clock)
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        box: L.BoxRow = dialog.result_value
        self.boxes.set_rows([box])
        self.boxes.selectRow(0)
        self._update_buttons()
        self.status.setText(
            self.tr(
                "已新建档案盒 {0}。可把案卷放入后“上架到建议位置”，或在移动模式下扫描。"
            ).format(box.code)
        )

    def edit_location(self) -> None:
        """A place's settings."""
        node = self._node
        if node is None:
            return
        clock = self._context.clock
        dialog = LocationEditDialog(
            self,
            node,
            self._archivists(),
            lambda edit: L.update_location(session=self._session, edit=edit, clock=clock),
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload_tree()
            self.show_location(node.id)

    def place_selected(self) -> None:
        """Put the selected box in its proposed place (R21), after asking."""
        ids = self.boxes.selected_ids()
        if not ids:
            self.status.setText(self.tr("请先在下方选择一个档案盒。"))
            return
        clock = self._context.clock
        try:
            proposal = L.propose_place(session=self._session, box_id=ids[0], clock=clock)
            if proposal.location_id is None:
                self._scan_failed(
                    self.tr("没有合适的空位。")
                    + (
                        self.tr("该盒含机密/绝密档案，只能放入有空位的保险柜或涉密专柜。")
                        if proposal.secure_needed
                        else ""
                    )
                )
                return
            answer = QMessageBox.question(
                self, self.tr("上架"), self.tr("放到建议位置 {0}？").format(proposal.code)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            done = L.place_box(
                session=self._session, box_id=ids[0], location_id=proposal.location_id, clock=clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.status.setText(self.tr("已上架：{0} → {1}").format(done.label, done.to_code))
        self.show_location(proposal.location_id, select_box=ids[0])

    def _box_dropped(self, box_id: int, location_id: int) -> None:
        try:
            done = L.place_box(
                session=self._session,
                box_id=box_id,
                location_id=location_id,
                clock=self._context.clock,
            )
        except AppError as exc:
            self._scan_failed(message_for(exc))
            return
        self.status.setText(self.tr("已移动：{0} → {1}").format(done.label, done.to_code))
        self.select_cell(location_id)
        self.refresh()

    def bulk_move_selected(self) -> None:
        """Move the selected boxes (or all listed) to a place scanned or typed: preview first."""
        ids = self.boxes.selected_ids() or [row.id for row in self.boxes.rows]
        if not ids:
            return
        from PySide6.QtWidgets import QInputDialog

        code, ok = QInputDialog.getText(
            self,
            self.tr("批量移动"),
            self.tr("目标位置编码（一面、一个柜、一节或一层；可扫码）："),
        )
        if not ok or not code.strip():
            return
        self.bulk_move_to(ids, code)

    def bulk_move_to(self, box_ids: list[int], code: str) -> int | None:
        """Preview moving ``box_ids`` into the place ``code`` (or a scan of it); apply if OK."""
        clock = self._context.clock
        try:
            from app.domain.scan_codes import scan_payload

            text = code.strip()
            target = L.resolve_scan(
                session=self._session,
                text=text if "*" in text else scan_payload(text),
                clock=clock,
            )
            if target is None or target.kind is not ScanKind.LOCATION:
                self._scan_failed(self.tr("“{0}”不是存放位置。").format(text))
                return None
            requests = L.spread_over(
                session=self._session, box_ids=box_ids, target_id=target.object_id, clock=clock
            )
            preview = L.preview_bulk_move(session=self._session, requests=requests, clock=clock)
        except (AppError, ValueError) as exc:
            if isinstance(exc, AppError):
                self._scan_failed(message_for(exc))
            else:
                self._scan_failed(self.tr("位置编码只能包含字母、数字和分隔符。"))
            return None
        dialog = BulkMoveDialog(self, preview, self.tr("批量移动到 {0}").format(target.code))
        self.last_bulk_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        try:
            batch = L.bulk_move(session=self._session, requests=requests, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return None
        self.status.setText(
            self.tr("已批量移动 {0} 盒到 {1}（可撤销）。").format(len(requests), target.code)
        )
        self.show_location(target.object_id)
        return batch

    def undo_bulk(self) -> None:
        """Undo the last bulk move after showing what it was."""
        clock = self._context.clock
        try:
            info = L.last_bulk_move(session=self._session, clock=clock)
            if info is None:
                self.status.setText(self.tr("没有可撤销的批量移动。"))
                return
            when = info.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")
            answer = QMessageBox.question(
                self,
                self.tr("撤销批量移动"),
                self.tr("撤销 {0} 的批量移动（{1} 项），全部放回原位置？").format(when, info.count),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            L.undo_last_bulk_move(session=self._session, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self.status.setText(self.tr("已撤销批量移动（{0} 项）。").format(info.count))
        self.refresh()

    def show_must_move(self) -> None:
        """机密/绝密 volumes in ordinary places."""
        self._refresh_must_move()
        MustMoveDialog(self, self._must_move).exec()

    def hand_over(self) -> None:
        """保管交接 with its item-by-item list."""
        clock = self._context.clock
        dialog = HandoverDialog(
            self,
            self._archivists(),
            lambda uid: L.custody_places(session=self._session, user_id=uid, clock=clock),
            lambda places, to, witness, note: L.hand_over_custody(
                session=self._session,
                location_ids=places,
                to_user_id=to,
                witness=witness,
                note=note,
                clock=clock,
            ),
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            sheet: L.HandoverSheet = dialog.result_value
            self.status.setText(
                self.tr("已交接 {0} 处保密柜给 {1}，清单共 {2} 行（交接编号 {3}）。").format(
                    len(sheet.places), sheet.to_name, len(sheet.lines), sheet.handover_id
                )
            )
            self.last_handover = sheet
            self.reload_tree()
            self.print_handover(sheet.handover_id)

    # -- printing --------------------------------------------------------------------------------
    def print_handover(self, handover_id: int) -> None:
        """The 档案保管交接清单 both custodians sign (R22, R26)."""
        clock = self._context.clock
        try:
            pdf = location_print.handover_pdf(
                session=self._session, handover_id=handover_id, clock=clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        show_print_preview(
            self,
            self.tr("档案保管交接清单 第 {0} 号").format(handover_id),
            pdf,
            self._context,
            on_output=lambda kind: location_print.record_handover_output(
                session=self._session, handover_id=handover_id, kind=kind, clock=clock
            ),
            file_name=f"档案保管交接清单-{handover_id}.pdf",
        )

    def print_shelf_list(self) -> None:
        """排架清单 of the selected place, in walking order (R21)."""
        node = self._node
        if node is None:
            return
        target = self._cell_id or node.id
        clock = self._context.clock
        try:
            pdf = location_print.shelf_list_pdf(
                session=self._session, location_id=target, clock=clock
            )
            code = L.get_location(session=self._session, location_id=target, clock=clock).code
        except AppError as exc:
            show_error(self, exc)
            return
        show_print_preview(
            self,
            self.tr("排架清单 {0}").format(code),
            pdf,
            self._context,
            on_output=lambda kind: location_print.record_shelf_list_output(
                session=self._session, location_id=target, kind=kind, clock=clock
            ),
            file_name=f"排架清单-{code}.pdf",
        )

    def _open_labels(self, labels: Sequence[LabelContent], title: str) -> None:
        if not labels:
            self.status.setText(self.tr("没有可打印的标签。"))
            return
        actions = session_actions(self._session, self._context.clock)
        dialog = LabelSheetDialog(self, labels, actions, title=title, memory=self._label_memory)
        self.last_label_dialog = dialog
        dialog.exec()

    def print_box_labels(self) -> None:
        """Spine labels of the selected boxes (all listed when none is selected)."""
        ids = self.boxes.selected_ids() or [row.id for row in self.boxes.rows]
        try:
            labels = box_labels(session=self._session, box_ids=ids, clock=self._context.clock)
        except AppError as exc:
            show_error(self, exc)
            return
        self._open_labels(labels, self.tr("档案盒脊背标签"))

    def print_place_labels(self) -> None:
        """Shelf labels of the selected place and every 层/位 below it."""
        node = self._node
        if node is None:
            return
        target = self._cell_id or node.id
        try:
            labels = location_labels(
                session=self._session, location_id=target, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self._open_labels(labels, self.tr("位置标签"))
