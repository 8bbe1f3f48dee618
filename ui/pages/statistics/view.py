"""A report on screen: its charts (painted, two a row) and its tables, the same rows as print."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLayoutItem,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.statistics import Report, Table, cell_text
from ui.models.rows import CellsModel
from ui.widgets.charts import ChartWidget
from ui.widgets.table_panel import list_view

ROW_HEIGHT = 24


def _discard(item: QLayoutItem) -> None:
    """Delete a layout item's widget, or its nested layout's widgets."""
    widget = item.widget()
    if widget is not None:
        widget.deleteLater()
        return
    nested = item.layout()
    if nested is not None:
        while nested.count():
            _discard(nested.takeAt(0))
        nested.deleteLater()


def scrolled(view: QWidget) -> QScrollArea:
    """``view`` in a scroll area that gives it the area's width (a report runs long)."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(view)
    return scroll


class ReportView(QWidget):
    """Charts above, then one small table per section (read-only, sized to its rows)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="report_view")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(objectName="report_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.heading)
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._body)
        self._layout.addStretch(1)
        self.charts: list[ChartWidget] = []
        self.tables: dict[str, QTableView] = {}
        self.report: Report | None = None

    def set_report(self, report: Report | None, heading: str = "") -> None:
        """Show ``report`` (None: nothing) under ``heading``."""
        self.report = report
        self.heading.setText(heading)
        self.heading.setVisible(bool(heading))
        while self._body_layout.count():
            item = self._body_layout.takeAt(0)
            _discard(item)
        self.charts = []
        self.tables = {}
        if report is None:
            return
        if report.charts:
            grid = QGridLayout()
            for n, chart in enumerate(report.charts):
                widget = ChartWidget()
                widget.set_chart(chart)
                grid.addWidget(widget, n // 2, n % 2)
                self.charts.append(widget)
            self._body_layout.addLayout(grid)
        columns = QGridLayout()
        columns.setHorizontalSpacing(16)
        for n, table in enumerate(report.tables):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 6, 0, 0)
            title = QLabel(table.title)
            title.setStyleSheet("font-weight: bold;")
            box_layout.addWidget(title)
            view = self._table_view(table)
            box_layout.addWidget(view)
            box_layout.addStretch(1)
            columns.addWidget(box, n // 2, n % 2, Qt.AlignmentFlag.AlignTop)
            self.tables[table.key] = view
        self._body_layout.addLayout(columns)
        for note in report.notes:
            label = QLabel(self.tr("说明：") + note)
            label.setWordWrap(True)
            label.setStyleSheet("color: #555;")
            self._body_layout.addWidget(label)
        self._body.updateGeometry()
        self.updateGeometry()

    def _table_view(self, table: Table) -> QTableView:
        model = CellsModel(list(table.headers), lambda row: [cell_text(c) for c in row])
        model.set_rows(list(table.rows))
        view = list_view(f"table_{table.key}", model)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        model.setParent(view)
        view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = max(1, len(table.rows))
        view.setFixedHeight(ROW_HEIGHT * rows + view.horizontalHeader().sizeHint().height() + 4)
        return view

    def table_texts(self, key: str) -> list[list[str]]:
        """The cell texts shown for section ``key`` (tests compare them with exports)."""
        model = self.tables[key].model()
        return [
            [str(model.index(r, c).data()) for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
