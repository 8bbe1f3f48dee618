"""Inspection settings (R25, R41): the checklist, the climate limits and each room's type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from app.clock import Clock
from app.domain import inspections as rules
from app.domain.inspection_rows import InspectionSettings
from app.domain.inspections import ClimateLimits, RoomType
from app.domain.roles import may
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.inspections.base import (
    CHECKLIST_SETTING,
    LIMITS_SETTING,
    ROOM_TYPES_SETTING,
    find_room,
    load_settings,
)


def get_inspection_settings(*, session: SignedIn, clock: Clock) -> InspectionSettings:
    """The configured checklist and climate limits (for inspectors and the administrator)."""
    with session.uow(clock) as uow:
        action = "inspection.settings" if may(session.actor.roles, "inspection.settings") else ""
        authorize(uow, session.actor, action or "inspection.read")
        return load_settings(uow)


def _limit_errors(key: str, lim: ClimateLimits) -> list[FieldError]:
    errors: list[FieldError] = []
    if not -300 <= lim.t_min < lim.t_max <= 600:
        errors.append(FieldError(f"climate_t.{key}", "climate_range", {"lo": -30, "hi": 60}))
    if not 0 <= lim.rh_min < lim.rh_max <= 1000:
        errors.append(FieldError(f"climate_rh.{key}", "climate_range", {"lo": 0, "hi": 100}))
    if not 0 < lim.t_swing <= 200 or not 0 < lim.rh_swing <= 500:
        errors.append(FieldError(f"climate_swing.{key}", "climate_swing"))
    return errors


def set_inspection_settings(
    *,
    session: SignedIn,
    checklist: Sequence[str],
    limits: dict[RoomType, ClimateLimits],
    clock: Clock,
    room_types: dict[int, RoomType] | None = None,
) -> None:
    """Change the checklist (for sessions started from now on) and the climate limits.

    ``room_types`` (None: kept) says which limits each room follows.
    """
    items = [c.strip() for c in checklist if c.strip()]
    errors: list[FieldError] = []
    if not items:
        errors.append(FieldError("checklist", "required"))
    elif len(items) > rules.MAX_CHECKLIST or any(len(c) > 100 for c in items):
        errors.append(FieldError("checklist", "checklist_size", {"max": rules.MAX_CHECKLIST}))
    elif len(set(items)) != len(items):
        errors.append(FieldError("checklist", "checklist_twice"))
    for kind, lim in limits.items():
        errors += _limit_errors(kind.value, lim)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.settings")
        if room_types is None:
            room_types = load_settings(uow).room_types
        for room_id in room_types:
            find_room(uow, room_id)
        uow.settings.put(CHECKLIST_SETTING, items)
        uow.settings.put(LIMITS_SETTING, {k.value: asdict(v) for k, v in limits.items()})
        uow.settings.put(ROOM_TYPES_SETTING, {str(k): v.value for k, v in room_types.items()})
        uow.audit.record(
            "inspection.settings",
            object_type="setting",
            object_id="inspections",
            details={"checklist": len(items), "limits": sorted(k.value for k in limits)},
        )
        uow.commit()


def set_room_type(*, session: SignedIn, room_id: int, room_type: str, clock: Clock) -> None:
    """Say which climate limits a room follows (纸质档案库房, 音像/磁性载体库房, 其他)."""
    try:
        chosen = RoomType(room_type)
    except ValueError:
        raise ValidationFailed([FieldError("room_type", "required")]) from None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        room = find_room(uow, room_id)
        types = dict(load_settings(uow).room_types)
        before = types.get(room.id, RoomType.PAPER)
        types[room.id] = chosen
        uow.settings.put(ROOM_TYPES_SETTING, {str(k): v.value for k, v in types.items()})
        uow.audit.record(
            "inspection.room_type",
            object_type="storage_location",
            object_id=room.id,
            details={"before": before.value, "after": chosen.value},
        )
        uow.commit()
