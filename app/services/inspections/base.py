"""What every inspection use case shares: settings keys, finding rows, status checks, the scope.

Internal to :mod:`app.services.inspections`; its modules import from here directly.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, or_, select

from app.domain import inspections as rules
from app.domain.accounts import Actor
from app.domain.catalogue import VolumeState
from app.domain.inspection_rows import InspectionSettings
from app.domain.inspections import ClimateLimits, RoomType, Status
from app.domain.locations import LocationKind
from app.errors import FieldError, InspectionPaused, InspectionStateRefused, ValidationFailed
from app.services import locations
from app.services.common import authorize
from app.storage.models import (
    ArchiveBox,
    InspectionDifference,
    InspectionSession,
    StorageLocation,
    UserAccount,
    VolumePlace,
)
from app.storage.store import UnitOfWork

CHECKLIST_SETTING = "inspection_checklist"
LIMITS_SETTING = "inspection_climate_limits"
ROOM_TYPES_SETTING = "inspection_room_types"
NUMBER_PREFIX = "JC"
UNAVAILABLE = (VolumeState.ON_LOAN.value, VolumeState.IN_REPAIR.value, VolumeState.DESTROYED.value)
LIVE = (Status.OPEN, Status.COUNTING, Status.FINDINGS)  # a session not closed yet


def load_settings(uow: UnitOfWork) -> InspectionSettings:
    """The stored checklist, limits and room types (defaults where unset or damaged)."""
    raw = uow.settings.raw()
    checklist = raw.get(CHECKLIST_SETTING)
    items = tuple(str(x) for x in checklist) if isinstance(checklist, list) and checklist else None
    limits = dict(rules.DEFAULT_LIMITS)
    stored = raw.get(LIMITS_SETTING)
    if isinstance(stored, dict):
        for key, values in stored.items():
            try:
                limits[RoomType(key)] = ClimateLimits(**{k: int(v) for k, v in values.items()})
            except (ValueError, TypeError):
                continue  # a damaged setting falls back to the default of that type
    types: dict[int, RoomType] = {}
    stored_types = raw.get(ROOM_TYPES_SETTING)
    if isinstance(stored_types, dict):
        for key, value in stored_types.items():
            try:
                types[int(key)] = RoomType(value)
            except ValueError:
                continue
    return InspectionSettings(items or rules.DEFAULT_CHECKLIST, limits, types)


def find_room(uow: UnitOfWork, room_id: int) -> StorageLocation:
    """The store room ``room_id`` (NotFound when it is no store room)."""
    row = uow.session.get(StorageLocation, room_id)
    if row is None or row.kind != LocationKind.STOREROOM.value:
        raise locations.NotFound(what="库房")
    return row


def find_session(uow: UnitOfWork, inspection_id: int) -> InspectionSession:
    """The inspection session ``inspection_id`` (NotFound when there is none)."""
    row = uow.session.get(InspectionSession, inspection_id)
    if row is None:
        raise locations.NotFound(what="检查记录")
    return row


def require(row: InspectionSession, step: str, *allowed: Status, paused_ok: bool = False) -> None:
    """Refuse ``step`` unless the session is in one of ``allowed`` (and not paused)."""
    if Status(row.status) not in allowed:
        raise InspectionStateRefused(status=rules.STATUS_LABELS[Status(row.status)], step=step)
    if row.paused and not paused_ok:
        raise InspectionPaused(number=row.number)


def session_to_change(
    uow: UnitOfWork, actor: Actor, inspection_id: int, step: str, *allowed: Status
) -> InspectionSession:
    """The session ``step`` changes, in one of the ``allowed`` states and not paused.

    Writes are claimed and ``inspection.write`` authorised first.
    """
    uow.claim_writes()
    authorize(uow, actor, "inspection.write")
    row = find_session(uow, inspection_id)
    require(row, step, *allowed)
    return row


def live_session(uow: UnitOfWork, inspection_id: int, step: str) -> InspectionSession:
    """The session, refusing ``step`` when it is closed or paused."""
    row = find_session(uow, inspection_id)
    require(row, step, *LIVE)
    return row


def active_user(uow: UnitOfWork, user_id: int, field: str) -> UserAccount:
    """The user ``user_id`` named in ``field`` (refused when unknown or disabled)."""
    user = uow.session.get(UserAccount, user_id)
    if user is None or user.disabled:
        raise ValidationFailed([FieldError(field, "unknown_user")])
    return user


def unresolved(session_id: int) -> tuple[Any, ...]:
    """The criteria of a session's differences not resolved yet."""
    return (InspectionDifference.session_id == session_id, InspectionDifference.resolution == "")


def audit_session(
    uow: UnitOfWork, action: str, row: InspectionSession, details: dict[str, Any]
) -> None:
    """Write the audit entry of a step on a session and commit."""
    uow.audit.record(action, object_type="inspection", object_id=row.id, details=details)
    uow.commit()


def scope_places(uow: UnitOfWork, row: InspectionSession) -> Any:
    """A subquery of every place id in the session's scope (the scope nodes and below)."""
    ids = [int(i) for i in json.loads(row.scope_ids)]
    keys = list(
        uow.session.scalars(select(StorageLocation.path_key).where(StorageLocation.id.in_(ids)))
    )
    return select(StorageLocation.id).where(
        or_(
            StorageLocation.id.in_(ids),
            *[StorageLocation.path_key.startswith(k + ".") for k in keys],
        )
    )


def home_expr() -> Any:
    """Where a placed volume lives: its box's place, or its own place (loose volumes)."""
    return func.coalesce(ArchiveBox.location_id, VolumePlace.location_id)
