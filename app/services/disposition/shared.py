"""Shared by the disposition modules: settings, the "due" condition, volume facts, row snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.catalogue import (
    RETENTION_LABELS,
    RETENTION_YEARS,
    SECRECY_LABELS,
    Retention,
    SecrecyLevel,
    VolumeState,
)
from app.domain.disposition import RowSnapshot
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import DispositionRefused, FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, fetch
from app.services.users import StaffRow, staff_who_may
from app.storage.models import ArchiveItem, DestructionList, Volume
from app.storage.store import UnitOfWork

LOOK_AHEAD = "disposition_look_ahead_years"
ROUTING = "destruction_routing"
METHODS = "destruction_methods"
SETTING_KEYS = (LOOK_AHEAD, ROUTING, METHODS)


@dataclass(frozen=True)
class DispositionSettings:
    """Look-ahead of the queue (years), the 清册's approval route, the allowed methods."""

    look_ahead_years: int = 0
    route: tuple[ApproverTitle, ...] = rules.DEFAULT_ROUTE
    methods: tuple[str, ...] = rules.DEFAULT_METHODS


def disposition_settings(uow: UnitOfWork) -> DispositionSettings:
    """The settings in force (defaults for anything not stored or not understood)."""
    raw = uow.settings.raw()
    ahead = raw.get(LOOK_AHEAD)
    look = ahead if isinstance(ahead, int) and 0 <= ahead <= rules.LOOK_AHEAD_MAX_YEARS else 0
    route: list[ApproverTitle] = []
    for value in raw.get(ROUTING) or []:
        try:
            route.append(ApproverTitle(str(value)))
        except ValueError:
            continue
    methods = tuple(
        str(m) for m in (raw.get(METHODS) or []) if str(m).strip() and not rules.method_is_sale(m)
    )
    return DispositionSettings(
        look_ahead_years=look,
        route=tuple(route) or rules.DEFAULT_ROUTE,
        methods=methods or rules.DEFAULT_METHODS,
    )


def get_disposition_settings(*, session: SignedIn, clock: Clock) -> DispositionSettings:
    """The disposition settings, for the settings page and the forms."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.read")
        return disposition_settings(uow)


def update_disposition_settings(
    *, session: SignedIn, settings: DispositionSettings, clock: Clock
) -> None:
    """Store the settings (the administrator); a sale among the methods is refused (R44)."""
    errors: list[FieldError] = []
    if not 0 <= settings.look_ahead_years <= rules.LOOK_AHEAD_MAX_YEARS:
        errors.append(
            FieldError("look_ahead_years", "range", {"min": 0, "max": rules.LOOK_AHEAD_MAX_YEARS})
        )
    if not settings.route:
        errors.append(FieldError("route", "required"))
    if not settings.methods:
        errors.append(FieldError("methods", "required"))
    if errors:
        raise ValidationFailed(errors)
    for method in settings.methods:
        if rules.method_is_sale(method):
            raise DispositionRefused(reason="method_sale")
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        uow.settings.put_many(
            {
                LOOK_AHEAD: settings.look_ahead_years,
                ROUTING: [t.value for t in settings.route],
                METHODS: list(settings.methods),
            }
        )
        uow.audit.record(
            "settings.disposition",
            object_type="settings",
            details={
                "look_ahead_years": settings.look_ahead_years,
                "route": [TITLE_LABELS[t] for t in settings.route],
                "methods": [rules.method_label(m) for m in settings.methods],
            },
        )
        uow.commit()


# --- which volumes are due (R12) -------------------------------------------------------------
def due_clause(last_year: int, volume: Any = Volume) -> Any:
    """SQL condition: ``volume``'s retention ends in ``last_year`` or earlier (set-based).

    Range conditions on (retention, year) and on retention_until, so both indexes serve it.
    """
    parts = [volume.retention_until <= last_year]
    for retention, years in RETENTION_YEARS.items():
        if years is None:
            continue
        parts.append(
            and_(
                volume.retention == retention.value,
                volume.retention_until.is_(None),
                volume.year <= last_year - years,
            )
        )
    return and_(or_(*parts), volume.retention != Retention.PERMANENT.value)


def end_year(v: Volume) -> int | None:
    """The last year ``v`` is kept (None: permanent)."""
    return rules.retention_end_year(v.year, v.retention, v.retention_until)


def state_block(state: str) -> str:
    """Why a volume's state keeps it from appraisal or destruction ("" when it does not)."""
    return {
        VolumeState.ON_LOAN.value: "借出中",
        VolumeState.IN_REPAIR.value: "在修",
        VolumeState.DESTROYED.value: "已销毁",
    }.get(state, "")


def level_label(level: str | None) -> str:
    """密级 as printed ("" when unclassified)."""
    return SECRECY_LABELS[SecrecyLevel(level)] if level else ""


def retention_text(v: Volume) -> str:
    """应保管期限: the retention's label, or the extended end year."""
    if v.retention_until is not None:
        return f"至{v.retention_until}年"
    return RETENTION_LABELS[Retention(v.retention)]


def snapshots(uow: UnitOfWork, volumes: list[Volume], today: date) -> dict[int, RowSnapshot]:
    """Row columns for each volume: dates from its items when the volume has none."""
    ids = [v.id for v in volumes]
    spans: dict[int, tuple[date | None, date | None, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for vid, lo, hi, n in uow.session.execute(
            select(
                ArchiveItem.volume_id,
                func.min(ArchiveItem.doc_date),
                func.max(ArchiveItem.doc_date),
                func.count(),
            )
            .where(ArchiveItem.volume_id.in_(chunk))
            .group_by(ArchiveItem.volume_id)
        ).all():
            spans[int(vid)] = (lo, hi, int(n))
    out: dict[int, RowSnapshot] = {}
    for v in volumes:
        lo, hi, n = spans.get(v.id, (None, None, 0))
        items = v.item_count or n
        quantity = f"{items}件" + (f"/{v.page_count}页" if v.page_count else "")
        out[v.id] = RowSnapshot(
            reference_code=v.reference_code,
            title=v.title,
            date_range=rules.date_range_text(v.date_from or lo, v.date_to or hi, v.year),
            secrecy=level_label(v.secrecy_level),
            quantity=quantity,
            retention=retention_text(v),
            kept=f"{rules.kept_years(v.year, today)}年",
        )
    return out


def list_changed(uow: UnitOfWork, dl: DestructionList, action: str, **details: Any) -> None:
    """A 清册 changed: its version goes up (other desks see it) and ``action`` is audited.

    Like ``record_numbered``: the list is the object, its number first in the details.
    """
    dl.version += 1
    uow.audit.record(
        action,
        object_type="destruction_list",
        object_id=dl.id,
        details={"number": dl.number, **details},
    )


def volume_or_refuse(uow: UnitOfWork, volume_id: int) -> Volume:
    """The volume, or a field error when it does not exist."""
    return fetch(uow, Volume, volume_id, "volume")


def list_disposition_staff(*, session: SignedIn, clock: Clock) -> list[StaffRow]:
    """Enabled accounts that may appraise or witness (archivists and approvers; never 三员)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.read")
        return staff_who_may(uow, "disposition.appraise")
