"""Moving one box or volume (R21–R23), the next free place, and volumes out and back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import (
    MARKED,
    MoveReason,
    _codes,
    _home_location,
    _volume_place,
    get_or_missing,
)
from app.services.locations.occupancy import _box_levels, _free_slots
from app.services.locations.placing import MoveRequest, Target, _apply, _plan_moves, _raise_single
from app.storage.models import (
    ArchiveBox,
    LocationMove,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class Proposal:
    """The next free place for a box, or why there is none."""

    location_id: int | None
    code: str
    secure_needed: bool
    reason: str = ""  # empty, or: no_free_place


def _propose(uow: UnitOfWork, box: ArchiveBox) -> Proposal:
    level = _box_levels(uow, [box.id]).get(box.id)
    secure = level in MARKED
    slots = _free_slots(uow, secure=secure, category=box.category_code)
    # keep a category's boxes together and in order: the first free place after the last box
    # of the same category; a gap before it only when nothing is free after it
    last = -1
    for i, (slot, used) in enumerate(slots):
        if used and slot.category_code == box.category_code:
            last = i
    if last < 0:
        same = {
            lid
            for (lid,) in uow.session.execute(
                select(ArchiveBox.location_id).where(
                    ArchiveBox.category_code == box.category_code,
                    ArchiveBox.location_id.is_not(None),
                )
            )
        }
        for i, (slot, _used_n) in enumerate(slots):
            if slot.id in same:
                last = i
    ordered = slots[last:] + slots[: max(last, 0)] if last >= 0 else slots
    for slot, used in ordered:
        if slot.capacity is not None and used < slot.capacity:
            return Proposal(slot.id, slot.code, secure)
    return Proposal(None, "", secure, "no_free_place")


def propose_place(*, session: SignedIn, box_id: int, clock: Clock) -> Proposal:
    """The next free place for a box in the configured order (R21, R22)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        box = get_or_missing(uow, ArchiveBox, box_id, "档案盒")
        return _propose(uow, box)


@dataclass(frozen=True)
class BoxProposal:
    """The box a volume being shelved is proposed to go into, or none (scan one)."""

    box_id: int | None
    code: str
    location_code: str  # where that box stands ("" when not shelved yet)


def propose_box_for_volume(*, session: SignedIn, volume_id: int, clock: Clock) -> BoxProposal:
    """The box a new volume goes into: the newest box of its 门类 with room (R21, R22).

    A 机密/绝密 volume is only proposed a box that is not shelved yet or stands in a secure
    place; None when no box fits (the operator scans one, or makes a new one).
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        volume = get_or_missing(uow, Volume, volume_id, "案卷")
        boxes = list(
            uow.session.scalars(
                select(ArchiveBox)
                .where(ArchiveBox.category_code == volume.category_code)
                .order_by(ArchiveBox.id.desc())
                .limit(20)
            )
        )
        counts = dict(
            uow.session.execute(
                select(VolumePlace.box_id, func.count())
                .where(VolumePlace.box_id.in_([b.id for b in boxes]))
                .group_by(VolumePlace.box_id)
            ).all()
        )
        places = {
            row.id: row
            for row in uow.session.scalars(
                select(StorageLocation).where(
                    StorageLocation.id.in_([b.location_id for b in boxes if b.location_id])
                )
            )
        }
        marked = volume.secrecy_level in MARKED
        for box in boxes:
            if counts.get(box.id, 0) >= box.capacity:
                continue
            place = places.get(box.location_id or -1)
            if marked and place is not None and not place.secure_effective:
                continue
            return BoxProposal(box.id, box.code, place.code if place is not None else "")
        return BoxProposal(None, "", "")


@dataclass(frozen=True)
class MoveDone:
    """What one move did."""

    label: str
    from_code: str
    to_code: str
    reason: str


def _move_one(
    session: SignedIn, request: MoveRequest, reason: MoveReason, note: str, clock: Clock
) -> MoveDone:
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        [p] = _plan_moves(uow, session, [request])
        _raise_single(uow, p)
        [move] = _apply(uow, [p], reason, note.strip(), clock, None)
        codes = _codes(uow, [move.from_location_id, move.to_location_id])
        uow.audit.record(
            f"{request.object_type.value}.move",
            object_type=request.object_type.value,
            object_id=request.object_id,
            details={
                "label": p.label,
                "from": codes.get(move.from_location_id or -1),
                "to": codes.get(move.to_location_id or -1),
                "to_box": p.to_box.code if p.to_box else None,
                "reason": reason.value,
            },
        )
        uow.commit()
        return MoveDone(
            p.label,
            codes.get(move.from_location_id or -1, ""),
            codes.get(move.to_location_id or -1, ""),
            reason.value,
        )


def place_box(
    *,
    session: SignedIn,
    box_id: int,
    location_id: int | None = None,
    reason: MoveReason | None = None,
    note: str = "",
    clock: Clock,
) -> MoveDone:
    """Put a box in a place (None: the proposed next free place); 上架 or 调架 (R21–R23)."""
    if location_id is None:
        proposal = propose_place(session=session, box_id=box_id, clock=clock)
        if proposal.location_id is None:
            raise ValidationFailed([FieldError("location", "no_free_place")])
        location_id = proposal.location_id
    if reason is None:
        with session.uow(clock) as uow:
            box = uow.session.get(ArchiveBox, box_id)
            reason = MoveReason.RESHELVE if box and box.location_id else MoveReason.SHELVE
    return _move_one(
        session, MoveRequest(Target.BOX, box_id, to_location_id=location_id), reason, note, clock
    )


def put_volume(
    *,
    session: SignedIn,
    volume_id: int,
    box_id: int | None = None,
    location_id: int | None = None,
    reason: MoveReason | None = None,
    note: str = "",
    clock: Clock,
) -> MoveDone:
    """Put a volume into a box, or directly into a place (a safe's 层) (R22, R23)."""
    if (box_id is None) == (location_id is None):
        raise ValidationFailed([FieldError("box", "one_target")])
    if reason is None:
        with session.uow(clock) as uow:
            reason = (
                MoveReason.RESHELVE
                if uow.session.get(VolumePlace, volume_id) is not None
                else MoveReason.SHELVE
            )
    return _move_one(
        session,
        MoveRequest(Target.VOLUME, volume_id, to_location_id=location_id, to_box_id=box_id),
        reason,
        note,
        clock,
    )


def _log_volume_trip(
    uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str, *, leaving: bool, home: bool
) -> None:
    """One move row for a volume leaving its place or coming back (the place itself is kept)."""
    place = _volume_place(uow, volume.id)
    where = _home_location(uow, place) if home else None
    box = place.box_id if place is not None and home else None
    actor = uow.actor
    uow.session.add(
        LocationMove(
            occurred_at=uow.clock.now(),
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            object_type=Target.VOLUME.value,
            object_id=volume.id,
            from_location_id=where if leaving else None,
            to_location_id=None if leaving else where,
            from_box_id=box if leaving else None,
            to_box_id=None if leaving else box,
            reason=reason.value,
            note=note,
        )
    )


def record_volume_out(uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str = "") -> None:
    """Log that a volume left its place (借出, 修复, 检查); its place is kept for the return."""
    _log_volume_trip(uow, volume, reason, note, leaving=True, home=True)


def record_volume_back(
    uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str = "", *, home: bool = True
) -> None:
    """Log that a volume came back (归还) to its place, or (``home=False``) went elsewhere.

    ``home=False`` is a return straight to repair: the place is kept for when it is back.
    """
    _log_volume_trip(uow, volume, reason, note, leaving=False, home=home)
