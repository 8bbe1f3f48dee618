"""What the 档案 page's buttons do: forms, files, place, labels, printing, import, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.domain.roles import Role
from app.domain.scan_codes import ScanResult, read_code
from app.errors import AppError, ScanRejected
from app.services.auth import SignedIn
from app.services.catalogue import (
    FORMS,
    ItemRow,
    VolumeRow,
    add_item,
    create_volume,
    customer_for_filing,
    get_volume_details,
    record_output,
    update_volume_details,
    volume_catalogue_pdf,
    volume_note_pdf,
)
from ui.context import AppContext
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeDetailsDialog, VolumeFormDialog
from ui.dialogs.item_files import ItemFilesDialog
from ui.dialogs.print_preview import show_print_preview
from ui.dialogs.secrecy_review import SecrecyReviewDialog
from ui.errors import UseCases, show_error
from ui.tasks import ProgressSink, run_in_background

T = TypeVar("T")


class ArchiveActions(UseCases, QWidget):
    """The page's actions; :class:`ui.pages.archives.page.ArchivesPage` builds the widgets."""

    _context: AppContext
    _session: SignedIn
    _current: VolumeRow | None
    search: QLineEdit
    count_label: QLabel

    def refresh(self) -> None:
        """List again (the page does it)."""
        raise NotImplementedError

    def select_volume(self, volume_id: int) -> None:
        """Select a listed volume (the page knows the table)."""
        raise NotImplementedError

    def selected_item(self) -> ItemRow | None:
        """The selected item (the page knows the table)."""
        raise NotImplementedError

    def _open_volume(self) -> VolumeRow | None:
        """The selected volume when the user may see it (None: no selection, or 受限)."""
        v = self._current
        return None if v is None or v.restricted else v

    def _fetch_for_volume(self, fetch: Callable[[VolumeRow], T]) -> tuple[VolumeRow, T] | None:
        """``fetch`` for the selected open volume; None when there is none or it fails (shown)."""
        v = self._open_volume()
        if v is None:
            return None
        try:
            return v, fetch(v)
        except AppError as exc:
            show_error(self, exc)
            return None

    def show_place(self) -> None:
        """Where the volume is kept and every move it made (R23)."""
        from app.services.locations import MoveRow, VolumeWhere, object_history, where_is_volume
        from ui.dialogs.locations import VolumeHistoryDialog

        clock = self._context.clock

        def fetch(v: VolumeRow) -> tuple[VolumeWhere, list[MoveRow]]:
            where = where_is_volume(session=self._session, volume_id=v.id, clock=clock)
            moves = object_history(
                session=self._session, object_type="volume", object_id=v.id, clock=clock
            )
            return where, moves

        got = self._fetch_for_volume(fetch)
        if got is not None:
            where, moves = got[1]
            VolumeHistoryDialog(self, where, moves).exec()

    def print_volume_label(self) -> None:
        """The selected volume's label: 档号 + check character QR, year, retention, mark, place."""
        from app.services.locations import volume_labels, where_is_volume
        from ui.dialogs.label_sheet import LabelSheetDialog, session_actions

        clock = self._context.clock

        def fetch(v: VolumeRow) -> Any:
            where = where_is_volume(session=self._session, volume_id=v.id, clock=clock)
            return volume_labels(
                session=self._session,
                volume_ids=[v.id],
                clock=clock,
                locations={v.id: where.location_code} if where.location_code else None,
            )

        got = self._fetch_for_volume(fetch)
        if got is None:
            return
        labels = got[1]
        LabelSheetDialog(
            self, labels, session_actions(self._session, clock), title=self.tr("案卷标签")
        ).exec()

    def item_files(self) -> None:
        """The selected item's electronic files: attach, open with a purpose, view.

        Copies (print, save) are checked by the service: 机密/绝密 only under the user's own
        approved 复制 of the item (R31, issue 23).
        """
        item, v = self.selected_item(), self._current
        if item is None or item.restricted or v is None:
            return
        dialog = ItemFilesDialog(
            self,
            self._context,
            self._session,
            item.id,
            f"{v.reference_code} 第 {item.seq} 件",
            can_attach=self._session.actor.has(Role.ARCHIVIST),
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

    def link_volumes(self) -> None:
        """待关联案卷: volumes imported without a customer, linked one by one or in a batch."""
        from ui.dialogs.link_volumes import LinkVolumesDialog

        LinkVolumesDialog(self, self._context, self._session).exec()
        self.refresh()

    def export_list(self) -> None:
        """The listed volumes as Excel or PDF: a purpose first (audited, R40)."""
        from app.services.exports import ExportFormat, export_volumes
        from ui.dialogs.export_list import ExportListDialog, export_to_file

        ask = ExportListDialog(self, self.tr("案卷目录"), customers=False)
        ask.setWindowTitle(self.tr("导出案卷目录"))

        def produce(fmt: ExportFormat) -> bytes:
            return export_volumes(
                session=self._session,
                query=self.search.text(),
                purpose=ask.purpose.currentText(),
                clock=self._context.clock,
                fmt=fmt,
            )

        written = export_to_file(self, ask, "案卷目录", produce)
        if written is not None:
            self.count_label.setText(self.tr("已导出到 {0}").format(written.name))

    def review_secrecy(self) -> None:
        """The 90-day review queue (approvers may extend a term there)."""
        SecrecyReviewDialog(self, self._context, self._session).exec()
        self.refresh()

    # -- actions ------------------------------------------------------------------------
    def new_volume(self) -> None:
        """新建案卷."""
        clock = self._context.clock

        def submit(dialog: VolumeFormDialog) -> Any:
            typed = dialog.customer_code()  # typed, picked by name, or its label scanned
            result, scanned = read_code(typed)
            if result is ScanResult.BAD_CHECK:
                raise ScanRejected(detail=self.tr("客户编号的校验位不正确：请重新扫描或手工输入。"))
            number = scanned.code if scanned is not None else typed
            customer_id, _name = customer_for_filing(
                session=self._session, number=number, clock=clock
            )
            return create_volume(
                session=self._session, draft=dialog.draft(customer_id), clock=clock
            )

        def find(text: str) -> list[tuple[str, str]]:
            from app.services.customers import search_customers

            hits = search_customers(session=self._session, query=text, clock=clock, limit=12)
            return [(row.number, row.name) for row in hits.rows]

        dialog = VolumeFormDialog(self, clock.now().astimezone().date(), submit, find)
        if dialog.exec() and dialog.result_value is not None:
            self.search.setText(dialog.result_value.reference_code)
            self.refresh()  # lists and selects it at once (no typing pause)

    def edit_volume(self) -> None:
        """修改案卷信息: title and the 立卷 details of the 备考表."""
        clock = self._context.clock
        got = self._fetch_for_volume(
            lambda v: get_volume_details(session=self._session, volume_id=v.id, clock=clock)
        )
        if got is None:
            return
        v, view = got
        volume_id = v.id

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
        v = self._open_volume()
        if v is None:
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
        v = self._open_volume()
        if v is None:
            return
        clock = self._context.clock
        volume_id, reference = v.id, v.reference_code
        session = self._session
        title = FORMS[form]

        def render(_sink: ProgressSink) -> bytes:  # off the GUI thread (issue 21, point 8)
            if form == "catalogue":
                return volume_catalogue_pdf(session=session, volume_id=volume_id, clock=clock)
            return volume_note_pdf(session=session, volume_id=volume_id, clock=clock)

        def audit(kind: str) -> None:
            record_output(session=session, volume_id=volume_id, form=form, kind=kind, clock=clock)

        def preview(pdf: bytes) -> None:
            show_print_preview(
                self,
                self.tr("{0} — {1}").format(title, reference),
                pdf,
                self._context,
                on_output=audit,
                file_name=f"{title}-{reference}.pdf",
            )

        self.print_task = run_in_background(
            self, self.tr("正在生成{0}……").format(title), render, preview
        )
