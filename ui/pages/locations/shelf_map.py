"""The shelf map: a face or cabinet as a grid of 节 × 层 cells, each a drop target for boxes.

A cell shows its code, how full it is, the highest secrecy inside (as colour AND word, never
colour alone) and its problems.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.services import locations as L

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
        # a visible map shows its new cells at once (Qt would show them one event later,
        # after the shelving's message: a blank map for a moment, and in a screenshot)
        if self.isVisible():
            for n in range(self._grid.count()):
                item = self._grid.itemAt(n)
                if item is not None and item.widget() is not None:
                    item.widget().show()

    def select(self, location_id: int | None) -> None:
        """Outline one cell."""
        for lid, widget in self.cells.items():
            widget.set_selected(lid == location_id)
