"""库位: the location tree, the shelf map of a face or cabinet, boxes, moves and scanning.

The page shows what the location services return and calls them for every change; secure
custody (R22) and the all-or-nothing rule of bulk moves (R23) live in the services. This
module lays the page out; showing a place is in :mod:`.view`, scanning and move mode in
:mod:`.move_mode`, the changes in :mod:`.actions` and printing in :mod:`.printing`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.roles import Role
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.pages.locations.actions import ActionsMixin
from ui.pages.locations.boxes import BoxTable
from ui.pages.locations.history import MoveHistoryPanel
from ui.pages.locations.move_mode import ScanningMixin
from ui.pages.locations.printing import PrintingMixin
from ui.pages.locations.shelf_map import ShelfMapWidget
from ui.pages.locations.tree import LocationTree


class LocationsPage(ScanningMixin, ActionsMixin, PrintingMixin):
    """Rooms and shelves on the left; the shelf map, boxes and history of the selection."""

    open_volume = Signal(str)  # a scanned volume's 档号: shown in the 档案 area

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(context, session)
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
        self.box_button = QPushButton(self.tr("新建档案盒… (Ctrl+N)"), objectName="new_box")
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
        self.tree = LocationTree(self._children_of)
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
        self.history = MoveHistoryPanel(self._moves_of)
        self.tabs.addTab(self.boxes, self.tr("档案盒"))
        self.tabs.addTab(self.history, self.tr("移动记录"))
        self.tabs.currentChanged.connect(self._load_history)
        right_layout.addWidget(self.tabs, 2)
        splitter.addWidget(right)
        splitter.setSizes([260, 900])
        layout.addWidget(splitter, 1)
        self._update_buttons()
        if self._writer:
            QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_box)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.scan.setFocus)

    def refresh_after_change(self, _changes: Changes) -> None:
        """A write changed places, volumes or loans: reload the map, the boxes and the lists."""
        self.refresh()

    def showEvent(self, event: Any) -> None:
        """The scan box has the focus when the page is shown: scan or type a code at once."""
        super().showEvent(event)
        self.scan.setFocus()
