"""Scanning on the 库位 page (R24): jump to what a code names, or move it in move mode.

Outside move mode a scanned place, box or volume is shown (and one not on a shelf yet is
offered for shelving, :mod:`.shelving`); in move mode one scan picks a box or volume up and the
next puts it down (a box on a place, a volume in a box or on a place). Codes are read by the
one input rule: scanned, or typed with or without their check character.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.domain.scan_codes import ScanKind
from app.errors import AppError
from app.services import locations as L
from ui.errors import message_for
from ui.pages.locations.shelving import ShelvingMixin


class ScanningMixin(ShelvingMixin):
    """The scan box and move mode of the page."""

    def _scan_entered(self) -> None:
        text = self.scan.text().strip()
        if not text:
            if self.shelving is not None and not self.move_mode.isChecked():
                self.shelve_to()  # Enter accepts the proposal
            return
        try:
            target = L.resolve_scan(session=self._session, text=text, clock=self._context.clock)
        except AppError as exc:  # a wrong check character, or a code naming nothing here
            self.scan.selectAll()
            QApplication.beep()
            self._scan_failed(message_for(exc))
            return
        if target is None:
            self._scan_failed(
                self.tr(
                    "“{0}”不是档号、盒号或位置编码：请扫描标签，或在“档案”“客户”中检索。"
                ).format(text)
            )
            self.scan.selectAll()
            return
        self.scan.clear()
        self.handle_scan(target)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc forgets what waits to be shelved (or picked up in move mode)."""
        if event.key() == Qt.Key.Key_Escape and (self.shelving or self._pending):
            self._pending = None
            self.forget_shelving()
            return
        super().keyPressEvent(event)

    def handle_scan(self, target: L.ScanTarget) -> None:
        """Jump to a scanned object, shelve what waits, or (move mode) pick up / put down."""
        self.status.setStyleSheet("")
        if not self.move_mode.isChecked():
            pending = self.shelving
            if (
                pending is not None
                and target.kind in (ScanKind.BOX, ScanKind.LOCATION)
                and (target.kind is ScanKind.LOCATION or pending.what.kind is ScanKind.VOLUME)
                and self.shelve_to(target)
            ):
                return
            self._shelving = None
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
        try:
            done = self._put_down(pending, target)
            if done is None:
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

    def _put_down(self, pending: L.ScanTarget, target: L.ScanTarget) -> L.MoveDone | None:
        """Put the picked-up box or volume at ``target``; None when it cannot go there."""
        clock = self._context.clock
        if pending.kind is ScanKind.BOX and target.kind is ScanKind.LOCATION:
            return L.place_box(
                session=self._session,
                box_id=pending.object_id,
                location_id=target.object_id,
                clock=clock,
            )
        if pending.kind is ScanKind.VOLUME and target.kind is ScanKind.BOX:
            into = {"box_id": target.object_id}
        elif pending.kind is ScanKind.VOLUME and target.kind is ScanKind.LOCATION:
            into = {"location_id": target.object_id}
        else:
            return None
        return L.put_volume(session=self._session, volume_id=pending.object_id, clock=clock, **into)

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
                    self._show_box_alone(box)
                    self.status.setText(self.tr("档案盒 {0} 尚未上架").format(box.code))
                    self.offer_box(target)
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
                self.offer_volume(target, where)
        except AppError as exc:
            self._scan_failed(message_for(exc))

    def _move_mode_changed(self, on: bool) -> None:
        self._pending = None
        self.status.setStyleSheet("")
        self.status.setText(
            self.tr("移动模式：扫描档案盒（或案卷），再扫描目标位置（或档案盒）。") if on else ""
        )
        self.scan.setFocus()
