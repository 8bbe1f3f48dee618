"""Custody of secure places: hand-over with an item-by-item list (R22, R26)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.catalogue import (
    SECRECY_LABELS,
    SecrecyLevel,
)
from app.domain.locations import HandoverLine
from app.domain.roles import Role
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.locations._common import (
    _check_custodian,
    _get_location,
    _subtree,
    _user_names,
    get_or_missing,
)
from app.services.locations.places import LocationNode, _node
from app.storage.models import (
    ArchiveBox,
    CustodyHandover,
    StorageLocation,
    UserAccount,
    UserRole,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class HandoverSheet:
    """A recorded hand-over with its item-by-item list."""

    handover_id: int
    occurred_at: datetime
    from_name: str
    to_name: str
    witness: str
    note: str
    places: list[str]
    lines: list[HandoverLine]


def _custody_lines(uow: UnitOfWork, places: Sequence[StorageLocation]) -> list[HandoverLine]:
    lines: list[HandoverLine] = []
    for place in places:
        for node in sorted(_subtree(uow, place), key=lambda n: n.path_key):
            if node.capacity is None:
                continue
            for box in uow.session.scalars(
                select(ArchiveBox)
                .where(ArchiveBox.location_id == node.id)
                .order_by(ArchiveBox.code)
            ):
                vols = list(
                    uow.session.scalars(
                        select(Volume)
                        .join(VolumePlace, VolumePlace.volume_id == Volume.id)
                        .where(VolumePlace.box_id == box.id)
                        .order_by(Volume.reference_code)
                    )
                )
                if not vols:
                    lines.append(HandoverLine(node.code, box.code, "", "", 0, 0))
                for v in vols:
                    lines.append(_line(node.code, box.code, v))
            for v in uow.session.scalars(
                select(Volume)
                .join(VolumePlace, VolumePlace.volume_id == Volume.id)
                .where(VolumePlace.location_id == node.id)
                .order_by(Volume.reference_code)
            ):
                lines.append(_line(node.code, "", v))
    return lines


def _line(where: str, box: str, v: Volume) -> HandoverLine:
    label = SECRECY_LABELS[SecrecyLevel(v.secrecy_level)] if v.secrecy_level else ""
    return HandoverLine(where, box, v.reference_code, label, v.item_count, v.page_count)


def _level_of(label: str) -> str | None:
    """The stored level of a line's label (an unknown word counts as 绝密)."""
    if not label:
        return None
    for level, text in SECRECY_LABELS.items():
        if text == label:
            return level.value
    return SecrecyLevel.TOP_SECRET.value


def _as_read_by(reader: Actor, lines: Sequence[HandoverLine]) -> list[HandoverLine]:
    """The lines as ``reader`` may see them: above clearance, the 档号 only (no level, counts)."""
    return [
        line if access.may_see(reader, _level_of(line.secrecy_label)) else line.hidden()
        for line in lines
    ]


def custody_places(*, session: SignedIn, user_id: int, clock: Clock) -> list[LocationNode]:
    """The secure places ``user_id`` keeps (for a hand-over on job change, R26)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        rows = list(
            uow.session.scalars(
                select(StorageLocation)
                .where(StorageLocation.custodian_id == user_id)
                .order_by(StorageLocation.path_key)
            )
        )
        names = _user_names(uow)
        return [_node(r, names, True) for r in rows]


def hand_over_custody(
    *,
    session: SignedIn,
    location_ids: Sequence[int],
    to_user_id: int,
    witness: str,
    note: str,
    clock: Clock,
) -> HandoverSheet:
    """Give secure places to a new custodian with an item-by-item list (R22, R26).

    The list (every box and volume, with 件数 and 页数 for counting) is stored with the
    record and printed for both to sign.
    """
    errors: list[FieldError] = []
    if not location_ids:
        errors.append(FieldError("places", "required"))
    if len(witness.strip()) > 64:
        errors.append(FieldError("witness", "too_long", {"max": 64}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        reader = actor_from_row(authorize(uow, session.actor, "location.write"))
        record, lines = transfer_custody(
            uow,
            location_ids=location_ids,
            to_user_id=to_user_id,
            witness=witness,
            note=note,
            recorded_by=session.actor.user_id,
            now=clock.now(),
        )
        names = _user_names(uow)
        uow.commit()
        return HandoverSheet(
            record.id,
            record.occurred_at,
            names.get(record.from_user_id or -1, ""),
            names.get(to_user_id, ""),
            record.witness,
            record.note,
            json.loads(record.listing)["places"],
            _as_read_by(reader, lines),
        )


def transfer_custody(
    uow: UnitOfWork,
    *,
    location_ids: Sequence[int],
    to_user_id: int,
    witness: str,
    note: str,
    recorded_by: int,
    now: datetime,
) -> tuple[CustodyHandover, list[HandoverLine]]:
    """The hand-over itself, inside the caller's unit of work (also the leaving hand-over's).

    Checks the places (secure, one holder, not the receiver), stores the item-by-item list,
    moves the custody and writes the ``custody.handover`` entry; the caller commits.
    """
    _check_custodian(uow, to_user_id)
    places = [_get_location(uow, lid) for lid in dict.fromkeys(location_ids)]
    holders = {p.custodian_id for p in places}
    if any(not p.secure or p.custodian_id is None for p in places):
        raise ValidationFailed([FieldError("places", "not_secure")])
    if len(holders) != 1:
        raise ValidationFailed([FieldError("places", "several_custodians")])
    [from_id] = holders
    if from_id == to_user_id:
        raise ValidationFailed([FieldError("custodian", "same_person")])
    lines = _custody_lines(uow, places)
    listing = {
        "places": [p.code for p in places],
        "lines": [line.__dict__ for line in lines],
    }
    record = CustodyHandover(
        occurred_at=now,
        from_user_id=from_id,
        to_user_id=to_user_id,
        witness=witness.strip(),
        note=note.strip(),
        listing=json.dumps(listing, ensure_ascii=False, sort_keys=True),
        recorded_by=recorded_by,
    )
    uow.session.add(record)
    for p in places:
        p.custodian_id = to_user_id
        p.version += 1
    uow.session.flush()
    uow.audit.record(
        "custody.handover",
        object_type="custody_handover",
        object_id=record.id,
        details={
            "places": [p.code for p in places],
            "from": from_id,
            "to": to_user_id,
            "lines": len(lines),
        },
    )
    return record, lines


def get_handover(*, session: SignedIn, handover_id: int, clock: Clock) -> HandoverSheet:
    """A recorded hand-over (for printing it again), lines within the reader's clearance."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "location.read"))
        record = get_or_missing(uow, CustodyHandover, handover_id, "交接记录")
        names = _user_names(uow)
        listing = json.loads(record.listing)
        return HandoverSheet(
            record.id,
            record.occurred_at,
            names.get(record.from_user_id or -1, ""),
            names.get(record.to_user_id, ""),
            record.witness,
            record.note,
            list(listing["places"]),
            _as_read_by(reader, [HandoverLine(**line) for line in listing["lines"]]),
        )


def list_archivists(*, session: SignedIn, clock: Clock) -> list[tuple[int, str]]:
    """Enabled archivists who may keep a secure place: (user id, display name)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        rows = uow.session.execute(
            select(UserAccount.id, UserAccount.display_name, UserAccount.username)
            .join(UserRole, UserRole.user_id == UserAccount.id)
            .where(UserRole.role == Role.ARCHIVIST.value, UserAccount.disabled.is_(False))
            .order_by(UserAccount.display_name)
        )
        return [(uid, f"{name}（{username}）") for uid, name, username in rows]
