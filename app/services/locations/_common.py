"""Shared pieces of the locations area: settings keys, move reasons, errors, look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select

from app.domain import locations as loc
from app.domain.catalogue import (
    MARKED_LEVELS,
)
from app.domain.locations import ShelvingOrder
from app.domain.roles import Role
from app.errors import AppError, FieldError, ValidationFailed
from app.storage.models import (
    ArchiveBox,
    StorageLocation,
    UserAccount,
    VolumePlace,
)
from app.storage.store import UnitOfWork

SHELF_PATTERN_SETTING = "location_shelf_pattern"


CABINET_PATTERN_SETTING = "location_cabinet_pattern"


ORDER_SETTING = "shelving_order"


MARKED = frozenset(level.value for level in MARKED_LEVELS)


class MoveReason(StrEnum):
    """Why something moved (R23)."""

    SHELVE = "上架"
    RESHELVE = "调架"
    LOAN = "借出"
    RETURN = "归还"
    INSPECT = "检查"
    REPAIR = "修复"


class NotFound(AppError):
    """The place, box, volume or record (``what``) does not exist (any more)."""

    code = "location_object_not_found"


class SecureLocationRequired(AppError):
    """机密/绝密 may only go into a secure place (R22); ``allowed`` lists some that may."""

    code = "secure_location_required"


class PlaceFull(AppError):
    """The place (or box) has no room left."""

    code = "place_full"


class ScanRejected(AppError):
    """A scanned code failed its check character: scan again, nothing was looked up."""

    code = "scan_rejected"


class ScanNotFound(AppError):
    """A well-formed scanned code that names nothing in this archive."""

    code = "scan_not_found"


class BulkMoveRefused(AppError):
    """At least one row of a bulk move is invalid: nothing was moved."""

    code = "bulk_move_refused"


class UndoRefused(AppError):
    """The last bulk move cannot be undone (``why``)."""

    code = "undo_refused"


@dataclass(frozen=True)
class LocationSettings:
    """Code patterns and shelving order."""

    shelf_pattern: str
    cabinet_pattern: str
    order: ShelvingOrder


def _settings(uow: UnitOfWork) -> LocationSettings:
    raw = uow.settings.raw()
    try:
        order = ShelvingOrder(str(raw.get(ORDER_SETTING) or ShelvingOrder.SECTION_FIRST))
    except ValueError:
        order = ShelvingOrder.SECTION_FIRST
    return LocationSettings(
        shelf_pattern=str(raw.get(SHELF_PATTERN_SETTING) or loc.DEFAULT_SHELF_PATTERN),
        cabinet_pattern=str(raw.get(CABINET_PATTERN_SETTING) or loc.DEFAULT_CABINET_PATTERN),
        order=order,
    )


def _check_custodian(uow: UnitOfWork, user_id: int | None) -> UserAccount:
    user = uow.session.get(UserAccount, user_id) if user_id is not None else None
    if user is None or user.disabled or Role.ARCHIVIST.value not in {r.role for r in user.roles}:
        raise ValidationFailed([FieldError("custodian", "not_archivist")])
    return user


def _subtree(uow: UnitOfWork, row: StorageLocation) -> list[StorageLocation]:
    return list(
        uow.session.scalars(
            select(StorageLocation).where(
                (StorageLocation.id == row.id)
                | StorageLocation.path_key.startswith(row.path_key + ".")
            )
        )
    )


Row = TypeVar("Row")


def get_or_missing(uow: UnitOfWork, model: type[Row], key: object, what: str) -> Row:
    """The row of ``model`` with primary key ``key``, or :class:`NotFound` naming ``what``."""
    row = uow.session.get(model, key)
    if row is None:
        raise NotFound(what=what)
    return row


def _get_location(uow: UnitOfWork, location_id: int) -> StorageLocation:
    return get_or_missing(uow, StorageLocation, location_id, "存放位置")


def _user_names(uow: UnitOfWork) -> dict[int, str]:
    return {
        uid: name
        for uid, name in uow.session.execute(select(UserAccount.id, UserAccount.display_name))
    }


def _id(value: int | None) -> int:
    """A key column read from a row that the query filtered to be set."""
    assert value is not None
    return value


def _chunks(values: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _walk_key(
    order: ShelvingOrder, row: StorageLocation, grid_keys: dict[int, str]
) -> tuple[str, tuple[int, int, int], str]:
    return (
        grid_keys.get(row.grid_id or -1, row.path_key),
        loc.walking_key(order, row.section_no or 0, row.layer_no or 0, row.position_no or 0),
        row.path_key,
    )


def _grid_keys(uow: UnitOfWork, grid_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {g for g in grid_ids if g is not None}
    if not ids:
        return {}
    return dict(
        uow.session.execute(
            select(StorageLocation.id, StorageLocation.path_key).where(StorageLocation.id.in_(ids))
        ).all()
    )


def _volume_place(uow: UnitOfWork, volume_id: int) -> VolumePlace | None:
    return uow.session.get(VolumePlace, volume_id)


def _slots_in_order(uow: UnitOfWork, row: StorageLocation) -> list[StorageLocation]:
    """The places at and below ``row`` that hold boxes (层 or 位), in walking order (R21)."""
    slots = [n for n in _subtree(uow, row) if n.capacity is not None]
    order = _settings(uow).order
    keys = _grid_keys(uow, (s.grid_id for s in slots))
    slots.sort(key=lambda s: _walk_key(order, s, keys))
    return slots


def _code_map(uow: UnitOfWork, key: Any, code: Any, ids: Iterable[int | None]) -> dict[int, str]:
    """``{id: code}`` of the rows whose ``key`` column is one of ``ids`` (unset ids skipped)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(uow.session.execute(select(key, code).where(key.in_(wanted))).all())


def _codes(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, str]:
    """``{place id: code}`` of the places ``ids``."""
    return _code_map(uow, StorageLocation.id, StorageLocation.code, ids)


def _home_location(uow: UnitOfWork, place: VolumePlace | None) -> int | None:
    if place is None:
        return None
    if place.box_id is not None:
        box = uow.session.get(ArchiveBox, place.box_id)
        return box.location_id if box else None
    return place.location_id
