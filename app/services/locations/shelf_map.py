"""The shelf map of a face or cabinet, and the 机密/绝密 volumes that must move (R22)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain import locations as loc
from app.domain.catalogue import (
    SECRECY_LABELS,
    SecrecyLevel,
)
from app.domain.locations import LocationKind
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.locations._common import MARKED, _chunks, _get_location, _id
from app.services.locations.occupancy import _higher, _used
from app.storage.models import (
    ArchiveBox,
    StorageLocation,
    UserAccount,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class MustMoveRow:
    """A 机密/绝密 volume kept in an ordinary place."""

    volume_id: int
    reference_code: str
    secrecy_label: str
    box_code: str
    location_code: str


def list_must_move(*, session: SignedIn, clock: Clock) -> list[MustMoveRow]:
    """Every 机密/绝密 volume (alone or in a box) standing in an ordinary place."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "location.read"))
        rows = _marked_in_ordinary(uow, in_box=False) + _marked_in_ordinary(uow, in_box=True)
        rows = [r for r in rows if access.may_see(reader, _level_value(r.secrecy_label))]
        return sorted(rows, key=lambda r: (r.location_code, r.box_code, r.reference_code))


def _marked_in_ordinary(uow: UnitOfWork, *, in_box: bool) -> list[MustMoveRow]:
    """机密/绝密 volumes in an ordinary place: placed there directly, or (``in_box``) in a box."""
    stmt = select(
        Volume.id,
        Volume.reference_code,
        Volume.secrecy_level,
        StorageLocation.code,
        *([ArchiveBox.code] if in_box else []),
    ).join(VolumePlace, VolumePlace.volume_id == Volume.id)
    if in_box:
        stmt = stmt.join(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
    holder = ArchiveBox.location_id if in_box else VolumePlace.location_id
    stmt = stmt.join(StorageLocation, StorageLocation.id == holder).where(
        Volume.secrecy_level.in_(MARKED), StorageLocation.secure_effective.is_(False)
    )
    return [
        MustMoveRow(vid, ref, SECRECY_LABELS[SecrecyLevel(str(level))], "".join(box), where)
        for vid, ref, level, where, *box in uow.session.execute(stmt)  # box: [] or [its code]
    ]


def _level_value(label: str) -> str | None:
    for level, text in SECRECY_LABELS.items():
        if text == label:
            return level.value
    return None


@dataclass(frozen=True)
class MapCell:
    """One 节 × 层 cell of a face or cabinet."""

    section: int
    layer: int
    location_id: int
    code: str
    used: int
    capacity: int
    secure: bool
    highest_level: str | None
    secrecy_label: str
    problems: tuple[str, ...]

    @property
    def fill(self) -> float:
        """Share of the capacity in use (0–1, above 1 when over-full)."""
        return self.used / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class ShelfMap:
    """A face or cabinet as a grid."""

    grid_id: int
    code: str
    name: str
    secure: bool
    custodian: str
    sections: list[int]
    layers: list[int]
    cells: dict[tuple[int, int], MapCell]

    @property
    def totals(self) -> tuple[int, int]:
        """(used, capacity) of the whole grid."""
        return (
            sum(c.used for c in self.cells.values()),
            sum(c.capacity for c in self.cells.values()),
        )


def get_shelf_map(*, session: SignedIn, grid_id: int, clock: Clock) -> ShelfMap:
    """Occupancy, fill, secrecy and problems of every 节 × 层 of a face or cabinet."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        grid = _get_location(uow, grid_id)
        if grid.kind not in {k.value for k in loc.GRID_KINDS}:
            raise ValidationFailed([FieldError("location", "not_grid", {"code": grid.code})])
        nodes = list(
            uow.session.execute(
                select(
                    StorageLocation.id,
                    StorageLocation.kind,
                    StorageLocation.code,
                    StorageLocation.section_no,
                    StorageLocation.layer_no,
                    StorageLocation.capacity,
                    StorageLocation.secure_effective,
                ).where(StorageLocation.grid_id == grid.id)
            )
        )
        slot_cell: dict[int, tuple[int, int]] = {}
        layer_rows: dict[tuple[int, int], Any] = {}
        cap: dict[tuple[int, int], int] = defaultdict(int)
        secure_cell: dict[tuple[int, int], bool] = {}
        for lid, kind, code, sec, lay, capacity, secure in nodes:
            if sec is None or lay is None:
                continue  # the 节 rows themselves
            if kind == LocationKind.LAYER.value:
                layer_rows[(sec, lay)] = (lid, code)
                secure_cell[(sec, lay)] = bool(secure)
            if capacity is not None:
                slot_cell[lid] = (sec, lay)
                cap[(sec, lay)] += capacity
        used: dict[tuple[int, int], int] = defaultdict(int)
        level: dict[tuple[int, int], str | None] = {}
        ordinary_marked: dict[tuple[int, int], int] = defaultdict(int)
        slot_ids = list(slot_cell)
        for chunk in _chunks(slot_ids):
            for slot_id, n in _used(uow, chunk).items():
                used[slot_cell[slot_id]] += n
            boxed = (
                select(ArchiveBox.location_id, Volume.secrecy_level)
                .join(VolumePlace, VolumePlace.box_id == ArchiveBox.id)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .where(ArchiveBox.location_id.in_(chunk), Volume.secrecy_level.is_not(None))
            )
            direct = (
                select(VolumePlace.location_id, Volume.secrecy_level)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .where(VolumePlace.location_id.in_(chunk), Volume.secrecy_level.is_not(None))
            )
            for slot_id, lvl in [*uow.session.execute(boxed), *uow.session.execute(direct)]:
                cell = slot_cell[_id(slot_id)]
                level[cell] = _higher(level.get(cell), lvl)
                if lvl in MARKED and not secure_cell.get(cell, False):
                    ordinary_marked[cell] += 1
        cells = {}
        for key, (lid, code) in layer_rows.items():
            problems = []
            if cap[key] and used[key] > cap[key]:
                problems.append("over_capacity")
            if ordinary_marked[key]:
                problems.append("must_move")
            lvl = level.get(key)
            cells[key] = MapCell(
                section=key[0],
                layer=key[1],
                location_id=lid,
                code=code,
                used=used[key],
                capacity=cap[key],
                secure=secure_cell.get(key, False),
                highest_level=lvl,
                secrecy_label=SECRECY_LABELS[SecrecyLevel(lvl)] if lvl else "",
                problems=tuple(problems),
            )
        custodian = ""
        holder: StorageLocation | None = grid
        while holder is not None and holder.custodian_id is None and holder.parent_id:
            holder = uow.session.get(StorageLocation, holder.parent_id)
        if holder is not None and holder.custodian_id:
            user = uow.session.get(UserAccount, holder.custodian_id)
            custodian = user.display_name if user else ""
        return ShelfMap(
            grid_id=grid.id,
            code=grid.code,
            name=grid.name,
            secure=grid.secure_effective,
            custodian=custodian,
            sections=sorted({k[0] for k in cells}),
            layers=sorted({k[1] for k in cells}),
            cells=cells,
        )
