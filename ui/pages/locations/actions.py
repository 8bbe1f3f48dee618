"""What an archivist does on the 库位 page: create places and boxes, shelve, move, hand over.

Every change is a location service call; secure custody (R22) and the all-or-nothing rule of
bulk moves (R23) live in the services, the page previews and asks.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from app.domain.scan_codes import ScanKind
from app.errors import AppError
from app.services import locations as L
from ui.dialogs.locations import (
    BatchCreateDialog,
    BoxDialog,
    BulkMoveDialog,
    HandoverDialog,
    LocationEditDialog,
    LocationSettingsDialog,
    MustMoveDialog,
)
from ui.errors import REFUSED, message_for, show_error
from ui.pages.locations.view import PlaceView


class ActionsMixin(PlaceView):
    """The page's buttons that change places and boxes."""

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
        current = self.attempt(L.get_location_settings)
        if current is REFUSED:
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
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        self.scan.setFocus()  # back to scanning
        if not accepted:
            return
        box: L.BoxRow = dialog.result_value
        self._show_box_alone(box)
        self.status.setText(
            self.tr(
                "已新建档案盒 {0}。扫描案卷后扫描此盒即可放入；盒的位置随后建议，回车上架。"
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
        ids = self.boxes.chosen_ids()
        if not ids:
            return
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
            text = code.strip()
            target = L.resolve_scan(session=self._session, text=text, clock=clock)
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
        batch = self.attempt(L.bulk_move, requests=requests)
        if batch is REFUSED:
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
            partial(L.custody_places, session=self._session, clock=clock),
            partial(L.hand_over_custody, session=self._session, clock=clock),
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
