"""档案: volumes (案卷) with their 档号, and the items (件) of the selected volume.

Classified rows above the user's clearance show "受限" with the 档号 only: the services
decide, this page only shows what it gets.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.roles import Role
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.catalogue import ItemRow, VolumeRow, get_volume, list_volumes, search_catalogue
from ui.context import AppContext
from ui.errors import REFUSED, show_error, show_unexpected
from ui.pages.archives.actions import ArchiveActions
from ui.pages.archives.models import ItemTableModel, VolumeTableModel
from ui.pages.archives.notes import condition_note, incident_note, place_note
from ui.tasks import LatestQuery
from ui.widgets.buttons import add_button, search_field
from ui.widgets.table_panel import list_view

SEARCH_DELAY_MS = 150  # the typing pause before a search-as-you-type


class ArchivesPage(ArchiveActions):
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
        self.search = search_field(
            "volume_search",
            self.tr(
                "档号（可直接扫码）或其开头、题名、拼音、备注、卷内文件题名；"
                "留空列出最近的案卷 (Ctrl+F)"
            ),
        )
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_as_typed)
        self._query = LatestQuery(self)  # search-as-you-type, off the GUI thread
        top.addWidget(self.search, 1)
        writer = self._session.actor.has(Role.ARCHIVIST)
        self.new_button = add_button(
            top, self.tr("新建案卷… (Ctrl+N)"), "new_volume", self.new_volume, visible=writer
        )
        self.review_button = add_button(
            top,
            self.tr("保密期限复核…"),
            "secrecy_review",
            self.review_secrecy,
            visible=writer or self._session.actor.has(Role.APPROVER),
        )
        self.import_button = add_button(
            top, self.tr("导入…"), "import_volumes", self.import_ledger, visible=writer
        )
        self.history_button = add_button(
            top, self.tr("导入记录…"), "import_history", self.import_history, visible=writer
        )
        self.unlinked_button = add_button(
            top, self.tr("待关联案卷…"), "unlinked_volumes", self.link_volumes, visible=writer
        )
        self.export_button = add_button(top, self.tr("导出…"), "export_volumes", self.export_list)
        layout.addLayout(top)
        self.count_label = QLabel(objectName="volume_count")
        layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.volumes = VolumeTableModel()
        self.volume_table = list_view("volume_table", self.volumes)
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
        self.add_item_button = add_button(
            bar,
            self.tr("添加卷内文件… (Ctrl+I)"),
            "add_item",
            self.new_item,
            visible=writer,
            enabled=False,
        )
        self.edit_volume_button = add_button(
            bar,
            self.tr("修改案卷信息…"),
            "edit_volume",
            self.edit_volume,
            visible=writer,
            enabled=False,
        )
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
        self.files_button = add_button(
            bar, self.tr("电子文件…"), "item_files", self.item_files, enabled=False
        )
        self.place_button = add_button(
            bar, self.tr("位置与移动记录…"), "volume_place", self.show_place, enabled=False
        )
        self.volume_labels_button = add_button(
            bar,
            self.tr("打印标签… (Ctrl+Shift+P)"),
            "volume_labels",
            self.print_volume_label,
            visible=can_print,
            enabled=False,
        )
        lower_layout.addLayout(bar)
        self.items = ItemTableModel()
        self.item_table = list_view("item_table", self.items)
        self.item_table.setColumnWidth(3, 260)
        lower_layout.addWidget(self.item_table, 1)
        splitter.addWidget(lower)
        splitter.setSizes([380, 300])
        layout.addWidget(splitter, 1)
        self.volume_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.item_table.selectionModel().selectionChanged.connect(self._item_selected)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        if writer:  # the keyboard's way to the desk's daily buttons (issue 21)
            QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_volume)
            QShortcut(QKeySequence("Ctrl+I"), self, activated=self.new_item)
        if can_print:
            QShortcut(QKeySequence("Ctrl+Shift+P"), self, activated=self.print_volume_label)
        self._current: VolumeRow | None = None

    def focus_search(self) -> None:
        """Ctrl+F: the search box, its text selected (typing replaces it)."""
        self.search.setFocus()
        self.search.selectAll()

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """List by 档号 prefix, or the latest volumes (at once: Enter, a scan, a change)."""
        self._timer.stop()
        self._query.cancel()  # an older search-as-you-type must not land after this
        text = self.search.text().strip()
        try:
            rows = self._find(text)
        except AppError as exc:
            show_error(self, exc)
            return
        self._show_rows(text, rows)

    def _find(self, text: str) -> list[VolumeRow]:
        """The volumes ``text`` finds (a typed 档号 as the scanner would give it too)."""
        clock = self._context.clock
        if not text:
            return list_volumes(session=self._session, clock=clock, limit=500)
        rows = search_catalogue(session=self._session, query=text, clock=clock)
        if not rows:  # a 档号 typed with . or - for its ·, or with a check character
            stored = self._typed_reference(text)
            if stored is not None:
                rows = search_catalogue(session=self._session, query=stored, clock=clock)
        return rows

    def _show_rows(self, text: str, rows: list[VolumeRow]) -> None:
        if text:
            self.count_label.setText(self.tr("“{0}”：{1} 卷").format(text, len(rows)))
        else:
            self.count_label.setText(self.tr("最近的 {0} 卷").format(len(rows)))
        self.volumes.set_rows(rows)
        self._show_volume(None)
        if len(rows) == 1:  # a scanned 档号: open it at once
            self.volume_table.selectRow(0)

    def _search_as_typed(self) -> None:
        """The typing pause: search in a worker; the newest query wins (issue 21, point 8)."""
        text = self.search.text().strip()

        def show(rows: list[VolumeRow]) -> None:
            if self.search.text().strip() == text:  # else the next pause searches again
                self._show_rows(text, rows)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppError):
                show_error(self, exc)
            else:
                show_unexpected(self, exc)

        self._query.run(self.tr("正在查找案卷……"), lambda: self._find(text), show, failed)

    def idle(self) -> bool:
        """True when no search runs in the background."""
        return not self._query.running and not self._timer.isActive()

    def refresh_after_change(self, _changes: Changes) -> None:
        """A write changed volumes, places, loans…: list again, keep the selected volume open."""
        rows = self.volume_table.selectionModel().selectedRows()
        selected = self.volumes.rows[rows[0].row()].id if rows else None
        self.refresh()
        if selected is not None:
            self.select_volume(selected)

    def _typed_reference(self, text: str) -> str | None:
        """The stored 档号 a typed or scanned code names (the one input rule), or None."""
        from app.domain.scan_codes import ScanKind
        from app.services.locations import resolve_scan

        try:
            target = resolve_scan(session=self._session, text=text, clock=self._context.clock)
        except AppError:
            return None
        return target.code if target is not None and target.kind is ScanKind.VOLUME else None

    def _selection_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        rows = self.volume_table.selectionModel().selectedRows()
        self._show_volume(self.volumes.rows[rows[0].row()].id if rows else None)

    def _show_volume(self, volume_id: int | None) -> None:
        self._current = None
        if volume_id is not None:
            volume = self.attempt(get_volume, volume_id=volume_id)
            self._current = None if volume is REFUSED else volume
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
                + place_note(self._session, self._context.clock, v.id)
                + incident_note(self._session, self._context.clock, v.id)
                + condition_note(self._session, self._context.clock, v.id)
            )

    def _item_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        item = self.selected_item()
        self.files_button.setEnabled(item is not None and not item.restricted)

    def selected_item(self) -> ItemRow | None:
        """The item selected in the lower table."""
        rows = self.item_table.selectionModel().selectedRows()
        return self.items.rows[rows[0].row()] if rows else None

    def select_volume(self, volume_id: int) -> None:
        """Select ``volume_id`` in the list when shown."""
        for n, row in enumerate(self.volumes.rows):
            if row.id == volume_id:
                self.volume_table.selectRow(n)
                return
