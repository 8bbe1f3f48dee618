"""Move history of places, boxes and volumes (R23), and where a volume is now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.locations._common import (
    NotFound,
    _chunks,
    _code_map,
    _codes,
    _get_location,
    _home_location,
    _subtree,
    _volume_place,
    get_or_missing,
)
from app.storage.models import (
    ArchiveBox,
    LocationMove,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


def volume_place_codes(uow: UnitOfWork, volume_ids: Sequence[int]) -> dict[int, str]:
    """``{volume id: "H000013 K1-01-A-1-3"}`` for registers and lists (few queries for many)."""
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(volume_ids))):
        boxed = uow.session.execute(
            select(VolumePlace.volume_id, ArchiveBox.code, StorageLocation.code)
            .join(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .outerjoin(StorageLocation, StorageLocation.id == ArchiveBox.location_id)
            .where(VolumePlace.volume_id.in_(chunk))
        )
        for vid, box, place in boxed:
            out[vid] = f"{box} {place}" if place else box
        direct = uow.session.execute(
            select(VolumePlace.volume_id, StorageLocation.code)
            .join(StorageLocation, StorageLocation.id == VolumePlace.location_id)
            .where(VolumePlace.volume_id.in_(chunk))
        )
        for vid, place in direct:
            out[vid] = place
    return out


@dataclass(frozen=True)
class MoveRow:
    """One move as the history shows it."""

    occurred_at: datetime
    actor: str
    object_type: str
    label: str
    from_code: str
    to_code: str
    reason: str
    note: str
    batch_id: int | None


def _move_rows(uow: UnitOfWork, moves: Sequence[LocationMove]) -> list[MoveRow]:
    codes = _codes(uow, [m.from_location_id for m in moves] + [m.to_location_id for m in moves])
    box_ids = {m.object_id for m in moves if m.object_type == "box"} | {
        b for m in moves for b in (m.from_box_id, m.to_box_id) if b
    }
    box_codes = _code_map(uow, ArchiveBox.id, ArchiveBox.code, box_ids)
    vol_ids = {m.object_id for m in moves if m.object_type == "volume"}
    vol_codes = _code_map(uow, Volume.id, Volume.reference_code, vol_ids)

    def where(location_id: int | None, box_id: int | None) -> str:
        text = codes.get(location_id or -1, "")
        if box_id:
            return f"{box_codes.get(box_id, '')}" + (f"（{text}）" if text else "")
        return text

    return [
        MoveRow(
            occurred_at=m.occurred_at,
            actor=m.actor_name,
            object_type=m.object_type,
            label=(box_codes if m.object_type == "box" else vol_codes).get(m.object_id, ""),
            from_code=where(m.from_location_id, m.from_box_id),
            to_code=where(m.to_location_id, m.to_box_id),
            reason=m.reason,
            note=m.note,
            batch_id=m.batch_id,
        )
        for m in moves
    ]


def object_history(
    *, session: SignedIn, object_type: str, object_id: int, clock: Clock
) -> list[MoveRow]:
    """Every move of one box or volume, newest first."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "location.read"))
        if object_type == "volume":
            volume = uow.session.get(Volume, object_id)
            if volume is None or not access.may_see(reader, volume.secrecy_level):
                raise NotFound(what="案卷")
        moves = list(
            uow.session.scalars(
                select(LocationMove)
                .where(LocationMove.object_type == object_type, LocationMove.object_id == object_id)
                .order_by(LocationMove.id.desc())
            )
        )
        return _move_rows(uow, moves)


def location_history(
    *, session: SignedIn, location_id: int, clock: Clock, limit: int = 500
) -> list[MoveRow]:
    """Moves into or out of a place and everything below it, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        row = _get_location(uow, location_id)
        ids = [n.id for n in _subtree(uow, row)]
        moves: list[LocationMove] = []
        for chunk in _chunks(ids):
            moves += uow.session.scalars(
                select(LocationMove)
                .where(
                    LocationMove.from_location_id.in_(chunk)
                    | LocationMove.to_location_id.in_(chunk)
                )
                .order_by(LocationMove.id.desc())
                .limit(limit)
            )
        moves = sorted({m.id: m for m in moves}.values(), key=lambda m: -m.id)[:limit]
        return _move_rows(uow, moves)


@dataclass(frozen=True)
class VolumeWhere:
    """Where a volume is kept and in what state."""

    volume_id: int
    reference_code: str
    box_id: int | None
    box_code: str
    location_id: int | None
    location_code: str
    state: str


def where_is_volume(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeWhere:
    """The volume's box and place (state 借出 while on loan: its place is kept for the return)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        volume = get_or_missing(uow, Volume, volume_id, "案卷")
        place = _volume_place(uow, volume_id)
        box = uow.session.get(ArchiveBox, place.box_id) if place and place.box_id else None
        lid = _home_location(uow, place)
        codes = _codes(uow, [lid])
        return VolumeWhere(
            volume_id,
            volume.reference_code,
            box.id if box else None,
            box.code if box else "",
            lid,
            codes.get(lid or -1, ""),
            volume.state,
        )
