"""Printouts of the storage area: 排架清单 of any place and 档案保管交接清单 (R17, R21, R26).

The sheets are read here within the reader's clearance (rows above it print as "受限" with the
档号 only, ``app.security.access``) and rendered by ``app.printing.location_forms`` (ReportLab,
loaded only then). Rendering is not an output; printing or saving one is, and is audited with
:func:`record_shelf_list_output` / :func:`record_handover_output` (R40), like the catalogue's forms.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.domain import locations as loc
from app.domain.accounts import Actor
from app.domain.catalogue import (
    MARKED_LEVELS,
    Retention,
    Secrecy,
    SecrecyLevel,
    VolumeState,
    strongest,
)
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, form_stamp
from app.services.locations._common import (
    _chunks,
    _get_location,
    _id,
    _settings,
    _slots_in_order,
    get_or_missing,
)
from app.services.locations.boxes import _boxes_in
from app.services.locations.custody import get_handover
from app.storage.models import CustodyHandover, StorageLocation, Volume, VolumePlace
from app.storage.store import UnitOfWork

if TYPE_CHECKING:
    from app.printing.location_forms import HandoverForm, ShelfListRow, ShelfListSheet

OUTPUT_KINDS = ("print", "save")
MUST_MOVE = "应移入涉密柜"  # a 机密/绝密 volume in an ordinary place (R22)
EMPTY_BOX = "空盒"
STATE_REMARKS = {
    VolumeState.ON_LOAN.value: "借出",
    VolumeState.IN_REPAIR.value: "在修",
    VolumeState.DESTROYED.value: "已销毁",
}


def _secrecy(level: str | None, term: int | None, since: object) -> Secrecy:
    try:
        parsed = SecrecyLevel(level) if level else None
    except ValueError:
        parsed = SecrecyLevel.TOP_SECRET  # an unknown level is treated as the highest
    return Secrecy(parsed, term, since)  # type: ignore[arg-type]


def _retention(value: str | None) -> Retention | None:
    try:
        return Retention(value) if value else None
    except ValueError:
        return None


def _check_kind(kind: str) -> None:
    if kind not in OUTPUT_KINDS:
        raise ValidationFailed([FieldError("output", "format", {"expected": "打印或保存"})])


# --- 排架清单 ----------------------------------------------------------------------------------
def _shelf_rows(uow: UnitOfWork, reader: Actor, scope: StorageLocation) -> list[ShelfListRow]:
    """Every volume and every empty box at and below ``scope``, in walking order (R21).

    The places are taken in the order the services shelve in (the grid in tree order, then
    the configured 节/层 order); inside a place the boxes in the order they were put there,
    then volumes kept directly in the place; inside a box the volumes by 档号.
    """
    from app.printing.location_forms import ShelfListRow

    slots = _slots_in_order(uow, scope)
    grid_ids = list({s.grid_id for s in slots if s.grid_id is not None})
    groups: dict[int | None, str] = {}
    for chunk in _chunks(grid_ids):
        for gid, code, name in uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.name).where(
                StorageLocation.id.in_(chunk)
            )
        ):
            groups[gid] = f"{name}（{code}）"
    boxes = _boxes_in(uow, slots)
    columns = (
        Volume.reference_code,
        Volume.year,
        Volume.retention,
        Volume.secrecy_level,
        Volume.secrecy_term_years,
        Volume.secrecy_since,
        Volume.item_count,
        Volume.page_count,
        Volume.state,
    )

    def volumes_by(key: Any, ids: list[int]) -> dict[int, list[tuple[object, ...]]]:
        """The volumes' columns per box or place (``key``), by 档号."""
        out: dict[int, list[tuple[object, ...]]] = defaultdict(list)
        for chunk in _chunks(ids):
            for owner, *values in uow.session.execute(
                select(key, *columns)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .where(key.in_(chunk))
                .order_by(Volume.reference_code)
            ):
                out[_id(owner)].append(tuple(values))
        return out

    in_box = volumes_by(VolumePlace.box_id, [b.id for b in boxes])
    direct = volumes_by(VolumePlace.location_id, [s.id for s in slots])

    def volume_row(
        place: StorageLocation, box_code: str, values: tuple[object, ...]
    ) -> ShelfListRow:
        code, year, retention, level, term, since, items, pages, state = values
        level_text = str(level) if level else None
        group = groups.get(place.grid_id, "")
        if not access.may_see(reader, level_text):
            return ShelfListRow(place.code, box_code, str(code), restricted=True, group=group)
        secrecy = _secrecy(level_text, term, since)  # type: ignore[arg-type]
        remarks = [STATE_REMARKS[str(state)]] if str(state) in STATE_REMARKS else []
        if secrecy.level in MARKED_LEVELS and not place.secure_effective:
            remarks.append(MUST_MOVE)
        return ShelfListRow(
            location_code=place.code,
            box_code=box_code,
            reference_code=str(code),
            year=year,  # type: ignore[arg-type]
            retention=_retention(retention),  # type: ignore[arg-type]
            secrecy=secrecy,
            items=items,  # type: ignore[arg-type]
            pages=pages,  # type: ignore[arg-type]
            remarks="；".join(remarks),
            group=group,
        )

    rows: list[ShelfListRow] = []
    pending = iter(boxes)
    box = next(pending, None)
    for slot in slots:
        while box is not None and box.location_id == slot.id:
            volumes = in_box.get(box.id, [])
            if not volumes:
                rows.append(
                    ShelfListRow(
                        slot.code,
                        box.code,
                        year=box.year,
                        retention=_retention(box.retention),
                        remarks=EMPTY_BOX,
                        group=groups.get(slot.grid_id, ""),
                    )
                )
            rows += [volume_row(slot, box.code, v) for v in volumes]
            box = next(pending, None)
        rows += [volume_row(slot, "", v) for v in direct.get(slot.id, [])]
    return rows


def _shelf_scope(
    uow: UnitOfWork, session: SignedIn, location_id: int
) -> tuple[StorageLocation, Actor]:
    reader = actor_from_row(authorize(uow, session.actor, "location.read", releases=True))
    return _get_location(uow, location_id), reader


def shelf_list_sheet(*, session: SignedIn, location_id: int, clock: Clock) -> ShelfListSheet:
    """The 排架清单 of a place (a room, a 密集架, a face, a cabinet, a 层 …) in walking order."""
    from app.printing.location_forms import ShelfListSheet

    with session.uow(clock) as uow:
        scope, reader = _shelf_scope(uow, session, location_id)
        rows = _shelf_rows(uow, reader, scope)
        return ShelfListSheet(
            scope_code=scope.code,
            scope_name=scope.name,
            order_label=loc.ORDER_LABELS[_settings(uow).order],
            **form_stamp(
                session.actor, uow.settings.load().organisation.organisation_name, clock.now()
            ),
            rows=rows,
        )


def shelf_list_pdf(*, session: SignedIn, location_id: int, clock: Clock) -> bytes:
    """The 排架清单 of a place as PDF bytes (no titles; rows above clearance show 档号 only)."""
    from app.printing.location_forms import render_shelf_list

    return render_shelf_list(
        shelf_list_sheet(session=session, location_id=location_id, clock=clock)
    )


def record_shelf_list_output(
    *, session: SignedIn, location_id: int, kind: str, clock: Clock
) -> None:
    """Audit a printout or a saved PDF of a 排架清单 (R40): which place, how many rows."""
    _check_kind(kind)
    with session.uow(clock) as uow:
        scope, reader = _shelf_scope(uow, session, location_id)
        rows = _shelf_rows(uow, reader, scope)
        uow.audit.record(
            "print.shelf_list",
            object_type="storage_location",
            object_id=scope.id,
            purpose="排架清单",
            details={
                "code": scope.code,
                "output": kind,
                "rows": len(rows),
                "boxes": len({r.box_code for r in rows if r.box_code}),
                "volumes": sum(1 for r in rows if r.reference_code),
                "restricted": sum(1 for r in rows if r.restricted),
            },
        )
        uow.commit()


# --- 档案保管交接清单 -----------------------------------------------------------------------------
def handover_form(*, session: SignedIn, handover_id: int, clock: Clock) -> HandoverForm:
    """A recorded hand-over as printed (R26); lines above the reader's clearance show 档号 only."""
    from app.printing.location_forms import (
        HandoverForm,
        handover_number,
        level_of_label,
    )

    sheet = get_handover(session=session, handover_id=handover_id, clock=clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "location.read", releases=True))
        # the lines keep the level as handed over; the mark uses today's term of each volume
        codes = [line.reference_code for line in sheet.lines if line.reference_code]
        current: dict[str, Secrecy] = {}
        for chunk in [codes[i : i + 900] for i in range(0, len(codes), 900)]:
            for code, level, term, since in uow.session.execute(
                select(
                    Volume.reference_code,
                    Volume.secrecy_level,
                    Volume.secrecy_term_years,
                    Volume.secrecy_since,
                ).where(Volume.reference_code.in_(chunk))
            ):
                current[code] = _secrecy(level, term, since)
        lines = []
        marks = []
        for line in sheet.lines:
            level = level_of_label(line.secrecy_label)
            if line.restricted or not access.may_see(reader, level.value if level else None):
                lines.append(line.hidden())
                continue
            lines.append(line)
            if level in MARKED_LEVELS:
                now = current.get(line.reference_code)
                marks.append(now if now is not None and now.level == level else Secrecy(level))
        top = strongest(marks)
        return HandoverForm(
            handover_number=handover_number(sheet.handover_id),
            handed_over_on=as_utc(sheet.occurred_at).astimezone().date(),
            from_name=sheet.from_name,
            to_name=sheet.to_name,
            witness=sheet.witness,
            places=list(sheet.places),
            note=sheet.note,
            **form_stamp(
                session.actor, uow.settings.load().organisation.organisation_name, clock.now()
            ),
            lines=lines,
            secrecy_mark=top.marking() if top.level in MARKED_LEVELS else "",
        )


def handover_pdf(*, session: SignedIn, handover_id: int, clock: Clock) -> bytes:
    """The 档案保管交接清单 of a recorded hand-over as PDF bytes, for the three to sign."""
    from app.printing.handover_form import render_handover

    return render_handover(handover_form(session=session, handover_id=handover_id, clock=clock))


def record_handover_output(*, session: SignedIn, handover_id: int, kind: str, clock: Clock) -> None:
    """Audit a printout or a saved PDF of a 交接清单 (R40): which hand-over, how many lines."""
    _check_kind(kind)
    sheet = get_handover(session=session, handover_id=handover_id, clock=clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        get_or_missing(uow, CustodyHandover, handover_id, "交接记录")
        uow.audit.record(
            "print.custody_handover",
            object_type="custody_handover",
            object_id=handover_id,
            purpose="档案保管交接清单",
            details={
                "places": list(sheet.places),
                "output": kind,
                "rows": len(sheet.lines),
                "volumes": sum(1 for line in sheet.lines if line.reference_code),
            },
        )
        uow.commit()
