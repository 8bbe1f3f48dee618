"""客户 page: the search box and filters over the windowed, masked list and the detail pane."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
)

from app.domain.changes import Changes
from app.domain.customers import LABELS, Importance, Kind, Status
from app.domain.roles import Role
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.customers import (
    CustomerFilter,
    IdSlice,
    ListOrder,
    SortKey,
    count_customers,
    customer_id_slice,
    get_customer_rows,
    order_ids,
    search_customers,
)
from ui.context import AppContext
from ui.errors import show_error, show_unexpected
from ui.models.customers import CustomerTableModel
from ui.pages.customers.actions import CustomerActions
from ui.pages.customers.detail import CustomerDetailPane
from ui.tasks import LatestQuery
from ui.widgets.buttons import add_button, search_field
from ui.widgets.highlight import HighlightDelegate
from ui.widgets.table_panel import fit_columns, list_view

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 150
FIRST_PAGE = 50  # rows read with the search itself; the model reads further windows on scroll
EDGE = 2 * FIRST_PAGE  # ids read at each end of the list before it first paints
LIST_STEP = 20_000  # ids mapped per idle-time step while the rest of the list is filled in


class CustomersPage(CustomerActions):
    """Search box, filters, the windowed table and a detail pane."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="CustomersPage")
        self._context = context
        self._session = session
        self._build_ui()
        self._connect_signals()
        self.refresh()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = search_field(
            "customer_search",
            self.tr(
                "搜索：姓名、拼音或首字母、客户编号、备注，"
                "或完整的电话/证件号/账号、电话后 4 位 (Ctrl+F)"
            ),
        )
        top.addWidget(self.search, 1)
        archivist = self._session.actor.has(Role.ARCHIVIST)
        approver = self._session.actor.has(Role.APPROVER)
        self.new_button = add_button(
            top, self.tr("新建客户 (Ctrl+N)"), "new_customer", visible=archivist
        )
        self.review_button = add_button(
            top, self.tr("疑似重复复核…"), "review_duplicates", visible=approver
        )
        self.import_button = add_button(
            top, self.tr("导入…"), "import_customers", visible=archivist
        )
        self.history_button = add_button(
            top, self.tr("导入记录…"), "import_history", visible=archivist
        )
        self.export_button = add_button(top, self.tr("导出…"), "export_customers")
        layout.addLayout(top)
        filters = QHBoxLayout()
        self.status_filter = self._filter_combo("status_filter", self.tr("全部状态"), list(Status))
        self.kind_filter = self._filter_combo("kind_filter", self.tr("全部类型"), list(Kind))
        self.importance_filter = self._filter_combo(
            "importance_filter", self.tr("全部重要程度"), list(Importance)
        )
        self.duplicates_only = QCheckBox(self.tr("只看疑似重复"), objectName="duplicates_only")
        for w in (
            self.status_filter,
            self.kind_filter,
            self.importance_filter,
            self.duplicates_only,
        ):
            filters.addWidget(w)
        filters.addStretch()
        self.count_label = QLabel(objectName="count_label")
        filters.addWidget(self.count_label)
        layout.addLayout(filters)
        splitter = QSplitter()
        self.model = CustomerTableModel(self._fetch_rows)
        self.table = list_view("customer_table", self.model)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self._order = ListOrder()
        self.highlighter = HighlightDelegate(self.table)  # search hits in 客户编号 and 名称
        for column in (0, 1):
            self.table.setItemDelegateForColumn(column, self.highlighter)
        splitter.addWidget(self.table)
        self.pane = CustomerDetailPane(self._session, self._context.clock, self._context)
        self.tabs = self.pane.tabs
        self.detail_label = self.pane.detail_label
        self.history = self.pane.history
        self.edit_button = self.pane.edit_button
        self.status_button = self.pane.status_button
        self.reveal_button = self.pane.reveal_button
        can_write = self._session.actor.has(Role.ARCHIVIST)
        self.edit_button.setVisible(can_write)
        self.status_button.setVisible(can_write)
        splitter.addWidget(self.pane)
        splitter.setSizes([700, 320])
        layout.addWidget(splitter, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._fill_timer = QTimer(self)  # fills the list's row map between events
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(0)
        self._listing: tuple[CustomerFilter, ListOrder, Any] | None = None
        self._query = LatestQuery(self)  # search-as-you-type, off the GUI thread
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_customer)

    def _filter_combo(self, name: str, everything: str, values: list[Any]) -> QComboBox:
        box = QComboBox(objectName=name)
        box.addItem(everything, None)
        for v in values:
            box.addItem(LABELS[v], v.value)
        return box

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.refresh)
        self._timer.timeout.connect(self._search_as_typed)
        for box in (self.status_filter, self.kind_filter, self.importance_filter):
            box.currentIndexChanged.connect(self.refresh)
        self.duplicates_only.toggled.connect(self.refresh)
        self.new_button.clicked.connect(self.new_customer)
        self.review_button.clicked.connect(self.review_duplicates)
        self.import_button.clicked.connect(self.import_ledger)
        self.history_button.clicked.connect(self.import_history)
        self.export_button.clicked.connect(self.export_list)
        self.reveal_button.clicked.connect(self.reveal)
        self.edit_button.clicked.connect(self.edit_customer)
        self.status_button.clicked.connect(self.change_status)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        self._fill_timer.timeout.connect(self._fill_step)

    # -- data ---------------------------------------------------------------------------
    def _fetch_rows(self, ids: list[int]) -> list[Any]:
        try:
            return get_customer_rows(session=self._session, ids=ids, clock=self._context.clock)
        except AppError as exc:
            log.warning("could not read customer rows: %s", exc.code)
            return []

    def refresh(self) -> None:
        """Run the search, or list with the filters, in the chosen order."""
        self._timer.stop()
        self._query.cancel()  # an older search-as-you-type must not land after this
        self._fill_timer.stop()
        self._listing = None
        query = self.search.text().strip()
        clock = self._context.clock
        try:
            filters = self.current_filters()
            if query:
                self._show_search(query, filters)
            else:
                count = count_customers(session=self._session, clock=clock, filters=filters)

                def edge(from_end: bool) -> IdSlice:
                    return customer_id_slice(
                        session=self._session,
                        clock=clock,
                        limit=EDGE,
                        filters=filters,
                        order=self._order,
                        from_end=from_end,
                    )

                head = edge(False)
                tail = edge(True).ids if count > len(head.ids) else []
                self.model.start_listing(count, head.ids, tail)
                self.count_label.setText(self.tr("共 {0} 位客户").format(count))
                if not self.model.complete:
                    self._listing = (filters, self._order, head.last)
                    self._fill_timer.start()
        except AppError as exc:
            show_error(self, exc)
            return
        self._fit_columns()
        self._show_detail(None)

    def _fit_columns(self) -> None:
        """Columns as wide as the first page of rows needs (证件号码 whole), growing only."""
        fit_columns(self.table, sample_rows=FIRST_PAGE, grow_only=True)

    def refresh_after_change(self, _changes: Changes) -> None:
        """A write changed customers or their volumes: list again, keep the detail shown."""
        selected = self.selected_id()
        self.refresh()
        if selected is not None:
            for row in range(self.model.rowCount()):
                if self.model.id_at(row) == selected:
                    self.table.selectRow(row)
                    return
            self._show_detail(selected)

    def _search_as_typed(self) -> None:
        """The typing pause: search in a worker (a million rows must not freeze the window).

        The newest query wins: typing on cancels the search still running. Enter, a filter or
        a header click searches at once on the GUI thread (``refresh``).
        """
        query = self.search.text().strip()
        if not query:
            self.refresh()  # the list's first and last pages; the rest is mapped in slices
            return
        try:
            filters = self.current_filters()
        except AppError as exc:
            show_error(self, exc)
            return
        self._fill_timer.stop()
        self._listing = None
        session, clock, order = self._session, self._context.clock, self._order

        def show(found: tuple[Any, list[int] | None]) -> None:
            if self.search.text().strip() != query:
                return  # the text changed while it ran: the next pause searches again
            self._show_found(query, *found)
            self._fit_columns()
            self._show_detail(None)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppError):
                show_error(self, exc)
            else:
                show_unexpected(self, exc)

        self._query.run(
            self.tr("正在查找客户……"),
            lambda: _find(session, clock, query, filters, order),
            show,
            failed,
        )

    def idle(self) -> bool:
        """True when no search runs in the background."""
        return not self._query.running

    def _show_search(self, query: str, filters: CustomerFilter) -> None:
        """Ranked hits (or, after a header click, the hits in that column's order)."""
        found = _find(self._session, self._context.clock, query, filters, self._order)
        self._show_found(query, *found)

    def _show_found(self, query: str, result: Any, ordered: list[int] | None) -> None:
        ids = list(result.ranked_ids)
        if ordered is None:
            self.model.set_rows(result.rows, highlight=query, all_ids=ids)
        else:
            self.model.set_ids(ordered, highlight=query)
        more = "+" if result.capped else ""
        self.count_label.setText(
            self.tr("找到 {0}{1} 位客户，可列出前 {2} 位").format(result.total, more, len(ids))
        )

    def _fill_step(self) -> None:
        """Map the next slice of the list (runs between events, so typing stays smooth)."""
        if self._listing is None or self.model.complete:
            return
        filters, order, after = self._listing
        try:
            piece = customer_id_slice(
                session=self._session,
                clock=self._context.clock,
                limit=LIST_STEP,
                filters=filters,
                order=order,
                after=after,
            )
        except AppError as exc:  # signed out or locked meanwhile: the list stays as it is
            log.info("list filling stopped: %s", exc.code)
            self._listing = None
            return
        self.model.extend(piece.ids, last=len(piece.ids) < LIST_STEP)
        if self.model.complete:
            self._listing = None
            self.count_label.setText(self.tr("共 {0} 位客户").format(self.model.rowCount()))
        else:
            self._listing = (filters, order, piece.last)
            self._fill_timer.start()

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        keys = CustomerTableModel.SORTABLE
        if section >= len(keys):  # encrypted columns cannot be sorted: keep the current order
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            current = (
                Qt.SortOrder.DescendingOrder
                if self._order.descending
                else (Qt.SortOrder.AscendingOrder)
            )
            header.setSortIndicator(keys.index(self._order.key.value), current)
            header.blockSignals(False)
            return
        self._order = ListOrder(SortKey(keys[section]), order == Qt.SortOrder.DescendingOrder)
        self.refresh()

    def focus_search(self) -> None:
        """Ctrl+F."""
        self.search.setFocus()
        self.search.selectAll()

    def selected_id(self) -> int | None:
        """The selected customer."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_detail(self.selected_id())

    def _show_detail(self, cid: int | None) -> None:
        self.pane.show_customer(cid)

    def current_filters(self) -> CustomerFilter:
        """The list's filters as chosen."""
        return CustomerFilter(
            status=self.status_filter.currentData(),
            kind=self.kind_filter.currentData(),
            importance=self.importance_filter.currentData(),
            suspected_duplicate=self.duplicates_only.isChecked(),
        )


def _find(
    session: SignedIn, clock: Any, query: str, filters: CustomerFilter, order: ListOrder
) -> tuple[Any, list[int] | None]:
    """The ranked hits, and their ids in ``order`` when a column order was chosen."""
    result = search_customers(
        session=session, query=query, clock=clock, filters=filters, limit=FIRST_PAGE
    )
    if order == ListOrder():
        return result, None
    ids = list(result.ranked_ids)
    return result, order_ids(session=session, clock=clock, ids=ids, order=order)
