"""Issuing (借出, R32, R34): an approved application's volumes go out one by one, scanned or picked.

Every issue opens a register entry (``loan``) and is a use (R40) in ``use_log``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.catalogue import VolumeState
from app.domain.loans import ApplicationState, LoanState, UseKind
from app.domain.scan_codes import scan_payload
from app.errors import ApplicationNotApproved, FieldError, ValidationFailed, VolumeAlreadyOut
from app.services.auth import SignedIn
from app.services.common import authorize, fetch
from app.services.loans.scan import match_volume
from app.services.loans.settings import loan_settings
from app.services.loans.shared import (
    level_rank,
    level_text,
    local_today,
    next_number,
    set_volume_out,
    signed_steps,
    step_label,
)
from app.storage.models import (
    ArchiveItem,
    Loan,
    UseApplication,
    UseApplicationVolume,
    UseLog,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class LoanIssued:
    """A register entry just made: what the slip prints."""

    loan_id: int
    number: str
    reference_code: str
    due_on: date
    scan_payload: str  # the slip's QR content


def _open_loan_of(uow: UnitOfWork, volume_id: int) -> Loan | None:
    return uow.session.scalar(
        select(Loan).where(Loan.volume_id == volume_id, Loan.state == LoanState.OUT.value)
    )


def _signatures_cover(steps: Sequence[rules.Step], titles: Sequence[str]) -> bool:
    """True when the signatures' titles (in signing order) fill every step, one each."""
    left = list(titles)
    for step in steps:
        wanted = {t.value for t in step}
        match = next((t for t in left if t in wanted), None)
        if match is None:
            return False
        left.remove(match)
    return True


def _check_route_still_holds(
    uow: UnitOfWork, app: UseApplication, volumes: Sequence[Volume], routing: rules.Routing
) -> None:
    """Refuse to issue when the material is now classified above what was approved (issue 23).

    When a volume's level rose after filing, the route is taken again for the level as it is
    now and the signatures on the application must fill it: a volume that became 机密 after a
    信息管理专员 approved its loan needs the 客服部经理 too, so a new application. When they
    do fill it (复制 needs the 总经理 at every level), the application records the new level.
    """
    top = max((v.secrecy_level for v in volumes), key=level_rank, default=None)
    if level_rank(top) <= level_rank(app.secrecy_level):
        return  # approved on the route of this level or a stronger one
    needed = rules.route(routing, UseKind(app.kind), top)
    titles = [a.approver_title for a in signed_steps(uow, app) if a.decision == "approve"]
    if not _signatures_cover(needed, titles):
        route = "→".join(step_label(s) for s in needed)
        raise ValidationFailed(
            [FieldError("application", "route_changed", {"level": level_text(top), "route": route})]
        )
    app.secrecy_level = top


def issue_loan(
    *,
    session: SignedIn,
    application_id: int,
    clock: Clock,
    scan: str = "",
    volume_id: int | None = None,
    due_on: date | None = None,
) -> LoanIssued:
    """Hand out one volume of an approved application: scanned (档号 QR) or picked (R32, R34).

    The due date is the configured loan period (never beyond the policy maximum) for 外借 and
    the same day for on-site uses; ``due_on`` may only shorten it. A volume already out, or in
    repair, is refused.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        # lending hands customer data over: needs the agreement and training (R28)
        operator = authorize(uow, session.actor, "loan.write", releases=True)
        app = fetch(uow, UseApplication, application_id, "application")
        if app.state != ApplicationState.APPROVED.value:
            label = rules.APPLICATION_STATE_LABELS[ApplicationState(app.state)]
            raise ApplicationNotApproved(state=label)
        if app.renewal_of_loan_id is not None:
            raise ValidationFailed([FieldError("application", "format", {"expected": "利用申请"})])
        rows = list(
            uow.session.execute(
                select(UseApplicationVolume, Volume)
                .join(Volume, Volume.id == UseApplicationVolume.volume_id)
                .where(UseApplicationVolume.application_id == app.id)
            )
        )
        candidates = [v for _w, v in rows]
        if volume_id is not None:
            volume = next((v for v in candidates if v.id == volume_id), None)
        else:
            volume = match_volume(candidates, scan)
        if volume is None:
            raise ValidationFailed([FieldError("scan", "not_in_application")])
        wanted = next(w for w, v in rows if v.id == volume.id)
        _check_route_still_holds(uow, app, candidates, loan_settings(uow).routing)
        out = _open_loan_of(uow, volume.id)
        if out is not None:
            code = volume.reference_code
            raise VolumeAlreadyOut(reference_code=code, state="借出", loan=out.number)
        if volume.state == VolumeState.IN_REPAIR.value:
            raise VolumeAlreadyOut(reference_code=volume.reference_code, state="在修", loan="—")
        if volume.state != VolumeState.ON_SHELF.value:
            raise ValidationFailed([FieldError("volume", "destroyed_volume")])
        done = uow.session.scalar(
            select(Loan.id).where(Loan.application_id == app.id, Loan.volume_id == volume.id)
        )
        if done is not None:
            raise ValidationFailed([FieldError("scan", "already_issued")])
        settings = loan_settings(uow)
        kind = UseKind(app.kind)
        due = rules.due_date(
            today,
            kind,
            loan_days=settings.loan_days,
            max_days=settings.max_days,
            working_days=settings.working_days,
            holidays=settings.holidays,
            requested=app.requested_until,
        )
        if due_on is not None:
            if due_on < today:
                raise ValidationFailed([FieldError("due_on", "before_today")])
            if due_on > due:
                raise ValidationFailed(
                    [
                        FieldError(
                            "due_on",
                            "beyond_policy",
                            {"latest": due.isoformat(), "days": settings.max_days},
                        )
                    ]
                )
            due = due_on
        items = uow.session.execute(
            select(func.count(ArchiveItem.id), func.max(ArchiveItem.page_to)).where(
                ArchiveItem.volume_id == volume.id
            )
        ).one()
        now = clock.now()
        loan = Loan(
            number=next_number(uow, "JY", today.year),
            application_id=app.id,
            volume_id=volume.id,
            kind=kind.value,
            state=LoanState.OUT.value,
            issued_at=now,
            issued_by=operator.id,
            due_on=due,
            renewals=0,
            expected_pages=int(items[1] or 0),
            expected_items=int(items[0] or 0),
            effect="",
            remarks="",
            reminders=0,
            version=1,
        )
        uow.session.add(loan)
        uow.session.flush()
        set_volume_out(uow, volume, "借出", now)
        copied = wanted.page_count * wanted.copies if kind in rules.COPY_KINDS else 0
        uow.session.add(
            UseLog(
                occurred_at=now,
                kind=kind.value,
                application_id=app.id,
                loan_id=loan.id,
                volume_id=volume.id,
                operator_id=operator.id,
                applicant_user_id=app.applicant_user_id,
                applicant_name=app.applicant_name,
                department=app.unit if app.outsider else app.department,
                purpose=app.purpose,
                pages_copied=copied,
            )
        )
        uow.audit.record(
            "loan.issue",
            object_type="loan",
            object_id=loan.id,
            purpose=app.purpose,
            details={
                "number": loan.number,
                "application": app.number,
                "reference_code": volume.reference_code,
                "kind": kind.value,
                "due_on": due.isoformat(),
            },
        )
        uow.commit()
        payload = scan_payload(loan.number)
        return LoanIssued(loan.id, loan.number, volume.reference_code, due, payload)
