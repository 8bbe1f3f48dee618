"""The one move planner: every move request is checked (capacity, R22) and applied here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.catalogue import (
    SECRECY_LABELS,
    SecrecyLevel,
    VolumeState,
)
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.locations._common import (
    MARKED,
    MoveReason,
    PlaceFull,
    _chunks,
    _id,
    _volume_place,
)
from app.services.locations.occupancy import _box_levels, _check_place, _used
from app.storage.models import (
    ArchiveBox,
    LocationMove,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


class Target(StrEnum):
    """What a move row moves."""

    BOX = "box"
    VOLUME = "volume"


@dataclass(frozen=True)
class MoveRequest:
    """Move a box to a place, or a volume into a box or a place."""

    object_type: Target
    object_id: int
    to_location_id: int | None = None
    to_box_id: int | None = None


@dataclass
class _Planned:
    request: MoveRequest
    label: str
    from_location_id: int | None
    from_box_id: int | None
    to_location: StorageLocation | None
    to_box: ArchiveBox | None
    problem: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # the rows read while planning, held here so applying does not read them again (the
    # session's identity map keeps only weak references)
    box: ArchiveBox | None = None
    place: VolumePlace | None = None


def _plan_moves(
    uow: UnitOfWork, session: SignedIn, requests: Sequence[MoveRequest]
) -> list[_Planned]:
    """Validate every request together (capacity counts the earlier rows of the same batch)."""
    planned: list[_Planned] = []
    extra_used: dict[int, int] = defaultdict(int)
    extra_box: dict[int, int] = defaultdict(int)
    loc_ids = {r.to_location_id for r in requests if r.to_location_id}
    targets = {
        row.id: row
        for chunk in _chunks(list(loc_ids))
        for row in uow.session.scalars(select(StorageLocation).where(StorageLocation.id.in_(chunk)))
    }
    used = _used(uow, list(loc_ids))
    box_ids = {r.object_id for r in requests if r.object_type is Target.BOX}
    box_levels = _box_levels(uow, list(box_ids))
    # read every volume, its place and every box involved in a few queries, not row by row
    vol_ids = list({r.object_id for r in requests if r.object_type is Target.VOLUME})
    volumes: dict[int, Volume] = {}
    places: dict[int, VolumePlace] = {}
    for chunk in _chunks(vol_ids):
        volumes.update(
            (v.id, v) for v in uow.session.scalars(select(Volume).where(Volume.id.in_(chunk)))
        )
        places.update(
            (vp.volume_id, vp)
            for vp in uow.session.scalars(
                select(VolumePlace).where(VolumePlace.volume_id.in_(chunk))
            )
        )
    to_box_ids = {r.to_box_id for r in requests if r.to_box_id is not None}
    all_box_ids = box_ids | to_box_ids | {vp.box_id for vp in places.values() if vp.box_id}
    boxes: dict[int, ArchiveBox] = {}
    for chunk in _chunks(list(all_box_ids)):
        boxes.update(
            (b.id, b)
            for b in uow.session.scalars(select(ArchiveBox).where(ArchiveBox.id.in_(chunk)))
        )
    in_box: dict[int, int] = defaultdict(int)
    for chunk in _chunks(list(to_box_ids)):
        for bid, n in uow.session.execute(
            select(VolumePlace.box_id, func.count())
            .where(VolumePlace.box_id.in_(chunk))
            .group_by(VolumePlace.box_id)
        ):
            in_box[_id(bid)] = n
    # clearance as it is now (a demotion since sign-in counts), not the sign-in snapshot
    actor = actor_from_row(authorize(uow, session.actor, "location.read"))
    for req in requests:
        p = _Planned(req, "", None, None, None, None)
        planned.append(p)
        if req.object_type is Target.BOX:
            box = boxes.get(req.object_id)
            p.box = box
            if box is None:
                p.problem = "not_found"
                continue
            p.label = box.code
            p.from_location_id = box.location_id
            target = targets.get(req.to_location_id or -1)
            p.to_location = target
            if target is None or target.capacity is None:
                p.problem = "not_slot"
                continue
            if target.id == box.location_id:
                p.problem = "same_place"
                continue
            level = box_levels.get(box.id)
            if level in MARKED and not target.secure_effective:
                p.problem = "secure_required"
                p.params = {"level": SECRECY_LABELS[SecrecyLevel(level)]}
                continue
            if not _count_in(used, extra_used, target.id, target.capacity):
                p.problem = "full"
                continue
            if box.location_id:
                extra_used[box.location_id] -= 1
        else:
            volume = volumes.get(req.object_id)
            if volume is None:
                p.problem = "not_found"
                continue
            if not access.may_see(actor, volume.secrecy_level):
                p.label = volume.reference_code
                p.problem = "restricted"
                continue
            p.label = volume.reference_code
            if volume.state in (VolumeState.ON_LOAN.value, VolumeState.DESTROYED.value):
                p.problem = "volume_" + volume.state
                continue
            place = places.get(volume.id)
            p.place = place
            p.from_box_id = place.box_id if place else None
            p.from_location_id = place.location_id if place else None
            if place is not None and place.box_id is not None:
                from_box = boxes.get(place.box_id)
                if from_box is not None:
                    p.from_location_id = from_box.location_id
            target_loc: StorageLocation | None
            if req.to_box_id is not None:
                to_box = boxes.get(req.to_box_id)
                if to_box is None:
                    p.problem = "not_found"
                    continue
                p.to_box = to_box
                if place is not None and place.box_id == to_box.id:
                    p.problem = "same_place"
                    continue
                if not _count_in(in_box, extra_box, to_box.id, to_box.capacity):
                    p.problem = "box_full"
                    continue
                target_loc = (
                    uow.session.get(StorageLocation, to_box.location_id)
                    if to_box.location_id
                    else None
                )
                p.to_location = target_loc
            else:
                target_loc = targets.get(req.to_location_id or -1)
                p.to_location = target_loc
                if target_loc is None or target_loc.capacity is None:
                    p.problem = "not_slot"
                    continue
                if place is not None and place.location_id == target_loc.id:
                    p.problem = "same_place"
                    continue
                if not _count_in(used, extra_used, target_loc.id, target_loc.capacity):
                    p.problem = "full"
                    continue
            if (
                volume.secrecy_level in MARKED
                and target_loc is not None
                and not target_loc.secure_effective
            ):
                p.problem = "secure_required"
                p.params = {"level": SECRECY_LABELS[SecrecyLevel(volume.secrecy_level)]}
                continue
    return planned


def _count_in(held: Mapping[int, int], planned: dict[int, int], key: int, capacity: int) -> bool:
    """Count one more object into place or box ``key`` unless that would pass ``capacity``.

    ``held`` is what it holds now, ``planned`` what earlier rows of this move put in (or took
    out); False (and nothing counted) when it is full.
    """
    if held.get(key, 0) + planned[key] >= capacity:
        return False
    planned[key] += 1
    return True


def _apply(
    uow: UnitOfWork,
    planned: Sequence[_Planned],
    reason: MoveReason,
    note: str,
    clock: Clock,
    batch_id: int | None,
) -> list[LocationMove]:
    now = clock.now()
    actor = uow.actor
    moves = []
    created: dict[int, VolumePlace] = {}  # places made here (not yet in the identity map)
    for p in planned:
        req = p.request
        if req.object_type is Target.BOX:
            box = p.box or uow.session.get(ArchiveBox, req.object_id)
            assert box is not None and p.to_location is not None
            box.location_id = p.to_location.id
            box.placed_at = now
            box.version += 1
            to_box_id = None
        else:
            place = created.get(req.object_id) or p.place or _volume_place(uow, req.object_id)
            if place is None:
                place = VolumePlace(volume_id=req.object_id, placed_at=now)
                uow.session.add(place)
                created[req.object_id] = place
            place.box_id = req.to_box_id
            place.location_id = None if req.to_box_id is not None else req.to_location_id
            place.placed_at = now
            to_box_id = req.to_box_id
        move = LocationMove(
            occurred_at=now,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            object_type=req.object_type.value,
            object_id=req.object_id,
            from_location_id=p.from_location_id,
            to_location_id=p.to_location.id if p.to_location else None,
            from_box_id=p.from_box_id,
            to_box_id=to_box_id,
            reason=reason.value,
            batch_id=batch_id,
            note=note,
        )
        uow.session.add(move)
        moves.append(move)
    uow.session.flush()
    return moves


def _raise_single(uow: UnitOfWork, p: _Planned) -> None:
    if not p.problem:
        return
    if p.problem == "secure_required":
        _check_place(uow, p.to_location, _level_of(uow, p.request))
    if p.problem in ("full", "box_full"):
        raise PlaceFull(
            code=p.to_box.code if p.to_box else (p.to_location.code if p.to_location else "")
        )
    field_name = "box" if p.request.to_box_id is not None else "location"
    if p.problem.startswith("volume_") or p.problem in ("restricted",):
        field_name = "volume"
    code = p.to_location.code if p.to_location else ""
    raise ValidationFailed([FieldError(field_name, p.problem, {"code": code})])


def _level_of(uow: UnitOfWork, req: MoveRequest) -> str | None:
    if req.object_type is Target.BOX:
        return _box_levels(uow, [req.object_id]).get(req.object_id)
    volume = uow.session.get(Volume, req.object_id)
    return volume.secrecy_level if volume else None
