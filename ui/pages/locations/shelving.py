"""The fast shelving path of the 库位 page (issue 21): three actions for a new volume.

Scanning (or typing) a volume or box that is not on a shelf yet shows it and proposes where it
goes: a volume the newest box of its 门类 with room, a box the next free place in shelving
order (R21, R22). Enter in the empty scan box accepts the proposal; scanning a box or place
puts it there instead; Esc forgets it. So a new volume in a new box is shelved by: scan the
volume, scan the box (the volume goes in, the box's place is proposed), Enter.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.scan_codes import ScanKind
from app.errors import AppError
from app.services import locations as L
from ui.errors import message_for
from ui.pages.locations.view import PlaceView


@dataclass(frozen=True)
class Shelving:
    """A volume or box waiting to be shelved, and where it is proposed to go."""

    what: L.ScanTarget
    to: L.ScanTarget | None  # the proposed box (for a volume) or place (for a box)


class ShelvingMixin(PlaceView):
    """Propose, accept with Enter, or put down where the next scan says."""

    _shelving: Shelving | None = None

    @property
    def shelving(self) -> Shelving | None:
        """What waits to be shelved (None: nothing)."""
        return self._shelving

    def forget_shelving(self) -> None:
        """Esc: nothing waits any more."""
        if self._shelving is not None:
            self._shelving = None
            self.status.setStyleSheet("")
            self.status.setText(self.tr("已取消上架。"))

    def offer_volume(self, volume: L.ScanTarget, where: L.VolumeWhere) -> None:
        """A volume not on a shelf was scanned: propose its box."""
        if not self._writer or where.state != "on_shelf" or where.box_id or where.location_id:
            self._shelving = None
            return
        clock = self._context.clock
        try:
            box = L.propose_box_for_volume(
                session=self._session, volume_id=volume.object_id, clock=clock
            )
        except AppError as exc:
            self._scan_failed(message_for(exc))
            return
        to = L.ScanTarget(ScanKind.BOX, box.box_id, box.code) if box.box_id is not None else None
        self._shelving = Shelving(volume, to)
        if to is None:
            hint = self.tr("请扫描（或输入）要放入的档案盒或保密柜位置；Esc 取消。")
        else:
            hint = self.tr("回车放入档案盒 {0}（建议），或扫描其他档案盒/位置；Esc 取消。").format(
                to.code
            )
        self.status.setText(self.tr("案卷 {0} 尚未上架。").format(volume.code) + hint)

    def offer_box(self, box: L.ScanTarget, *, prefix: str = "") -> None:
        """A box not on a shelf: propose the next free place for it."""
        if not self._writer:
            return
        try:
            proposal = L.propose_place(
                session=self._session, box_id=box.object_id, clock=self._context.clock
            )
        except AppError as exc:
            self._scan_failed(message_for(exc))
            return
        if proposal.location_id is None:
            self._shelving = Shelving(box, None)
            need = self.tr("（含机密/绝密档案：须放入保密柜）") if proposal.secure_needed else ""
            self.status.setText(
                prefix
                + self.tr("档案盒 {0} 尚未上架，没有合适的空位{1}：请扫描目标位置。").format(
                    box.code, need
                )
            )
            return
        to = L.ScanTarget(ScanKind.LOCATION, proposal.location_id, proposal.code)
        self._shelving = Shelving(box, to)
        self.status.setText(
            prefix
            + self.tr(
                "档案盒 {0} 尚未上架：回车上架到 {1}（建议），或扫描其他位置；Esc 取消。"
            ).format(box.code, proposal.code)
        )

    def shelve_to(self, target: L.ScanTarget | None = None) -> bool:
        """Put what waits at ``target`` (None: the proposal). False when it cannot go there."""
        pending = self._shelving
        if pending is None:
            return False
        to = target or pending.to
        if to is None:
            return False
        what = pending.what
        clock = self._context.clock
        into_box = to.object_id if to.kind is ScanKind.BOX else None
        into_place = to.object_id if to.kind is ScanKind.LOCATION else None
        try:
            if what.kind is ScanKind.VOLUME and to.kind in (ScanKind.BOX, ScanKind.LOCATION):
                done = L.put_volume(
                    session=self._session,
                    volume_id=what.object_id,
                    box_id=into_box,
                    location_id=into_place,
                    clock=clock,
                )
            elif what.kind is ScanKind.BOX and to.kind is ScanKind.LOCATION:
                done = L.place_box(
                    session=self._session,
                    box_id=what.object_id,
                    location_id=to.object_id,
                    clock=clock,
                )
            else:
                return False
        except AppError as exc:
            self._scan_failed(message_for(exc))
            return True  # handled: the operator reads why and scans again
        self._shelving = None
        self.status.setStyleSheet("")
        said = self.tr("已上架：{0} → {1}。").format(done.label, done.to_code or to.code)
        if to.kind is ScanKind.BOX:
            box = L.get_box(session=self._session, box_id=to.object_id, clock=clock)
            if box.location_id is None:
                self._show_box_alone(box)
                self.offer_box(to, prefix=self.tr("已放入 {0}。").format(to.code))
                return True
            self.show_location(box.location_id, select_box=box.id)
        elif what.kind is ScanKind.BOX:
            self.show_location(to.object_id, select_box=what.object_id)
        else:
            self.show_location(to.object_id)
        self.status.setText(said)
        return True
