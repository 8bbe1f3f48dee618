"""Confidentiality agreements (保密协议) and training (保密培训): records, scans, state (R28).

The scanned agreement and the training material are kept encrypted in their rows (field
cipher, bound to the row id and column); their names are encrypted too and listed masked.
Opening one needs a purpose and is audited, like a customer's electronic file (R40).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain.file_types import sniff
from app.domain.staff import Gap
from app.errors import FieldError, ValidationFailed
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.common import authorize, checked_text, clean_text, fetch, local_today
from app.services.compliance import load_policy, person_gaps
from app.services.staff.people import NotFound
from app.storage.models import (
    StaffAgreement,
    StaffPerson,
    StaffTraining,
    StaffTrainingAttendee,
)
from app.storage.store import UnitOfWork

MAX_ATTACHMENT = 20 * 1024 * 1024  # a scan or a slide deck; larger files belong elsewhere


@dataclass(frozen=True)
class Attachment:
    """A file given with a record: its name and content."""

    name: str
    content: bytes


@dataclass(frozen=True)
class AgreementRow:
    """An agreement as listed."""

    id: int
    person_id: int
    signed_on: date
    valid_until: date | None
    note: str
    scan_name: str  # masked; "" when no scan
    scan_size: int


@dataclass(frozen=True)
class TrainingRow:
    """A training as listed."""

    id: int
    held_on: date
    topic: str
    trainer: str
    hours: float
    attendees: tuple[str, ...]
    material_name: str  # masked
    material_size: int


def _seal(uow: UnitOfWork, table: str, column: str, row_id: int, content: bytes) -> bytes:
    text = base64.b64encode(content).decode("ascii")
    return uow.store.cipher.encrypt(text, table=table, column=column, row_key=str(row_id))


def _unseal(uow: UnitOfWork, table: str, column: str, row_id: int, blob: bytes) -> bytes:
    text = uow.store.cipher.decrypt(blob, table=table, column=column, row_key=str(row_id))
    return base64.b64decode(text)


def _name(uow: UnitOfWork, table: str, column: str, row_id: int, blob: bytes | None) -> str:
    if blob is None:
        return ""
    plain = _unseal(uow, table, column, row_id, blob).decode("utf-8", "replace")
    stem, dot, ext = plain.rpartition(".")
    return f"{mask_name(stem)}.{ext}" if dot else mask_name(plain)


def _attach(
    uow: UnitOfWork, row: StaffAgreement | StaffTraining, column: str, file: Attachment
) -> None:
    """Encrypt ``file`` into ``row``'s ``<column>_…`` columns, with its SHA-256 and size.

    ``row`` is flushed already: its id is bound into the ciphertexts.
    """
    t = row.__tablename__
    setattr(row, f"{column}_enc", _seal(uow, t, column, row.id, file.content))
    setattr(row, f"{column}_name_enc", _seal(uow, t, f"{column}_name", row.id, file.name.encode()))
    setattr(row, f"{column}_sha256", hashlib.sha256(file.content).hexdigest())
    setattr(row, f"{column}_size", len(file.content))


def _insert(
    uow: UnitOfWork, row: StaffAgreement | StaffTraining, column: str, file: Attachment | None
) -> None:
    """Add ``row`` and flush it (its id binds the ciphertexts), then attach ``file`` if any."""
    uow.session.add(row)
    uow.session.flush()
    if file is not None:
        _attach(uow, row, column, file)


def _check_attachment(errors: list[FieldError], field: str, file: Attachment | None) -> None:
    if file is None:
        return
    if not file.content:
        errors.append(FieldError(field, "required"))
    elif len(file.content) > MAX_ATTACHMENT:
        errors.append(FieldError(field, "file_too_large", {"max": MAX_ATTACHMENT // (1024 * 1024)}))
    elif sniff(file.content[:64]) is None and not file.name.lower().endswith(
        (".txt", ".docx", ".pptx")
    ):
        errors.append(
            FieldError(field, "file_type", {"allowed": "PDF、图片、文本、Word、PowerPoint"})
        )


def record_agreement(
    *,
    session: SignedIn,
    person_id: int,
    signed_on: date,
    valid_until: date | None,
    clock: Clock,
    scan: Attachment | None = None,
    note: str = "",
) -> int:
    """Record a signed 保密协议 (R28); ``valid_until`` None: no end date. The scan is encrypted."""
    errors: list[FieldError] = []
    note = clean_text(errors, "note", note, 200, required=False)
    if valid_until is not None and valid_until < signed_on:
        errors.append(FieldError("valid_until", "range_order"))
    _check_attachment(errors, "scan", scan)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        fetch(uow, StaffPerson, person_id, "person")
        row = StaffAgreement(
            person_id=person_id,
            signed_on=signed_on,
            valid_until=valid_until,
            note=note,
            recorded_at=clock.now(),
            recorded_by=session.actor.user_id,
        )
        _insert(uow, row, "scan", scan)
        uow.audit.record(
            "staff.agreement",
            object_type="staff_person",
            object_id=person_id,
            details={
                "signed_on": signed_on.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None,
                "scan": row.scan_size,
            },
        )
        uow.commit()
        return row.id


def list_agreements(*, session: SignedIn, person_id: int, clock: Clock) -> list[AgreementRow]:
    """A person's agreements, newest first (scan names masked)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        t = StaffAgreement.__tablename__
        return [
            AgreementRow(
                a.id,
                a.person_id,
                a.signed_on,
                a.valid_until,
                a.note,
                _name(uow, t, "scan_name", a.id, a.scan_name_enc),
                a.scan_size,
            )
            for a in uow.session.scalars(
                select(StaffAgreement)
                .where(StaffAgreement.person_id == person_id)
                .order_by(StaffAgreement.signed_on.desc(), StaffAgreement.id.desc())
            )
        ]


def open_agreement_scan(
    *, session: SignedIn, agreement_id: int, purpose: str, clock: Clock
) -> Attachment:
    """The decrypted scan of an agreement, for a stated purpose (audited, R40)."""
    purpose = checked_text("purpose", purpose, 200, required=True)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        row = uow.session.get(StaffAgreement, agreement_id)
        if row is None or row.scan_enc is None or row.scan_name_enc is None:
            raise NotFound("scan")
        t = StaffAgreement.__tablename__
        content = _unseal(uow, t, "scan", row.id, row.scan_enc)
        if hashlib.sha256(content).hexdigest() != row.scan_sha256:
            raise ValidationFailed([FieldError("scan", "fixity")])
        name = _unseal(uow, t, "scan_name", row.id, row.scan_name_enc).decode()
        uow.audit.record(
            "staff.agreement_open",
            object_type="staff_person",
            object_id=row.person_id,
            purpose=purpose,
            details={"agreement": row.id},
        )
        uow.commit()
        return Attachment(name, content)


def record_training(
    *,
    session: SignedIn,
    held_on: date,
    topic: str,
    trainer: str,
    hours: float,
    attendee_ids: Sequence[int],
    clock: Clock,
    material: Attachment | None = None,
) -> int:
    """Record a 保密培训 session and who attended (R28); the material is encrypted."""
    errors: list[FieldError] = []
    topic = clean_text(errors, "topic", topic, 200, required=True)
    trainer = clean_text(errors, "trainer", trainer, 64, required=True)
    if not 0 < hours <= 100:
        errors.append(FieldError("hours", "range", {"min": 0.5, "max": 100}))
    if not attendee_ids:
        errors.append(FieldError("attendees", "required"))
    if held_on > local_today(clock):
        errors.append(FieldError("held_on", "future"))
    _check_attachment(errors, "material", material)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        ids = list(dict.fromkeys(attendee_ids))
        found = set(uow.session.scalars(select(StaffPerson.id).where(StaffPerson.id.in_(ids))))
        if len(found) != len(ids):
            raise ValidationFailed([FieldError("attendees", "not_found")])
        row = StaffTraining(
            held_on=held_on,
            topic=topic,
            trainer=trainer,
            hours_tenths=round(hours * 10),
            recorded_at=clock.now(),
            recorded_by=session.actor.user_id,
        )
        _insert(uow, row, "material", material)
        for pid in ids:
            uow.session.add(StaffTrainingAttendee(training_id=row.id, person_id=pid))
        uow.audit.record(
            "staff.training",
            object_type="staff_training",
            object_id=row.id,
            details={"held_on": held_on.isoformat(), "attendees": len(ids), "topic": topic},
        )
        uow.commit()
        return row.id


def list_trainings(
    *, session: SignedIn, clock: Clock, person_id: int | None = None
) -> list[TrainingRow]:
    """Trainings, newest first (all, or those ``person_id`` attended)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        query = select(StaffTraining).order_by(
            StaffTraining.held_on.desc(), StaffTraining.id.desc()
        )
        if person_id is not None:
            query = query.join(
                StaffTrainingAttendee, StaffTrainingAttendee.training_id == StaffTraining.id
            ).where(StaffTrainingAttendee.person_id == person_id)
        names = dict(uow.session.execute(select(StaffPerson.id, StaffPerson.name)).all())
        out = []
        t = StaffTraining.__tablename__
        for tr in uow.session.scalars(query):
            who = uow.session.scalars(
                select(StaffTrainingAttendee.person_id).where(
                    StaffTrainingAttendee.training_id == tr.id
                )
            )
            out.append(
                TrainingRow(
                    tr.id,
                    tr.held_on,
                    tr.topic,
                    tr.trainer,
                    tr.hours_tenths / 10,
                    tuple(sorted(names.get(p, "") for p in who)),
                    _name(uow, t, "material_name", tr.id, tr.material_name_enc),
                    tr.material_size,
                )
            )
        return out


# --- state for the home screen ----------------------------------------------------------------
def get_my_compliance(*, session: SignedIn, clock: Clock) -> list[Gap]:
    """What the signed-in person lacks for customer data, or soon will (their home card).

    Every account may ask about itself; accounts without data roles get an empty list.
    """
    from app.domain.roles import Role

    if not session.actor.roles & {Role.ARCHIVIST, Role.APPROVER}:
        return []
    with session.uow(clock) as uow:
        person = uow.session.scalar(
            select(StaffPerson).where(StaffPerson.user_id == session.actor.user_id)
        )
        return person_gaps(
            uow.session,
            person,
            local_today(clock),
            load_policy(uow.session),
            user_id=session.actor.user_id,
        )
