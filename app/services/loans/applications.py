"""Filing applications (查阅/外借/复制/摘抄/对外提供, R30–R32) and reading them back.

An application names the applicant (a staff account, or an outsider with a 介绍信/工作证),
purpose, reason and the volumes; its approval route is taken from the routing table
(``app.domain.loans``) by kind and the material's highest level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain import privacy as privacy_rules
from app.domain.catalogue import VolumeState
from app.domain.loans import ApplicationState, Credential, UseKind
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, clean_text, fetch
from app.services.customers.consents import allowed_ids
from app.services.loans.rows import (
    ApplicationRow,
    ApplicationView,
    application_rows,
    application_view,
)
from app.services.loans.settings import loan_settings
from app.services.loans.shared import (
    encrypt_field,
    level_rank,
    local_today,
    next_number,
    step_label,
    steps_json,
)
from app.services.loans.staff import is_staff, named_route
from app.storage.models import (
    StaffDepartment,
    UseApplication,
    UseApplicationVolume,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class RequestedVolume:
    """A volume asked for, with the items and pages to copy (复制/摘抄/对外提供)."""

    volume_id: int
    items: str = ""  # 件 序号, e.g. "1,3-4"; empty: the whole volume
    pages: str = ""  # page ranges to copy, e.g. "1-5,8"
    page_count: int = 0
    copies: int = 1


@dataclass(frozen=True)
class ApplicationDraft:
    """An application as typed at the loan desk."""

    kind: str
    purpose: str
    volumes: tuple[RequestedVolume, ...]
    applicant_user_id: int | None = None  # a staff member …
    applicant_name: str = ""  # … or an outsider
    outsider: bool = False
    unit: str = ""
    department: str = ""
    credential: str | None = None  # letter | work_id (outsiders)
    credential_number: str = ""
    phone: str = ""
    reason: str = ""
    requested_from: date | None = None
    requested_until: date | None = None


@dataclass(frozen=True)
class ApplicationSaved:
    """A filed application: its number and who must approve it."""

    application_id: int
    number: str
    steps: tuple[str, ...]  # each step with the people who may sign it, by name (issue 21)


def _check_applicant(
    uow: UnitOfWork, draft: ApplicationDraft, errors: list[FieldError]
) -> tuple[int | None, str, str]:
    """(user id, name, department) of the applicant; outsiders need a letter or ID (R30)."""
    department = clean_text(errors, "department", draft.department, 64, required=False)
    if draft.outsider:
        name = clean_text(errors, "applicant_name", draft.applicant_name, 64, required=True)
        if not draft.unit.strip():
            errors.append(FieldError("unit", "outsider_unit"))
        if draft.credential not in {c.value for c in Credential}:
            errors.append(FieldError("credential", "outsider_credential"))
        if not draft.credential_number.strip():
            errors.append(FieldError("credential_number", "outsider_credential"))
        return None, name, department
    if draft.applicant_user_id is None:
        errors.append(FieldError("applicant_user_id", "staff_or_outsider"))
        return None, "", department
    user = uow.session.get(UserAccount, draft.applicant_user_id)
    if user is None or not is_staff(user):
        errors.append(FieldError("applicant_user_id", "not_found"))
        return None, "", department
    if not department:
        row = uow.session.get(StaffDepartment, user.id)
        department = row.department if row else ""
    if not department:
        errors.append(FieldError("department", "required"))
    return user.id, user.display_name, department


def _provision_consent(uow: UnitOfWork, volumes: list[Volume], today: date) -> list[FieldError]:
    """对外提供 needs each customer's explicit consent to it (R36, issue 18)."""
    owners = {v.customer_id for v in volumes if v.customer_id is not None}
    allowed = allowed_ids(uow, sorted(owners), privacy_rules.PROVISION, today)
    return [
        FieldError(f"volumes.{n}", "no_provision_consent", {"code": v.reference_code})
        for n, v in enumerate(volumes)
        if v.customer_id is not None and v.customer_id not in allowed
    ]


def file_application(
    *, session: SignedIn, draft: ApplicationDraft, clock: Clock
) -> ApplicationSaved:
    """File a 查阅/外借/复制/摘抄/对外提供 application; it waits for its approvers (R30–R32)."""
    errors: list[FieldError] = []
    today = local_today(clock)
    try:
        kind = UseKind(draft.kind)
    except ValueError:
        expected = {"expected": "查阅、外借、复制、摘抄或对外提供"}
        errors.append(FieldError("use_kind", "format", expected))
        kind = UseKind.CONSULT
    purpose = clean_text(errors, "use_purpose", draft.purpose, 200, required=True)
    reason = clean_text(errors, "reason", draft.reason, 2000, required=False)
    unit = clean_text(errors, "unit", draft.unit, 100, required=False)
    credential_number = clean_text(
        errors, "credential_number", draft.credential_number, 64, required=False
    )
    phone = clean_text(errors, "phone", draft.phone, 32, required=False)
    if draft.requested_until is not None and draft.requested_until < today:
        errors.append(FieldError("requested_until", "before_today"))
    if (
        draft.requested_from is not None
        and draft.requested_until is not None
        and draft.requested_from > draft.requested_until
    ):
        errors.append(FieldError("requested_from", "range_order"))
    if not draft.volumes:
        errors.append(FieldError("volumes", "no_volumes"))
    for n, wanted in enumerate(draft.volumes):
        if not 1 <= wanted.copies <= 99:
            errors.append(FieldError(f"copies.{n}", "range", {"min": 1, "max": 99}))
        if not 0 <= wanted.page_count <= 99_999:
            errors.append(FieldError(f"page_count.{n}", "range", {"min": 0, "max": 99_999}))
        if len(wanted.pages) > 200 or len(wanted.items) > 200:
            errors.append(FieldError(f"pages.{n}", "too_long", {"max": 200}))
    with session.uow(clock) as uow:
        uow.claim_writes()  # the number counter is read, then written
        operator = actor_from_row(authorize(uow, session.actor, "loan.write"))
        settings = loan_settings(uow)
        if kind == UseKind.LOAN and draft.requested_until is not None:
            latest = rules.add_days(
                today,
                settings.max_days,
                working_days=settings.working_days,
                holidays=settings.holidays,
            )
            if draft.requested_until > latest:
                errors.append(
                    FieldError(
                        "requested_until",
                        "beyond_policy",
                        {"latest": latest.isoformat(), "days": settings.max_days},
                    )
                )
        user_id, name, department = _check_applicant(uow, draft, errors)
        volumes: list[Volume] = []
        seen: set[int] = set()
        for n, wanted in enumerate(draft.volumes):
            volume = uow.session.get(Volume, wanted.volume_id)
            if volume is None or wanted.volume_id in seen:
                errors.append(FieldError(f"volumes.{n}", "not_found"))
                continue
            seen.add(volume.id)
            if volume.state == VolumeState.DESTROYED.value:
                errors.append(FieldError(f"volumes.{n}", "destroyed_volume"))
            if not access.may_see(operator, volume.secrecy_level):
                errors.append(FieldError(f"volumes.{n}", "no_clearance"))
            volumes.append(volume)
        if kind == UseKind.EXTERNAL:
            errors += _provision_consent(uow, volumes, today)
        if errors:
            raise ValidationFailed(errors)
        top = max((v.secrecy_level for v in volumes), key=level_rank, default=None)
        steps = rules.route(settings.routing, kind, top)
        number = next_number(uow, "SQ", today.year)
        app = add_pending_application(
            uow,
            steps,
            created_at=clock.now(),
            created_by=operator.user_id,
            number=number,
            kind=kind.value,
            applicant_user_id=user_id,
            applicant_name=name,
            outsider=draft.outsider,
            unit=unit,
            department=department,
            credential=draft.credential if draft.outsider else None,
            credential_number_enc=encrypt_field(uow, number, "credential_number", credential_number)
            if draft.outsider
            else None,
            phone_enc=encrypt_field(uow, number, "phone", phone),
            purpose=purpose,
            reason=reason,
            requested_from=draft.requested_from,
            requested_until=draft.requested_until,
            secrecy_level=top,
        )
        for wanted in draft.volumes:
            uow.session.add(
                UseApplicationVolume(
                    application_id=app.id,
                    volume_id=wanted.volume_id,
                    items=wanted.items.strip(),
                    pages=wanted.pages.strip(),
                    page_count=wanted.page_count,
                    copies=wanted.copies,
                )
            )
        uow.audit.record(
            "loan.apply",
            object_type="use_application",
            object_id=app.id,
            purpose=purpose,
            details={
                "number": number,
                "kind": kind.value,
                "outsider": draft.outsider,
                "volumes": [v.reference_code for v in volumes],
                "route": [step_label(s) for s in steps],
            },
        )
        named = named_route(uow, steps, excluded=[user_id, operator.user_id], department=department)
        uow.commit()
        return ApplicationSaved(app.id, number, named)


def add_pending_application(
    uow: UnitOfWork,
    steps: Sequence[rules.Step],
    *,
    created_at: datetime,
    created_by: int,
    **values: Any,
) -> UseApplication:
    """A new application (``values``: its columns) waiting for the first step of ``steps``.

    Added and flushed (it has its id); nobody has signed it, so it is at version 1.
    """
    app = UseApplication(
        state=ApplicationState.PENDING.value,
        steps=steps_json(steps),
        created_at=created_at,
        created_by=created_by,
        rejection_reason="",
        version=1,
        **values,
    )
    uow.session.add(app)
    uow.session.flush()
    return app


def list_applications(
    *, session: SignedIn, clock: Clock, state: str | None = None, limit: int = 300
) -> list[ApplicationRow]:
    """Applications, newest first (optionally of one state)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        stmt = select(UseApplication).order_by(UseApplication.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(UseApplication.state == state)
        return application_rows(uow, list(uow.session.scalars(stmt)), reader)


def get_application(*, session: SignedIn, application_id: int, clock: Clock) -> ApplicationView:
    """One application with volumes (titles as clearance allows) and signatures."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        app = fetch(uow, UseApplication, application_id, "application")
        return application_view(uow, reader, app)
