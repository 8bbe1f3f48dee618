"""Printed catalogue forms (卷内目录, 卷内备考表) of one volume, within the reader's clearance.

The sheets are built here from the database (items above the reader's clearance print as
"受限" rows); rendering is ``app.printing.catalogue_forms`` (ReportLab, loaded only now).
Rendering itself is not an output: printing or saving is, and is audited with
:func:`record_output` (R40).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.catalogue import (
    Retention,
    Secrecy,
    SecrecyLevel,
)
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.volumes import visible_volume
from app.services.common import actor_from_row, authorize
from app.storage.models import (
    ArchiveItem,
    Volume,
)
from app.storage.store import UnitOfWork

FORMS = {"catalogue": "卷内目录", "note": "卷内备考表"}


def _secrecy(level: str | None, term: int | None, since: object) -> Secrecy:
    return Secrecy(SecrecyLevel(level) if level else None, term, since)  # type: ignore[arg-type]


def _load(
    uow: UnitOfWork, session: SignedIn, volume_id: int
) -> tuple[Volume, list[ArchiveItem], Actor]:
    """The volume, its items and the reader as their post is now (clearance checked)."""
    reader = actor_from_row(authorize(uow, session.actor, "print.forms"))
    volume = visible_volume(uow, reader, volume_id)
    items = list(
        uow.session.scalars(
            select(ArchiveItem).where(ArchiveItem.volume_id == volume_id).order_by(ArchiveItem.seq)
        )
    )
    return volume, items, reader


def _heading(session: SignedIn, volume: Volume, organisation: str, clock: Clock) -> dict[str, Any]:
    """The header fields every catalogue form of ``volume`` shares."""
    return {
        "reference_code": volume.reference_code,
        "title": volume.title,
        "retention": Retention(volume.retention),
        "secrecy": _secrecy(volume.secrecy_level, volume.secrecy_term_years, volume.secrecy_since),
        "organisation": organisation,
        "printed_by": session.actor.display_name,
        "printed_by_username": session.actor.username,
        "printed_at": clock.now(),
    }


def volume_catalogue_pdf(*, session: SignedIn, volume_id: int, clock: Clock) -> bytes:
    """The 卷内目录 of a volume as PDF bytes."""
    from app.printing.catalogue_forms import ItemLine, VolumeCatalogueSheet, render_volume_catalogue

    with session.uow(clock) as uow:
        volume, items, reader = _load(uow, session, volume_id)
        organisation = uow.settings.load().organisation.organisation_name
        lines = [
            ItemLine(
                seq=i.seq,
                doc_number=i.doc_number,
                author=i.author,
                title=i.title,
                date=i.doc_date,
                page_from=i.page_from,
                page_to=i.page_to,
                remarks=i.index_remarks,
                secrecy=_secrecy(i.secrecy_level, i.secrecy_term_years, i.secrecy_since),
            )
            if access.may_see(reader, i.secrecy_level)
            else ItemLine(seq=i.seq, doc_number="", author="", title="", restricted=True)
            for i in items
        ]
        sheet = VolumeCatalogueSheet(
            **_heading(session, volume, organisation, clock),
            items=lines,
        )
    return render_volume_catalogue(sheet)


def volume_note_pdf(*, session: SignedIn, volume_id: int, clock: Clock) -> bytes:
    """The 卷内备考表 of a volume as PDF bytes; refuses a sheet that breaks its rules."""
    from app.printing.catalogue_forms import (
        VolumeNoteSheet,
        render_volume_note_sheet,
        validate_note_sheet,
    )

    with session.uow(clock) as uow:
        volume, items, _reader = _load(uow, session, volume_id)
        organisation = uow.settings.load().organisation.organisation_name
        dates = [i.doc_date for i in items if i.doc_date is not None]
        sheet = VolumeNoteSheet(
            **_heading(session, volume, organisation, clock),
            notes=volume.notes,
            compiled_by=volume.compiled_by,
            checked_by=volume.checked_by,
            compiled_on=volume.compiled_on,
            item_count=volume.item_count,
            page_count=volume.page_count,
            latest_item_date=max(dates) if dates else None,
        )
    validate_note_sheet(sheet)
    return render_volume_note_sheet(sheet)


def record_output(*, session: SignedIn, volume_id: int, form: str, kind: str, clock: Clock) -> None:
    """Audit a printout or a saved PDF of a form (R40), before it is made."""
    if form not in FORMS or kind not in ("print", "save"):
        raise ValidationFailed([FieldError("form", "format", {"expected": "卷内目录或卷内备考表"})])
    with session.uow(clock) as uow:
        volume, _items, _reader = _load(uow, session, volume_id)
        uow.audit.record(
            f"print.{form}",
            object_type="volume",
            object_id=volume.id,
            purpose=FORMS[form],
            details={"reference_code": volume.reference_code, "output": kind},
        )
        uow.commit()
