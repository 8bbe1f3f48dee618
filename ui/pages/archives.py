"""档案: volumes (案卷) with their 档号, and the items (件) of the selected volume.

Classified rows above the user's clearance show "受限" with the 档号 only: the services
decide, this page only shows what it gets.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalogue import VOLUME_STATE_LABELS, VolumeState
from app.domain.roles import Role
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.catalogue import (
    FORMS,
    ItemRow,
    VolumeRow,
    add_item,
    create_volume,
    customer_for_filing,
    get_volume,
    get_volume_details,
    list_volumes,
    record_output,
    search_catalogue,
    update_volume_details,
    volume_catalogue_pdf,
    volume_note_pdf,
)
from app.services.loans import copy_approved
from app.storage.files import atomic_write_bytes
from ui.context import AppContext
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeDetailsDialog, VolumeFormDialog
from ui.dialogs.item_files import ItemFilesDialog
from ui.dialogs.print_preview import show_print_preview
from ui.dialogs.secrecy_review import SecrecyReviewDialog
from ui.errors import show_error
from ui.models.rows import RowsModel

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
RESTRICTED_COLOR = QColor("#eeeeee")
CLASSIFIED_COLOR = QColor("#fde2e1")


class _RowsModel(RowsModel):
    """Catalogue rows: restricted ones grey with a tooltip, classified ones tinted."""

    def cells(self, row: Any) -> list[str]:
        """Cell texts of one row (each table names its own in ``values``)."""
        return self.values(row)

    def values(self, row: Any) -> list[str]:
        """Cell texts of one row."""
        raise NotImplementedError  # each table model names its cells

    def background(self, row: Any) -> Any:
        """Restricted rows grey, classified rows tinted."""
        if row.restricted:
            return RESTRICTED_COLOR
        return CLASSIFIED_COLOR if row.secrecy else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text and colour; a tooltip on restricted rows."""
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            if 0 <= index.row() < len(self.rows) and self.rows[index.row()].restricted:
                return self.tr("受限：您的涉密级别不足，仅显示档号")
            return None
        return super().data(index, role)


class VolumeTableModel(_RowsModel):
    """Volumes: 档号, title, year, retention, expiry, secrecy, state, counts."""

    COLUMNS: ClassVar[list[str]] = [
        "档号",
        "案卷题名",
        "年度",
        "保管期限",
        "到期",
        "密级",
        "状态",
        "件数",
        "页数",
    ]

    def values(self, row: VolumeRow) -> list[str]:
        """Cell texts."""
        known = row.state in VolumeState._value2member_map_
        state = VOLUME_STATE_LABELS[VolumeState(row.state)] if known else row.state
        hidden = row.restricted
        return [
            row.reference_code,
            row.title,
            str(row.year),
            row.retention,
            row.expires.isoformat() if row.expires else self.tr("永久"),
            row.secrecy,
            state,
            "" if hidden else str(row.item_count),
            "" if hidden else str(row.page_count),
        ]


class ItemTableModel(_RowsModel):
    """Items of one volume, in 卷内目录 order."""

    COLUMNS: ClassVar[list[str]] = [
        "序号",
        "文号",
        "责任者",
        "题名",
        "日期",
        "页号",
        "载体",
        "密级",
        "备注",
    ]

    def values(self, row: ItemRow) -> list[str]:
        """Cell texts (dates YYYYMMDD as on the printed 卷内目录)."""
        return [
            str(row.seq),
            row.doc_number,
            row.author,
            row.title,
            row.doc_date.strftime("%Y%m%d") if row.doc_date else "",
            row.pages,
            row.carrier,
            row.secrecy,
            row.remarks.replace("\n", "；"),
        ]


class ArchivesPage(QWidget):
    """Find volumes by 档号 (typed or scanned) or list the latest; items of the selected one."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="ArchivesPage")
        self._context = context
        self._session = session
        self._build_ui()
        self.refresh()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit(objectName="volume_search")
        self.search.setPlaceholderText(
            self.tr(
                "档号（可直接扫码）或其开头、题名、拼音、备注、卷内文件题名；"
                "留空列出最近的案卷 (Ctrl+F)"
            )
        )
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self.refresh())
        top.addWidget(self.search, 1)
        writer = self._session.actor.has(Role.ARCHIVIST)
        self.new_button = QPushButton(self.tr("新建案卷…"), objectName="new_volume")
        self.new_button.setVisible(writer)
        self.new_button.clicked.connect(self.new_volume)
        top.addWidget(self.new_button)
        self.review_button = QPushButton(self.tr("保密期限复核…"), objectName="secrecy_review")
        self.review_button.setVisible(writer or self._session.actor.has(Role.APPROVER))
        self.review_button.clicked.connect(self.review_secrecy)
        top.addWidget(self.review_button)
        self.import_button = QPushButton(self.tr("导入…"), objectName="import_volumes")
        self.import_button.setVisible(writer)
        self.import_button.clicked.connect(self.import_ledger)
        top.addWidget(self.import_button)
        self.history_button = QPushButton(self.tr("导入记录…"), objectName="import_history")
        self.history_button.setVisible(writer)
        self.history_button.clicked.connect(self.import_history)
        top.addWidget(self.history_button)
        self.export_button = QPushButton(self.tr("导出…"), objectName="export_volumes")
        self.export_button.clicked.connect(self.export_list)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.count_label = QLabel(objectName="volume_count")
        layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.volumes = VolumeTableModel()
        self.volume_table = self._table("volume_table", self.volumes)
        self.volume_table.setColumnWidth(0, 190)
        self.volume_table.setColumnWidth(1, 260)
        splitter.addWidget(self.volume_table)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.volume_label = QLabel(objectName="volume_label")
        self.volume_label.setWordWrap(True)
        bar.addWidget(self.volume_label, 1)
        self.add_item_button = QPushButton(self.tr("添加卷内文件…"), objectName="add_item")
        self.add_item_button.setVisible(writer)
        self.add_item_button.setEnabled(False)
        self.add_item_button.clicked.connect(self.new_item)
        bar.addWidget(self.add_item_button)
        self.edit_volume_button = QPushButton(self.tr("修改案卷信息…"), objectName="edit_volume")
        self.edit_volume_button.setVisible(writer)
        self.edit_volume_button.setEnabled(False)
        self.edit_volume_button.clicked.connect(self.edit_volume)
        bar.addWidget(self.edit_volume_button)
        self.print_catalogue_button = QPushButton(
            self.tr("打印卷内目录…"), objectName="print_catalogue"
        )
        self.print_note_button = QPushButton(self.tr("打印备考表…"), objectName="print_note")
        can_print = self._session.actor.has(Role.ARCHIVIST) or self._session.actor.has(
            Role.APPROVER
        )
        for button, form in (
            (self.print_catalogue_button, "catalogue"),
            (self.print_note_button, "note"),
        ):
            button.setVisible(can_print)
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, f=form: self.print_form(f))
            bar.addWidget(button)
        self.files_button = QPushButton(self.tr("电子文件…"), objectName="item_files")
        self.files_button.setEnabled(False)
        self.files_button.clicked.connect(self.item_files)
        bar.addWidget(self.files_button)
        self.place_button = QPushButton(self.tr("位置与移动记录…"), objectName="volume_place")
        self.place_button.setEnabled(False)
        self.place_button.clicked.connect(self.show_place)
        bar.addWidget(self.place_button)
        self.volume_labels_button = QPushButton(self.tr("打印标签…"), objectName="volume_labels")
        self.volume_labels_button.setVisible(can_print)
        self.volume_labels_button.setEnabled(False)
        self.volume_labels_button.clicked.connect(self.print_volume_label)
        bar.addWidget(self.volume_labels_button)
        lower_layout.addLayout(bar)
        self.items = ItemTableModel()
        self.item_table = self._table("item_table", self.items)
        self.item_table.setColumnWidth(3, 260)
        lower_layout.addWidget(self.item_table, 1)
        splitter.addWidget(lower)
        splitter.setSizes([380, 300])
        layout.addWidget(splitter, 1)
        self.volume_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.item_table.selectionModel().selectionChanged.connect(self._item_selected)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.search.setFocus)
        self._current: VolumeRow | None = None

    def _table(self, name: str, model: QAbstractTableModel) -> QTableView:
        table = QTableView(objectName=name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """List by 档号 prefix, or the latest volumes."""
        text = self.search.text().strip()
        clock = self._context.clock
        try:
            if text:
                rows = search_catalogue(session=self._session, query=text, clock=clock)
                self.count_label.setText(self.tr("“{0}”：{1} 卷").format(text, len(rows)))
            else:
                rows = list_volumes(session=self._session, clock=clock, limit=500)
                self.count_label.setText(self.tr("最近的 {0} 卷").format(len(rows)))
        except AppError as exc:
            show_error(self, exc)
            return
        self.volumes.set_rows(rows)
        self._show_volume(None)
        if len(rows) == 1:  # a scanned 档号: open it at once
            self.volume_table.selectRow(0)

    def _selection_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        rows = self.volume_table.selectionModel().selectedRows()
        self._show_volume(self.volumes.rows[rows[0].row()].id if rows else None)

    def _show_volume(self, volume_id: int | None) -> None:
        self._current = None
        if volume_id is not None:
            try:
                self._current = get_volume(
                    session=self._session, volume_id=volume_id, clock=self._context.clock
                )
            except AppError as exc:
                show_error(self, exc)
        v = self._current
        self.items.set_rows(v.items if v else [])
        self.add_item_button.setEnabled(v is not None and not v.restricted)
        self.edit_volume_button.setEnabled(v is not None and not v.restricted)
        self.files_button.setEnabled(False)
        self.print_catalogue_button.setEnabled(v is not None and not v.restricted)
        self.print_note_button.setEnabled(v is not None and not v.restricted)
        self.place_button.setEnabled(v is not None and not v.restricted)
        self.volume_labels_button.setEnabled(v is not None and not v.restricted)
        if v is None:
            self.volume_label.setText(self.tr("选择一个案卷查看卷内文件。"))
        elif v.restricted:
            self.volume_label.setText(
                self.tr("{0}：受限（您的涉密级别不足，仅显示档号）").format(v.reference_code)
            )
        else:
            marking = f"　{v.secrecy}" if v.secrecy else ""
            carriers = f"（{v.carriers}）" if v.carriers else ""
            self.volume_label.setText(
                self.tr("{0}　{1}　{2}{3}　共 {4} 件 {5} 页{6}").format(
                    v.reference_code,
                    v.title,
                    v.retention,
                    marking,
                    v.item_count,
                    v.page_count,
                    carriers,
                )
                + self._place_note(v.id)
                + self._incident_note(v.id)
                + self._condition_note(v.id)
            )

    def _place_note(self, volume_id: int) -> str:
        """``　存放：H000013 K1-01-A-1-3`` (or 借出 / 尚未上架), R20."""
        from app.services.locations import where_is_volume

        try:
            where = where_is_volume(
                session=self._session, volume_id=volume_id, clock=self._context.clock
            )
        except AppError:
            return ""
        place = " ".join(p for p in (where.box_code, where.location_code) if p)
        text = self.tr("　存放：{0}").format(place) if place else self.tr("　尚未上架")
        if where.state == VolumeState.ON_LOAN.value:
            text += self.tr("（借出）")
        elif where.state == VolumeState.IN_REPAIR.value:
            text += self.tr("（在修）")
        return text

    def _condition_note(self, volume_id: int) -> str:
        """``　状况记录：霉变（JC2026-0001）`` from inspections (issue 8, R41)."""
        from app.domain.roles import may
        from app.services.inspections import list_volume_conditions

        if not may(self._session.actor.roles, "inspection.read"):
            return ""
        try:
            rows = list_volume_conditions(
                session=self._session, volume_id=volume_id, clock=self._context.clock
            )
        except AppError:
            return ""
        if not rows:
            return ""
        latest = rows[0]
        where = f"（{latest.session_number}）" if latest.session_number else ""
        more = self.tr(" 等 {0} 条").format(len(rows)) if len(rows) > 1 else ""
        return self.tr("　状况记录：{0}{1}{2}").format(self.tr(latest.kind_label), where, more)

    def show_place(self) -> None:
        """Where the volume is kept and every move it made (R23)."""
        from app.services.locations import object_history, where_is_volume
        from ui.dialogs.locations import VolumeHistoryDialog

        v = self._current
        if v is None or v.restricted:
            return
        clock = self._context.clock
        try:
            where = where_is_volume(session=self._session, volume_id=v.id, clock=clock)
            moves = object_history(
                session=self._session, object_type="volume", object_id=v.id, clock=clock
            )
        except AppError as exc:
            show_error(self, exc)
            return
        VolumeHistoryDialog(self, where, moves).exec()

    def print_volume_label(self) -> None:
        """The selected volume's label: 档号 + check character QR, year, retention, mark, place."""
        from app.services.labels import volume_labels
        from app.services.locations import where_is_volume
        from ui.dialogs.label_sheet import LabelSheetDialog, session_actions

        v = self._current
        if v is None or v.restricted:
            return
        clock = self._context.clock
        try:
            where = where_is_volume(session=self._session, volume_id=v.id, clock=clock)
            labels = volume_labels(
                session=self._session,
                volume_ids=[v.id],
                clock=clock,
                locations={v.id: where.location_code} if where.location_code else None,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        LabelSheetDialog(
            self, labels, session_actions(self._session, clock), title=self.tr("案卷标签")
        ).exec()

    def _incident_note(self, volume_id: int) -> str:
        """``　涉及事件：SJ-2026-001`` when the volume is named in the incident register (R45)."""
        from app.services.incidents import list_incidents_for

        try:
            found = list_incidents_for(
                session=self._session,
                object_type="volume",
                object_id=volume_id,
                clock=self._context.clock,
            )
        except AppError:
            return ""
        if not found:
            return ""
        return self.tr("　涉及事件：{0}").format("、".join(i.number for i in found))

    def _item_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        item = self.selected_item()
        self.files_button.setEnabled(item is not None and not item.restricted)

    def selected_item(self) -> ItemRow | None:
        """The item selected in the lower table."""
        rows = self.item_table.selectionModel().selectedRows()
        return self.items.rows[rows[0].row()] if rows else None

    def item_files(self) -> None:
        """The selected item's electronic files: attach, open with a purpose, view."""
        item, v = self.selected_item(), self._current
        if item is None or item.restricted or v is None:
            return
        classified = v.secrecy.startswith(("机密", "绝密"))
        try:  # R31: copies of 机密/绝密 content only under an issued, approved copy
            approved = classified and copy_approved(
                session=self._session, volume_id=v.id, clock=self._context.clock
            )
        except AppError:
            approved = False
        dialog = ItemFilesDialog(
            self,
            self._context,
            self._session,
            item.id,
            f"{v.reference_code} 第 {item.seq} 件",
            can_attach=self._session.actor.has(Role.ARCHIVIST),
            copy_restricted=classified and not approved,
        )
        dialog.exec()

    def import_history(self) -> None:
        """导入记录: earlier imports, undoable while their rows are unchanged."""
        from ui.dialogs.import_wizard import ImportHistoryDialog

        ImportHistoryDialog(self, self._context, self._session, "volumes").exec()
        self.refresh()

    def import_ledger(self) -> None:
        """导入案卷和卷内文件 (wizard)."""
        from ui.dialogs.import_wizard import ImportWizard

        ImportWizard(self, self._context, self._session, "volumes").exec()
        self.refresh()

    def export_list(self) -> None:
        """The listed volumes as Excel or PDF: a purpose first (audited, R40)."""
        from app.services.exports import ExportFormat, export_volumes
        from ui.dialogs.export_list import ExportListDialog

        ask = ExportListDialog(self, self.tr("案卷目录"), customers=False)
        ask.setWindowTitle(self.tr("导出案卷目录"))
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        fmt = ask.fmt()
        target, _f = QFileDialog.getSaveFileName(
            self,
            self.tr("导出到"),
            f"案卷目录.{fmt.value}",
            self.tr("PDF 文件 (*.pdf)")
            if fmt == ExportFormat.PDF
            else self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not target:
            return
        try:
            data = export_volumes(
                session=self._session,
                query=self.search.text(),
                purpose=ask.purpose.currentText(),
                clock=self._context.clock,
                fmt=fmt,
            )
            atomic_write_bytes(Path(target), data)
        except AppError as exc:
            show_error(self, exc)
            return
        self.count_label.setText(self.tr("已导出到 {0}").format(Path(target).name))

    def review_secrecy(self) -> None:
        """The 90-day review queue (approvers may extend a term there)."""
        SecrecyReviewDialog(self, self._context, self._session).exec()
        self.refresh()

    def select_volume(self, volume_id: int) -> None:
        """Select ``volume_id`` in the list when shown."""
        for n, row in enumerate(self.volumes.rows):
            if row.id == volume_id:
                self.volume_table.selectRow(n)
                return

    # -- actions ------------------------------------------------------------------------
    def new_volume(self) -> None:
        """新建案卷."""
        clock = self._context.clock

        def submit(dialog: VolumeFormDialog) -> Any:
            customer_id, _name = customer_for_filing(
                session=self._session, number=dialog.customer.text(), clock=clock
            )
            return create_volume(
                session=self._session, draft=dialog.draft(customer_id), clock=clock
            )

        dialog = VolumeFormDialog(self, clock.now().astimezone().date(), submit)
        if dialog.exec() and dialog.result_value is not None:
            self.search.setText(dialog.result_value.reference_code)  # lists and selects it

    def edit_volume(self) -> None:
        """修改案卷信息: title and the 立卷 details of the 备考表."""
        v = self._current
        if v is None or v.restricted:
            return
        clock = self._context.clock
        volume_id = v.id
        try:
            view = get_volume_details(session=self._session, volume_id=volume_id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return

        def submit(dialog: VolumeDetailsDialog) -> Any:
            update_volume_details(
                session=self._session,
                volume_id=volume_id,
                details=dialog.details(),
                expected_version=view.version,
                clock=clock,
            )
            return True

        dialog = VolumeDetailsDialog(
            self, v.reference_code, view.details, clock.now().astimezone().date(), submit
        )
        if dialog.exec():
            self.refresh()
            self.select_volume(volume_id)

    def new_item(self) -> None:
        """添加卷内文件 to the selected volume."""
        v = self._current
        if v is None or v.restricted:
            return
        clock = self._context.clock
        volume_id = v.id

        def submit(dialog: ItemFormDialog) -> Any:
            return add_item(
                session=self._session, volume_id=volume_id, draft=dialog.draft(), clock=clock
            )

        dialog = ItemFormDialog(self, v.reference_code, clock.now().astimezone().date(), submit)
        if dialog.exec():
            self.refresh()
            self.select_volume(volume_id)

    def print_form(self, form: str) -> None:
        """Preview the 卷内目录 or 卷内备考表 of the selected volume; print or save from there."""
        v = self._current
        if v is None or v.restricted:
            return
        clock = self._context.clock
        volume_id = v.id
        try:
            if form == "catalogue":
                pdf = volume_catalogue_pdf(session=self._session, volume_id=volume_id, clock=clock)
            else:
                pdf = volume_note_pdf(session=self._session, volume_id=volume_id, clock=clock)
        except AppError as exc:
            show_error(self, exc)
            return

        def audit(kind: str) -> None:
            record_output(
                session=self._session, volume_id=volume_id, form=form, kind=kind, clock=clock
            )

        title = FORMS[form]
        show_print_preview(
            self,
            self.tr("{0} — {1}").format(title, v.reference_code),
            pdf,
            self._context,
            on_output=audit,
            file_name=f"{title}-{v.reference_code}.pdf",
        )
