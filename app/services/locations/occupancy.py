"""How full places are and where 机密/绝密 may go (R21, R22): the one check of secure custody."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select

from app.domain.catalogue import (
    SECRECY_LABELS,
    SecrecyLevel,
    rank,
)
from app.services.locations._common import (
    MARKED,
    SecureLocationRequired,
    _chunks,
    _grid_keys,
    _id,
    _settings,
    _walk_key,
)
from app.storage.models import (
    ArchiveBox,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


def _used(uow: UnitOfWork, location_ids: Sequence[int]) -> dict[int, int]:
    """Boxes plus directly placed volumes per place."""
    out: dict[int, int] = defaultdict(int)
    for chunk in _chunks(list(location_ids)):
        for lid, n in uow.session.execute(
            select(ArchiveBox.location_id, func.count())
            .where(ArchiveBox.location_id.in_(chunk))
            .group_by(ArchiveBox.location_id)
        ):
            out[_id(lid)] += n
        for lid, n in uow.session.execute(
            select(VolumePlace.location_id, func.count())
            .where(VolumePlace.location_id.in_(chunk))
            .group_by(VolumePlace.location_id)
        ):
            out[_id(lid)] += n
    return out


def _box_levels(uow: UnitOfWork, box_ids: Sequence[int]) -> dict[int, str | None]:
    """The highest secrecy level of the volumes in each box."""
    out: dict[int, str | None] = {}
    for chunk in _chunks(list(box_ids)):
        for bid, level in uow.session.execute(
            select(VolumePlace.box_id, Volume.secrecy_level)
            .join(Volume, Volume.id == VolumePlace.volume_id)
            .where(VolumePlace.box_id.in_(chunk), Volume.secrecy_level.is_not(None))
        ):
            out[_id(bid)] = _higher(out.get(_id(bid)), level)
    return out


def _higher(a: str | None, b: str | None) -> str | None:
    def r(level: str | None) -> int:
        try:
            return rank(SecrecyLevel(level)) if level else 0
        except ValueError:
            return 99

    return a if r(a) >= r(b) else b


def _marked_volumes_under(uow: UnitOfWork, location_ids: Sequence[int]) -> int:
    n = 0
    for chunk in _chunks(list(location_ids)):
        n += (
            uow.session.scalar(
                select(func.count())
                .select_from(VolumePlace)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
                .where(
                    Volume.secrecy_level.in_(MARKED),
                    (VolumePlace.location_id.in_(chunk)) | (ArchiveBox.location_id.in_(chunk)),
                )
            )
            or 0
        )
    return n


def _secure_places(uow: UnitOfWork, limit: int = 5) -> list[str]:
    """Codes of secure places with room left (for the refusal message, R22)."""
    rows = list(
        uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.capacity)
            .where(
                StorageLocation.secure_effective.is_(True), StorageLocation.capacity.is_not(None)
            )
            .order_by(StorageLocation.path_key)
            .limit(500)
        )
    )
    used = _used(uow, [r[0] for r in rows])
    free = [code for lid, code, cap in rows if used.get(lid, 0) < (cap or 0)]
    return free[:limit]


def _check_place(uow: UnitOfWork, target: StorageLocation | None, level: str | None) -> None:
    """R22: 机密/绝密 only where the place is secure. Raises SecureLocationRequired."""
    if target is None or level not in MARKED:
        return
    if not target.secure_effective:
        allowed = _secure_places(uow)
        raise SecureLocationRequired(
            level=SECRECY_LABELS[SecrecyLevel(level)],
            target=target.code,
            allowed="、".join(allowed) if allowed else "（尚无空位的保险柜/涉密专柜）",
        )


def _free_slots(
    uow: UnitOfWork, *, secure: bool | None, category: str, within: StorageLocation | None = None
) -> list[tuple[StorageLocation, int]]:
    """Slots in shelving order: reserved for ``category`` first, then open.

    ``secure``: only secure (True) or only ordinary (False) places; None: both.
    """
    query = select(StorageLocation).where(StorageLocation.capacity.is_not(None))
    if secure is not None:
        query = query.where(StorageLocation.secure_effective.is_(secure))
    if within is not None:
        query = query.where(
            (StorageLocation.id == within.id)
            | StorageLocation.path_key.startswith(within.path_key + ".")
        )
    slots = [
        s
        for s in uow.session.scalars(query)
        if s.category_code in (None, "", category) or within is not None
    ]
    used = _used(uow, [s.id for s in slots])
    order = _settings(uow).order
    keys = _grid_keys(uow, (s.grid_id for s in slots))
    slots.sort(key=lambda s: (0 if s.category_code == category else 1, *_walk_key(order, s, keys)))
    return [(s, used.get(s.id, 0)) for s in slots]
