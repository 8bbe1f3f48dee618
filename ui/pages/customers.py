"""客户: the index (search as you type), the masked list, the detail pane, new customer."""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain.customers import LABELS, Category, Importance, Kind, Party, Status
from app.domain.roles import Role
from app.errors import AppError, ValidationFailed
from app.messages import describe_field_error
from app.services.auth import SignedIn
from app.services.customers import (
    CustomerDetail,
    CustomerFilter,
    ListOrder,
    SortKey,
    change_customer_status,
    count_customers,
    customer_history,
    customer_id_slice,
    get_customer,
    get_customer_rows,
    order_ids,
    register_customer,
    search_customers,
    update_customer,
)
from app.services.users import StaffRow, list_staff
from ui.context import AppContext
from ui.dialogs.customer_form import CustomerFormDialog, StatusDialog
from ui.dialogs.duplicates import DuplicateReviewDialog
from ui.dialogs.reveal import RevealDialog
from ui.errors import message_for, show_error
from ui.models.customers import CustomerTableModel, label
from ui.widgets.highlight import HighlightDelegate

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 150
FIRST_PAGE = 50  # rows read with the search itself; the model reads further windows on scroll
EDGE = 2 * FIRST_PAGE  # ids read at each end of the list before it first paints
LIST_STEP = 20_000  # ids mapped per idle-time step while the rest of the list is filled in


class CustomersPage(QWidget):
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
        self.search = QLineEdit(objectName="customer_search")
        self.search.setPlaceholderText(
            self.tr(
                "搜索：姓名、拼音或首字母、客户编号、备注，"
                "或完整的电话/证件号/账号、电话后 4 位 (Ctrl+F)"
            )
        )
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        self.new_button = QPushButton(self.tr("新建客户 (Ctrl+N)"), objectName="new_customer")
        self.new_button.setVisible(self._session.actor.has(Role.ARCHIVIST))
        top.addWidget(self.new_button)
        self.review_button = QPushButton(self.tr("疑似重复复核…"), objectName="review_duplicates")
        self.review_button.setVisible(self._session.actor.has(Role.APPROVER))
        top.addWidget(self.review_button)
        self.import_button = QPushButton(self.tr("导入…"), objectName="import_customers")
        self.import_button.setVisible(self._session.actor.has(Role.ARCHIVIST))
        top.addWidget(self.import_button)
        self.history_button = QPushButton(self.tr("导入记录…"), objectName="import_history")
        self.history_button.setVisible(self._session.actor.has(Role.ARCHIVIST))
        top.addWidget(self.history_button)
        self.export_button = QPushButton(self.tr("导出…"), objectName="export_customers")
        top.addWidget(self.export_button)
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
        self.table = QTableView(objectName="customer_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self._order = ListOrder()
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 200)
        self.highlighter = HighlightDelegate(self.table)  # search hits in 客户编号 and 名称
        for column in (0, 1):
            self.table.setItemDelegateForColumn(column, self.highlighter)
        splitter.addWidget(self.table)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        self.tabs = QTabWidget(objectName="customer_tabs")
        self.detail_label = QLabel(objectName="customer_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.history = QListWidget(objectName="customer_history")
        self.tabs.addTab(self.detail_label, self.tr("详情"))
        self.tabs.addTab(self.history, self.tr("历史"))
        pane_layout.addWidget(self.tabs, 1)
        actions = QHBoxLayout()
        self.edit_button = QPushButton(self.tr("修改…"), objectName="edit_customer")
        self.status_button = QPushButton(self.tr("变更状态…"), objectName="change_status")
        self.reveal_button = QPushButton(self.tr("显示完整信息…"), objectName="reveal")
        for b in (self.edit_button, self.status_button, self.reveal_button):
            b.setEnabled(False)
            actions.addWidget(b)
        can_write = self._session.actor.has(Role.ARCHIVIST)
        self.edit_button.setVisible(can_write)
        self.status_button.setVisible(can_write)
        pane_layout.addLayout(actions)
        self._detail: CustomerDetail | None = None
        splitter.addWidget(pane)
        splitter.setSizes([700, 320])
        layout.addWidget(splitter, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._fill_timer = QTimer(self)  # fills the list's row map between events
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(0)
        self._listing: tuple[CustomerFilter, ListOrder, Any] | None = None
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
        self._timer.timeout.connect(self.refresh)
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
        self._fill_timer.stop()
        self._listing = None
        query = self.search.text().strip()
        clock = self._context.clock
        try:
            filters = CustomerFilter(
                status=self.status_filter.currentData(),
                kind=self.kind_filter.currentData(),
                importance=self.importance_filter.currentData(),
                suspected_duplicate=self.duplicates_only.isChecked(),
            )
            if query:
                self._show_search(query, filters)
            else:
                count = count_customers(session=self._session, clock=clock, filters=filters)
                head = customer_id_slice(
                    session=self._session,
                    clock=clock,
                    limit=EDGE,
                    filters=filters,
                    order=self._order,
                )
                tail = []
                if count > len(head.ids):
                    tail = customer_id_slice(
                        session=self._session,
                        clock=clock,
                        limit=EDGE,
                        filters=filters,
                        order=self._order,
                        from_end=True,
                    ).ids
                self.model.start_listing(count, head.ids, tail)
                self.count_label.setText(self.tr("共 {0} 位客户").format(count))
                if not self.model.complete:
                    self._listing = (filters, self._order, head.last)
                    self._fill_timer.start()
        except AppError as exc:
            show_error(self, exc)
            return
        self._show_detail(None)

    def _show_search(self, query: str, filters: CustomerFilter) -> None:
        """Ranked hits (or, after a header click, the hits in that column's order)."""
        clock = self._context.clock
        result = search_customers(
            session=self._session, query=query, clock=clock, filters=filters, limit=FIRST_PAGE
        )
        ids = list(result.ranked_ids)
        if self._order == ListOrder():
            self.model.set_rows(result.rows, highlight=query, all_ids=ids)
        else:
            ordered = order_ids(session=self._session, clock=clock, ids=ids, order=self._order)
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
        self._detail = None
        self.history.clear()
        for b in (self.edit_button, self.status_button, self.reveal_button):
            b.setEnabled(cid is not None)
        if cid is None:
            self.detail_label.clear()
            return
        try:
            detail = get_customer(session=self._session, customer_id=cid, clock=self._context.clock)
            history = customer_history(
                session=self._session, customer_id=cid, clock=self._context.clock
            )
        except AppError as exc:
            self.detail_label.setText(html.escape(message_for(exc)))
            for b in (self.edit_button, self.status_button, self.reveal_button):
                b.setEnabled(False)
            return
        self._detail = detail
        self.detail_label.setText(self._detail_html(detail) + self._incidents_html(cid))
        for h in history:
            self.history.addItem(f"{format_local(h.at)}  {h.who}  {h.action}  {h.summary}")

    def _incidents_html(self, cid: int) -> str:
        """A red line naming the incidents that affect this customer (R45)."""
        from app.services.incidents import list_incidents_for

        try:
            found = list_incidents_for(
                session=self._session,
                object_type="customer",
                object_id=cid,
                clock=self._context.clock,
            )
        except AppError:
            return ""
        if not found:
            return ""
        text = self.tr("涉及事件：{0}（文件 → 泄密/丢失事件登记簿）").format(
            "、".join(f"{i.number} {i.title}（{i.status}）" for i in found)
        )
        return f"<p style='color:#b00020'>{html.escape(text)}</p>"

    def _detail_html(self, d: CustomerDetail) -> str:
        def row(name: str, value: str) -> str:
            cells = f"<td style='color:#555'>{html.escape(name)}</td><td>{html.escape(value)}</td>"
            return f"<tr>{cells}</tr>"

        parts = [
            f"<h3>{html.escape(d.name)}　<small>{html.escape(d.number)}</small></h3>",
            "<table cellspacing='4'>",
            row(self.tr("性质"), label(Party, d.party)),
            row(self.tr("类别"), label(Kind, d.kind) + "·" + label(Category, d.category)),
            row(self.tr("状态"), label(Status, d.status)),
            row(self.tr("重要程度"), label(Importance, d.importance)),
            row(self.tr("负责人员"), d.responsible_name or self.tr("（未指定）")),
            row(self.tr("证件号码"), d.id_number or "—"),
            row(self.tr("电话"), "；".join(d.phones) or "—"),
            row(self.tr("银行账号"), "；".join(d.bank_accounts) or "—"),
            row(self.tr("地址"), "；".join(d.addresses) or "—"),
            row(self.tr("书面同意"), f"{d.consent_date or '—'} {d.consent_purpose}"),
            row(self.tr("备注"), d.remarks or "—"),
            "</table>",
        ]
        if d.suspected_duplicate:
            parts.append(
                f"<p style='color:#8a5a00'>⚠ {html.escape(self.tr('疑似重复，待审批人复核'))}</p>"
            )
        parts.append(f"<p style='color:#777'>{html.escape(self.tr('敏感信息已脱敏显示。'))}</p>")
        return "".join(parts)

    # -- actions ------------------------------------------------------------------------
    def new_customer(self) -> None:
        """Open the form; keep it open until saved or cancelled."""
        if not self._session.actor.has(Role.ARCHIVIST):
            return
        dialog = CustomerFormDialog(self, staff=self._staff())

        def save() -> None:
            draft, problems = dialog.draft()
            if problems:
                dialog.show_validation(ValidationFailed(problems))
                return
            try:
                result = register_customer(
                    session=self._session, draft=draft, clock=self._context.clock
                )
            except ValidationFailed as exc:
                dialog.show_validation(exc)
                return
            except AppError as exc:
                dialog.general.setText(message_for(exc))
                return
            dialog.accept()
            notes = [describe_field_error(w) for w in result.warnings]
            notes += [
                self.tr("与客户 {0} 的{1}相同，已标记为疑似重复，待审批人复核。").format(
                    d.other_number, self.tr("电话") if d.reason == "phone" else self.tr("银行账号")
                )
                for d in result.duplicates
            ]
            if notes:
                QMessageBox.information(
                    self, self.tr("已保存 {0}").format(result.number), "\n".join(notes)
                )
            self.search.setText(result.number)
            self.refresh()
            if self.model.rowCount():
                self.table.selectRow(0)

        dialog.buttons.accepted.connect(save)
        dialog.exec()

    def _staff(self) -> list[StaffRow]:
        """Accounts offered as 负责人员 (none when they cannot be read: the form still works)."""
        try:
            return list_staff(session=self._session, clock=self._context.clock)
        except AppError as exc:
            log.warning("could not list staff: %s", exc.code)
            return []

    def edit_customer(self) -> None:
        """Edit the selected customer (protected fields: empty means unchanged)."""
        detail = self._detail
        if detail is None:
            return
        dialog = CustomerFormDialog(self, existing=detail, staff=self._staff())

        def save() -> None:
            changes, problems = dialog.changes()
            if problems:
                dialog.show_validation(ValidationFailed(problems))
                return
            try:
                update_customer(
                    session=self._session,
                    customer_id=detail.id,
                    changes=changes,
                    expected_version=detail.version,
                    clock=self._context.clock,
                )
            except ValidationFailed as exc:
                dialog.show_validation(exc)
                return
            except AppError as exc:
                dialog.general.setText(message_for(exc))
                return
            dialog.accept()

        dialog.buttons.accepted.connect(save)
        if dialog.exec():
            self._reload_selected()

    def change_status(self) -> None:
        """潜在/在册/流失 with a note; dated in the history."""
        detail = self._detail
        if detail is None:
            return
        dialog = StatusDialog(detail.status, self)
        while dialog.exec():
            try:
                change_customer_status(
                    session=self._session,
                    customer_id=detail.id,
                    status=dialog.status(),
                    note=dialog.note.text(),
                    expected_version=detail.version,
                    clock=self._context.clock,
                )
            except AppError as exc:
                dialog.error.setText(message_for(exc))
                continue
            break
        self._reload_selected()

    def _reload_selected(self) -> None:
        row = self.table.currentIndex().row()
        self.refresh()
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def current_filters(self) -> CustomerFilter:
        """The list's filters as chosen."""
        return CustomerFilter(
            status=self.status_filter.currentData(),
            kind=self.kind_filter.currentData(),
            importance=self.importance_filter.currentData(),
            suspected_duplicate=self.duplicates_only.isChecked(),
        )

    def import_history(self) -> None:
        """导入记录: earlier imports, undoable while their rows are unchanged."""
        from ui.dialogs.import_wizard import ImportHistoryDialog

        ImportHistoryDialog(self, self._context, self._session, "customers").exec()
        self.refresh()

    def import_ledger(self) -> None:
        """导入客户台账 (wizard); the list shows the new customers afterwards."""
        from ui.dialogs.import_wizard import ImportWizard

        ImportWizard(self, self._context, self._session, "customers").exec()
        self.refresh()

    def export_list(self) -> None:
        """The list as on screen to Excel or PDF: masked unless asked and allowed (R5, R40)."""
        from pathlib import Path

        from PySide6.QtWidgets import QDialog, QFileDialog

        from app.domain.roles import may
        from app.services.exports import ExportFormat, export_customers
        from app.storage.files import atomic_write_bytes
        from ui.dialogs.export_list import ExportListDialog

        ask = ExportListDialog(
            self,
            self.tr("客户目录"),
            may_unmask=may(self._session.actor.roles, "customer.reveal"),
            customers=True,
        )
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        fmt = ask.fmt()
        suffix = (
            self.tr("PDF 文件 (*.pdf)")
            if fmt == ExportFormat.PDF
            else self.tr("Excel 工作簿 (*.xlsx)")
        )
        target, _f = QFileDialog.getSaveFileName(
            self, self.tr("导出到"), f"客户目录.{fmt.value}", suffix
        )
        if not target:
            return
        try:
            data = export_customers(
                session=self._session,
                purpose=ask.purpose.currentText(),
                clock=self._context.clock,
                fmt=fmt,
                unmasked=ask.unmasked.isChecked(),
                query=self.search.text(),
                filters=self.current_filters(),
            )
            atomic_write_bytes(Path(target), data)
        except AppError as exc:
            show_error(self, exc)
            return
        self.count_label.setText(self.tr("已导出到 {0}").format(Path(target).name))

    def review_duplicates(self) -> None:
        """Approvers clear 疑似重复 flags."""
        DuplicateReviewDialog(self._session, self._context.clock, self).exec()
        self.refresh()

    def reveal(self) -> None:
        """Ask for a purpose, then show full values (audited)."""
        cid = self.selected_id()
        if cid is not None:
            dialog = RevealDialog(self._session, self._context.clock, cid, self)
            dialog.exec()
            dialog.deleteLater()  # the full values must not linger in hidden widgets
