"""Renewals (续借, R32): a new application on the loan's route; its approval moves the due date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.loans import ApplicationState, UseKind
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import clean_text
from app.services.loans.applications import ApplicationSaved, add_pending_application
from app.services.loans.settings import loan_settings
from app.services.loans.shared import (
    decrypt_field,
    encrypt_field,
    loan_if_out,
    local_today,
    next_number,
    start_loan_write,
)
from app.services.loans.staff import named_route
from app.storage.models import UseApplication, UseApplicationVolume, Volume
from app.storage.store import UnitOfWork


def request_renewal(
    *, session: SignedIn, loan_id: int, reason: str, clock: Clock
) -> ApplicationSaved:
    """Ask to keep a loan longer: a new application on the same route (renewal needs approval)."""
    errors: list[FieldError] = []
    reason = clean_text(errors, "reason", reason, 2000, required=True)
    today = local_today(clock)
    with session.uow(clock) as uow:
        operator, loan = start_loan_write(uow, session.actor, loan_id, errors)
        if loan is not None:
            if loan.kind != UseKind.LOAN.value:
                errors.append(FieldError("loan", "not_a_loan"))
            elif uow.session.scalar(
                select(UseApplication.id).where(
                    UseApplication.renewal_of_loan_id == loan_id,
                    UseApplication.state == ApplicationState.PENDING.value,
                )
            ):
                errors.append(FieldError("loan", "renewal_pending"))
        if errors:
            raise ValidationFailed(errors)
        assert loan is not None
        original = uow.session.get(UseApplication, loan.application_id)
        volume = uow.session.get(Volume, loan.volume_id)
        assert original is not None and volume is not None
        settings = loan_settings(uow)
        steps = rules.route(settings.routing, UseKind.LOAN, volume.secrecy_level)
        number = next_number(uow, "SQ", today.year)
        app = add_pending_application(
            uow,
            steps,
            created_at=clock.now(),
            created_by=operator.id,
            number=number,
            kind=UseKind.LOAN.value,
            applicant_user_id=original.applicant_user_id,
            applicant_name=original.applicant_name,
            outsider=original.outsider,
            unit=original.unit,
            department=original.department,
            credential=original.credential,
            credential_number_enc=encrypt_field(
                uow, number, "credential_number", decrypt_field(uow, original, "credential_number")
            ),
            phone_enc=encrypt_field(uow, number, "phone", decrypt_field(uow, original, "phone")),
            purpose=original.purpose,
            reason=reason,
            secrecy_level=volume.secrecy_level,
            renewal_of_loan_id=loan.id,
        )
        uow.session.add(UseApplicationVolume(application_id=app.id, volume_id=volume.id))
        uow.audit.record(
            "loan.renewal_request",
            object_type="use_application",
            object_id=app.id,
            details={"number": number, "loan": loan.number, "reason": reason},
        )
        excluded = [original.applicant_user_id, operator.id]
        named = named_route(uow, steps, excluded=excluded, department=original.department)
        uow.commit()
        return ApplicationSaved(app.id, number, named)


def renew(uow: UnitOfWork, app: UseApplication, today: date) -> str | None:
    """Move the renewed loan's due date on by one loan period from its due date (or today)."""
    loan = loan_if_out(uow, app.renewal_of_loan_id)
    if loan is None:
        app.state = ApplicationState.CLOSED.value
        return None
    settings = loan_settings(uow)
    start = max(loan.due_on, today)
    loan.due_on = rules.add_days(
        start,
        min(settings.loan_days, settings.max_days),
        working_days=settings.working_days,
        holidays=settings.holidays,
    )
    loan.renewals += 1
    loan.version += 1
    app.state = ApplicationState.CLOSED.value  # nothing to issue: the renewal is done
    return loan.due_on.isoformat()
