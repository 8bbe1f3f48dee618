"""The notes after a volume's heading: where it is kept, incidents, condition records."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.clock import Clock
from app.domain.catalogue import VolumeState
from app.errors import AppError
from app.services.auth import SignedIn


def _tr(text: str) -> str:
    return QCoreApplication.translate("ArchivesPage", text)


def place_note(session: SignedIn, clock: Clock, volume_id: int) -> str:
    """``　存放：H000013 K1-01-A-1-3`` (or 借出 / 尚未上架), R20."""
    from app.services.locations import where_is_volume

    try:
        where = where_is_volume(session=session, volume_id=volume_id, clock=clock)
    except AppError:
        return ""
    place = " ".join(p for p in (where.box_code, where.location_code) if p)
    text = _tr("　存放：{0}").format(place) if place else _tr("　尚未上架")
    if where.box_code and not where.location_code:  # boxed, the box not on a shelf yet
        text += _tr("（档案盒尚未上架）")
    if where.state == VolumeState.ON_LOAN.value:
        text += _tr("（借出）")
    elif where.state == VolumeState.IN_REPAIR.value:
        text += _tr("（在修）")
    return text


def condition_note(session: SignedIn, clock: Clock, volume_id: int) -> str:
    """``　状况记录：霉变（JC2026-0001）`` from inspections (issue 8, R41)."""
    from app.domain.roles import may
    from app.services.inspections import list_volume_conditions

    if not may(session.actor.roles, "inspection.read"):
        return ""
    try:
        rows = list_volume_conditions(session=session, volume_id=volume_id, clock=clock)
    except AppError:
        return ""
    if not rows:
        return ""
    latest = rows[0]
    where = f"（{latest.session_number}）" if latest.session_number else ""
    more = _tr(" 等 {0} 条").format(len(rows)) if len(rows) > 1 else ""
    return _tr("　状况记录：{0}{1}{2}").format(_tr(latest.kind_label), where, more)


def incident_note(session: SignedIn, clock: Clock, volume_id: int) -> str:
    """``　涉及事件：SJ-2026-001`` when the volume is named in the incident register (R45)."""
    from app.services.incidents import list_incidents_for

    try:
        found = list_incidents_for(
            session=session, object_type="volume", object_id=volume_id, clock=clock
        )
    except AppError:
        return ""
    if not found:
        return ""
    return _tr("　涉及事件：{0}").format("、".join(i.number for i in found))
