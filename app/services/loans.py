"""Consultation and loan use cases (R30–R35, R40): applications, approvals, lending, returns.

* An application (查阅/外借/复制/摘抄/对外提供) names the applicant (a staff account, or an
  outsider with a 介绍信/工作证), purpose, reason and the volumes; its approval route is taken
  from the routing table (``app.domain.loans``) by kind and the material's highest level.
* Approvers sign in themselves (at the desk or their own workstation) and sign one step each;
  nobody decides an application they made or entered (R34), and only a title of an open step
  may sign it. A rejection keeps its reason.
* An approved application is issued volume by volume by scanning (or picking) it; the register
  entry (``loan``) is closed (注销) at return after counting face to face (R33). A shortfall or
  damage opens a report that stays open until resolved.
* Every issue is a use (R40) in ``use_log``, which the statistics count (人次, 卷次, pages).

Reads follow ``app.security.access``: titles above the reader's clearance show as "受限".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock, as_utc
from app.domain import loans as rules
from app.domain.catalogue import (
    SECRECY_LABELS,
    Secrecy,
    SecrecyLevel,
    VolumeState,
    rank,
)
from app.domain.loans import (
    KIND_LABELS,
    ApplicationState,
    Condition,
    Credential,
    LoanState,
    ReportKind,
    UseKind,
)
from app.domain.roles import TITLE_LABELS, ApproverTitle, Role
from app.domain.scan_codes import ScanResult, parse_scan, scan_form, scan_payload
from app.errors import (
    ApplicationNotApproved,
    ApproverNotInRoute,
    FieldError,
    PermissionDenied,
    ScanRejected,
    SelfApprovalRefused,
    ValidationFailed,
    VolumeAlreadyOut,
)
from app.security import access
from app.security.masking import mask_id_number, mask_phone
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.storage.models import (
    ArchiveItem,
    DamageReport,
    Loan,
    ReferenceCounter,
    StaffDepartment,
    UseApplication,
    UseApplicationVolume,
    UseApproval,
    UseLog,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork

# --- settings --------------------------------------------------------------------------------
LOAN_DAYS = "loan_days"
LOAN_MAX_DAYS = "loan_max_days"
LOAN_WORKING_DAYS = "loan_working_days"
LOAN_HOLIDAYS = "loan_holidays"
LOAN_ESCALATION_DAYS = "loan_escalation_days"
LOAN_ROUTING = "loan_routing"
SETTING_KEYS = (
    LOAN_DAYS,
    LOAN_MAX_DAYS,
    LOAN_WORKING_DAYS,
    LOAN_HOLIDAYS,
    LOAN_ESCALATION_DAYS,
    LOAN_ROUTING,
)
TABLE = "use_application"  # field ciphertexts are bound to this table and the 申请编号


@dataclass(frozen=True)
class LoanSettings:
    """How long loans run, how they are counted, who approves what."""

    loan_days: int = rules.DEFAULT_LOAN_DAYS
    max_days: int = rules.DEFAULT_MAX_DAYS
    working_days: bool = False
    holidays: tuple[date, ...] = ()
    escalation_days: int = rules.DEFAULT_ESCALATION_DAYS
    routing: rules.Routing = field(default_factory=lambda: dict(rules.DEFAULT_ROUTING))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def loan_settings(uow: UnitOfWork) -> LoanSettings:
    """The loan settings in force (defaults for anything not stored)."""
    raw = uow.settings.raw()
    holidays: list[date] = []
    for text in raw.get(LOAN_HOLIDAYS) or []:
        try:
            holidays.append(date.fromisoformat(str(text)))
        except ValueError:
            continue
    max_days = _int(raw.get(LOAN_MAX_DAYS), rules.DEFAULT_MAX_DAYS)
    routing, _errors = rules.parse_routing(raw.get(LOAN_ROUTING))
    return LoanSettings(
        loan_days=min(_int(raw.get(LOAN_DAYS), rules.DEFAULT_LOAN_DAYS), max_days),
        max_days=max_days,
        working_days=bool(raw.get(LOAN_WORKING_DAYS, False)),
        holidays=tuple(sorted(holidays)),
        escalation_days=_int(raw.get(LOAN_ESCALATION_DAYS), rules.DEFAULT_ESCALATION_DAYS),
        routing=routing,
    )


def get_loan_settings(*, session: SignedIn, clock: Clock) -> LoanSettings:
    """The loan settings (for the loan desk and the settings page)."""
    with session.uow(clock) as uow:
        return loan_settings(uow)


def update_loan_settings(
    *, session: SignedIn, changes: dict[str, Any], clock: Clock
) -> LoanSettings:
    """Change loan periods, the holiday calendar or the routing table (administrator; audited).

    The period never exceeds the policy maximum; 机密/绝密 routes keep a 客服部经理 step (R31).
    """
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in SETTING_KEYS:
            errors.append(FieldError(key, "unknown"))
        elif key in (LOAN_DAYS, LOAN_MAX_DAYS, LOAN_ESCALATION_DAYS):
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(FieldError(key, "range", {"min": 1, "max": rules.MAX_POLICY_DAYS}))
            elif not 1 <= value <= (60 if key == LOAN_ESCALATION_DAYS else rules.MAX_POLICY_DAYS):
                top = 60 if key == LOAN_ESCALATION_DAYS else rules.MAX_POLICY_DAYS
                errors.append(FieldError(key, "range", {"min": 1, "max": top}))
            else:
                clean[key] = value
        elif key == LOAN_WORKING_DAYS:
            clean[key] = bool(value)
        elif key == LOAN_HOLIDAYS:
            days: list[str] = []
            for text in value or []:
                try:
                    days.append(date.fromisoformat(str(text).strip()).isoformat())
                except ValueError:
                    errors.append(FieldError(key, "holiday_format"))
                    break
            clean[key] = sorted(set(days))
        else:
            routing, problems = rules.parse_routing(value)
            errors += problems
            clean[key] = rules.routing_to_json(routing)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.settings")
        current = loan_settings(uow)
        max_days = clean.get(LOAN_MAX_DAYS, current.max_days)
        loan_days = clean.get(LOAN_DAYS, current.loan_days)
        if loan_days > max_days:
            errors.append(FieldError(LOAN_DAYS, "loan_days_max", {"max": max_days}))
        if errors:
            raise ValidationFailed(errors)
        before = {k: uow.settings.raw().get(k) for k in clean}
        uow.settings.put_many(clean)
        uow.audit.record(
            "settings.loans",
            object_type="settings",
            object_id="loans",
            details={k: {"before": before[k], "after": clean[k]} for k in clean},
        )
        uow.commit()
    return get_loan_settings(session=session, clock=clock)


# --- staff and departments -------------------------------------------------------------------
@dataclass(frozen=True)
class BorrowerRow:
    """A staff account that may apply (the applicant picker), with its department."""

    id: int
    username: str
    display_name: str
    department: str


def _staff(user: UserAccount) -> bool:
    # administrators and auditors do not use the archives (三员分立)
    held = {r.role for r in user.roles}
    return not user.disabled and bool(held & {Role.ARCHIVIST.value, Role.APPROVER.value})


def list_borrowers(*, session: SignedIn, clock: Clock) -> list[BorrowerRow]:
    """Staff who may be named as applicants, by name (also for the administrator's 部门 setting)."""
    with session.uow(clock) as uow:
        try:
            authorize(uow, session.actor, "loan.read")
        except PermissionDenied:
            authorize(uow, session.actor, "user.manage")
        departments = dict(
            uow.session.execute(select(StaffDepartment.user_id, StaffDepartment.department)).all()
        )
        users = uow.session.scalars(select(UserAccount).where(UserAccount.disabled.is_(False)))
        rows = [
            BorrowerRow(u.id, u.username, u.display_name, departments.get(u.id, ""))
            for u in users
            if _staff(u)
        ]
    return sorted(rows, key=lambda r: (r.display_name, r.username.casefold()))


def set_staff_department(*, session: SignedIn, user_id: int, department: str, clock: Clock) -> None:
    """Record the department of a staff account (finds the department head for escalation)."""
    text = department.strip()
    if len(text) > 64:
        raise ValidationFailed([FieldError("department", "too_long", {"max": 64})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        if uow.session.get(UserAccount, user_id) is None:
            raise ValidationFailed([FieldError("username", "not_found")])
        row = uow.session.get(StaffDepartment, user_id)
        before = row.department if row else ""
        if not text:
            if row is not None:
                uow.session.delete(row)
        elif row is None:
            uow.session.add(StaffDepartment(user_id=user_id, department=text))
        else:
            row.department = text
        uow.audit.record(
            "user.set_department",
            object_type="user",
            object_id=user_id,
            details={"before": before, "after": text},
        )
        uow.commit()


def department_heads(uow: UnitOfWork, departments: Sequence[str]) -> dict[str, list[str]]:
    """Enabled 部门负责人 of each department (display names), for escalation."""
    wanted = sorted({d for d in departments if d})
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(StaffDepartment.department, UserAccount.display_name)
        .join(UserAccount, UserAccount.id == StaffDepartment.user_id)
        .where(
            StaffDepartment.department.in_(wanted),
            UserAccount.approver_title == ApproverTitle.DEPT_HEAD.value,
            UserAccount.disabled.is_(False),
        )
        .order_by(UserAccount.display_name)
    ).all()
    out: dict[str, list[str]] = {}
    for department, name in rows:
        out.setdefault(department, []).append(name)
    return out


# --- helpers ---------------------------------------------------------------------------------
def _next_number(uow: UnitOfWork, prefix: str, year: int) -> str:
    """``SQ2026-000001``: numbers per prefix and year, never reused (the 档号 counter table)."""
    scope = f"{prefix}:{year}"
    counter = uow.session.get(ReferenceCounter, scope)
    if counter is None:
        counter = ReferenceCounter(scope=scope, last=0)
        uow.session.add(counter)
    counter.last += 1
    return f"{prefix}{year}-{counter.last:06d}"


def local_today(clock: Clock) -> date:
    """Today in the workstation's time zone (due dates are calendar days)."""
    return clock.now().astimezone().date()


def local_date(value: datetime | None) -> date | None:
    """The local calendar day of a stored time (None stays None)."""
    return as_utc(value).astimezone().date() if value is not None else None


def _steps(app: UseApplication) -> list[rules.Step]:
    return [frozenset(ApproverTitle(t) for t in step) for step in json.loads(app.steps or "[]")]


# junior posts first: "信息管理专员或客服部经理或总经理"
TITLE_ORDER = [
    ApproverTitle.DEPT_HEAD,
    ApproverTitle.SUPERVISOR,
    ApproverTitle.INFO_OFFICER,
    ApproverTitle.CS_MANAGER,
    ApproverTitle.GENERAL_MANAGER,
]


def step_label(step: rules.Step) -> str:
    """``信息管理专员或客服部经理``: who may sign a step."""
    return "或".join(TITLE_LABELS[t] for t in sorted(step, key=TITLE_ORDER.index))


def _text(errors: list[FieldError], name: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors.append(FieldError(name, "required"))
    elif len(value) > limit:
        errors.append(FieldError(name, "too_long", {"max": limit}))
    return value


def _level_text(level: str | None) -> str:
    return SECRECY_LABELS[SecrecyLevel(level)] if level else ""


def _volume_marking(v: Volume) -> str:
    level = SecrecyLevel(v.secrecy_level) if v.secrecy_level else None
    return Secrecy(level, v.secrecy_term_years, v.secrecy_since).marking()


def decrypt_field(uow: UnitOfWork, app: UseApplication, column: str) -> str:
    """An application's encrypted ``credential_number`` or ``phone`` in the clear ("" if none)."""
    blob = getattr(app, f"{column}_enc")
    if not blob:
        return ""
    return uow.store.cipher.decrypt(blob, table=TABLE, column=column, row_key=app.number)


def _encrypt(uow: UnitOfWork, number: str, column: str, value: str) -> bytes | None:
    if not value:
        return None
    return uow.store.cipher.encrypt(value, table=TABLE, column=column, row_key=number)


# --- volume state and the move log (R23) -------------------------------------------------------
def _set_volume_out(uow: UnitOfWork, volume: Volume, reason: str, clock: Clock) -> None:
    """The volume leaves its place for a use (借出): its location shows 借出, the move is logged."""
    from app.services.locations import MoveReason, record_volume_out

    volume.state = VolumeState.ON_LOAN.value
    volume.updated_at = clock.now()
    record_volume_out(uow, volume, MoveReason.LOAN, note=reason)


def _set_volume_back(
    uow: UnitOfWork, volume: Volume, reason: str, clock: Clock, *, to_repair: bool
) -> None:
    """The volume comes back (归还) to its place, or goes to repair (在修); both are logged."""
    from app.services.locations import MoveReason, record_volume_back

    volume.state = VolumeState.IN_REPAIR.value if to_repair else VolumeState.ON_SHELF.value
    volume.updated_at = clock.now()
    if to_repair:
        record_volume_back(uow, volume, MoveReason.REPAIR, note=f"{reason}后送修", home=False)
    else:
        record_volume_back(uow, volume, MoveReason.RETURN, note=reason)


# --- applications ----------------------------------------------------------------------------
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
    steps: tuple[str, ...]


def _check_applicant(
    uow: UnitOfWork, draft: ApplicationDraft, errors: list[FieldError]
) -> tuple[int | None, str, str]:
    """(user id, name, department) of the applicant; outsiders need a letter or ID (R30)."""
    department = _text(errors, "department", draft.department, 64, required=False)
    if draft.outsider:
        name = _text(errors, "applicant_name", draft.applicant_name, 64, required=True)
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
    if user is None or not _staff(user):
        errors.append(FieldError("applicant_user_id", "not_found"))
        return None, "", department
    if not department:
        row = uow.session.get(StaffDepartment, user.id)
        department = row.department if row else ""
    if not department:
        errors.append(FieldError("department", "required"))
    return user.id, user.display_name, department


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
    purpose = _text(errors, "use_purpose", draft.purpose, 200, required=True)
    reason = _text(errors, "reason", draft.reason, 2000, required=False)
    unit = _text(errors, "unit", draft.unit, 100, required=False)
    credential_number = _text(
        errors, "credential_number", draft.credential_number, 64, required=False
    )
    phone = _text(errors, "phone", draft.phone, 32, required=False)
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
        if errors:
            raise ValidationFailed(errors)
        top = max((v.secrecy_level for v in volumes), key=_rank, default=None)
        steps = rules.route(settings.routing, kind, top)
        number = _next_number(uow, "SQ", today.year)
        app = UseApplication(
            number=number,
            kind=kind.value,
            state=ApplicationState.PENDING.value,
            applicant_user_id=user_id,
            applicant_name=name,
            outsider=draft.outsider,
            unit=unit,
            department=department,
            credential=draft.credential if draft.outsider else None,
            credential_number_enc=_encrypt(uow, number, "credential_number", credential_number)
            if draft.outsider
            else None,
            phone_enc=_encrypt(uow, number, "phone", phone),
            purpose=purpose,
            reason=reason,
            requested_from=draft.requested_from,
            requested_until=draft.requested_until,
            secrecy_level=top,
            steps=json.dumps([sorted(t.value for t in s) for s in steps]),
            created_at=clock.now(),
            created_by=operator.user_id,
            rejection_reason="",
            version=1,
        )
        uow.session.add(app)
        uow.session.flush()
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
        uow.commit()
        return ApplicationSaved(app.id, number, tuple(step_label(s) for s in steps))


def _rank(level: str | None) -> int:
    return rank(SecrecyLevel(level)) if level else 0


# --- approvals -------------------------------------------------------------------------------
def _signed_steps(uow: UnitOfWork, app: UseApplication) -> list[UseApproval]:
    return list(
        uow.session.scalars(
            select(UseApproval)
            .where(UseApproval.application_id == app.id)
            .order_by(UseApproval.step)
        )
    )


def _open_labels(steps: list[rules.Step], signed: set[int]) -> str:
    return "；".join(step_label(s) for i, s in enumerate(steps) if i not in signed) or "—"


def _decide_checks(
    uow: UnitOfWork, session: SignedIn, application_id: int
) -> tuple[UseApplication, UserAccount, ApproverTitle, int, list[rules.Step]]:
    """Every path to a decision passes here: the approver, R34, and the route."""
    approver = authorize(uow, session.actor, "loan.approve")
    app = uow.session.get(UseApplication, application_id)
    if app is None:
        raise ValidationFailed([FieldError("application", "not_found")])
    # R34: never one's own application, nor one entered by oneself (checked before anything else)
    if approver.id in (app.applicant_user_id, app.created_by):
        raise SelfApprovalRefused()
    if app.state != ApplicationState.PENDING.value:
        raise ValidationFailed([FieldError("application", "decided")])
    steps = _steps(app)
    approvals = _signed_steps(uow, app)
    signed = {a.step for a in approvals}
    title = ApproverTitle(approver.approver_title) if approver.approver_title else None
    if any(a.approver_user_id == approver.id for a in approvals):
        raise ValidationFailed([FieldError("application", "signed_already")])
    step = rules.open_step(steps, signed, title) if title is not None else None
    if title is None or step is None:
        raise ApproverNotInRoute(
            title=TITLE_LABELS[title] if title else "无职务",
            needed=_open_labels(steps, signed),
        )
    return app, approver, title, step, steps


def _sign(
    uow: UnitOfWork,
    app: UseApplication,
    approver: UserAccount,
    title: ApproverTitle,
    step: int,
    decision: str,
    opinion: str,
    now: datetime,
) -> None:
    """Record one approver's decision on their step of the route."""
    uow.session.add(
        UseApproval(
            application_id=app.id,
            step=step,
            approver_user_id=approver.id,
            approver_name=approver.display_name,
            approver_title=title.value,
            decision=decision,
            opinion=opinion,
            decided_at=now,
        )
    )


def approve_application(
    *, session: SignedIn, application_id: int, opinion: str, clock: Clock
) -> str:
    """Sign the approver's step; the last signature approves the application. Returns its state.

    A renewal's approval moves the loan's due date on by one loan period (R32).
    """
    errors: list[FieldError] = []
    opinion = _text(errors, "opinion", opinion or "同意", 500, required=False)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        app, approver, title, step, steps = _decide_checks(uow, session, application_id)
        now = clock.now()
        _sign(uow, app, approver, title, step, "approve", opinion, now)
        signed = {a.step for a in _signed_steps(uow, app)} | {step}
        done = len(signed) == len(steps)
        extended: str | None = None
        if done:
            app.state = ApplicationState.APPROVED.value
            app.decided_at = now
            if app.renewal_of_loan_id is not None:
                extended = _renew(uow, app, clock)
        app.version += 1
        uow.audit.record(
            "loan.approve",
            object_type="use_application",
            object_id=app.id,
            details={
                "number": app.number,
                "step": step_label(steps[step]),
                "title": title.value,
                "final": done,
                "renewed_until": extended,
            },
        )
        uow.commit()
        return app.state


def reject_application(
    *, session: SignedIn, application_id: int, reason: str, clock: Clock
) -> None:
    """Refuse an application; the reason is kept and shown with it (R30)."""
    errors: list[FieldError] = []
    reason = _text(errors, "reason", reason, 500, required=True)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        app, approver, title, step, steps = _decide_checks(uow, session, application_id)
        now = clock.now()
        _sign(uow, app, approver, title, step, "reject", reason, now)
        app.state = ApplicationState.REJECTED.value
        app.rejection_reason = reason
        app.decided_at = now
        app.version += 1
        uow.audit.record(
            "loan.reject",
            object_type="use_application",
            object_id=app.id,
            details={"number": app.number, "step": step_label(steps[step]), "reason": reason},
        )
        uow.commit()


# --- reading applications --------------------------------------------------------------------
@dataclass(frozen=True)
class ApprovalLine:
    """One signature (or rejection) on an application."""

    step: int
    step_label: str
    approver: str
    title: str
    decision: str  # approve | reject
    opinion: str
    decided_at: datetime


@dataclass(frozen=True)
class ApplicationVolumeLine:
    """A volume on an application as the reader may see it."""

    volume_id: int
    reference_code: str
    title: str
    secrecy: str
    item_count: int
    page_count: int
    items: str
    pages: str
    copy_pages: int
    copies: int
    state: str  # the volume's state (on_shelf, on_loan …)
    issued: bool  # issued under this application
    restricted: bool


@dataclass(frozen=True)
class ApplicationRow:
    """An application in a list or queue."""

    id: int
    number: str
    kind: str  # UseKind value
    kind_label: str
    state: str
    state_label: str
    applicant: str
    department: str
    unit: str
    outsider: bool
    purpose: str
    secrecy: str  # highest level label, "" when unclassified
    volumes: str  # 档号 list, shortened
    waiting_for: str  # open steps
    created_at: datetime
    rejection_reason: str
    renewal: bool


@dataclass(frozen=True)
class ApplicationView:
    """An application with its volumes and signatures."""

    row: ApplicationRow
    reason: str
    credential: str  # 介绍信/工作证 label
    credential_number: str  # masked
    phone: str  # masked
    requested_from: date | None
    requested_until: date | None
    steps: tuple[str, ...]
    approvals: tuple[ApprovalLine, ...]
    volumes: tuple[ApplicationVolumeLine, ...]
    entered_by: str


def _row(
    uow: UnitOfWork, app: UseApplication, codes: list[str], approvals: list[UseApproval]
) -> ApplicationRow:
    steps = _steps(app)
    signed = {a.step for a in approvals if a.decision == "approve"}
    state = ApplicationState(app.state)
    shown = "、".join(codes[:2]) + (f" 等 {len(codes)} 卷" if len(codes) > 2 else "")
    return ApplicationRow(
        id=app.id,
        number=app.number,
        kind=app.kind,
        kind_label=KIND_LABELS[UseKind(app.kind)],
        state=app.state,
        state_label=rules.APPLICATION_STATE_LABELS[state],
        applicant=app.applicant_name,
        department=app.department,
        unit=app.unit,
        outsider=app.outsider,
        purpose=app.purpose,
        secrecy=_level_text(app.secrecy_level),
        volumes=shown,
        waiting_for=_open_labels(steps, signed) if state == ApplicationState.PENDING else "",
        created_at=app.created_at,
        rejection_reason=app.rejection_reason,
        renewal=app.renewal_of_loan_id is not None,
    )


def _rows(uow: UnitOfWork, apps: Sequence[UseApplication]) -> list[ApplicationRow]:
    ids = [a.id for a in apps]
    codes: dict[int, list[str]] = {}
    approvals: dict[int, list[UseApproval]] = {}
    if ids:
        for app_id, code in uow.session.execute(
            select(UseApplicationVolume.application_id, Volume.reference_code)
            .join(Volume, Volume.id == UseApplicationVolume.volume_id)
            .where(UseApplicationVolume.application_id.in_(ids))
            .order_by(UseApplicationVolume.id)
        ):
            codes.setdefault(app_id, []).append(code)
        for approval in uow.session.scalars(
            select(UseApproval).where(UseApproval.application_id.in_(ids))
        ):
            approvals.setdefault(approval.application_id, []).append(approval)
    return [_row(uow, a, codes.get(a.id, []), approvals.get(a.id, [])) for a in apps]


def list_applications(
    *, session: SignedIn, clock: Clock, state: str | None = None, limit: int = 300
) -> list[ApplicationRow]:
    """Applications, newest first (optionally of one state)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        stmt = select(UseApplication).order_by(UseApplication.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(UseApplication.state == state)
        return _rows(uow, list(uow.session.scalars(stmt)))


def approval_queue(*, session: SignedIn, clock: Clock) -> list[ApplicationRow]:
    """Pending applications the signed-in approver may sign now (never their own), oldest first."""
    with session.uow(clock) as uow:
        approver = authorize(uow, session.actor, "loan.approve")
        title = ApproverTitle(approver.approver_title) if approver.approver_title else None
        if title is None:
            return []
        pending = list(
            uow.session.scalars(
                select(UseApplication)
                .where(UseApplication.state == ApplicationState.PENDING.value)
                .order_by(UseApplication.id)
            )
        )
        mine: list[UseApplication] = []
        for app in pending:
            if approver.id in (app.applicant_user_id, app.created_by):
                continue
            approvals = _signed_steps(uow, app)
            if any(a.approver_user_id == approver.id for a in approvals):
                continue
            if rules.open_step(_steps(app), {a.step for a in approvals}, title) is not None:
                mine.append(app)
        return _rows(uow, mine)


def get_application(*, session: SignedIn, application_id: int, clock: Clock) -> ApplicationView:
    """One application with volumes (titles as clearance allows) and signatures."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        app = uow.session.get(UseApplication, application_id)
        if app is None:
            raise ValidationFailed([FieldError("application", "not_found")])
        return application_view(uow, reader, app)


def application_view(uow: UnitOfWork, reader: Any, app: UseApplication) -> ApplicationView:
    """``app`` with volumes (as ``reader``'s clearance allows), steps and signatures."""
    approvals = _signed_steps(uow, app)
    steps = _steps(app)
    issued = set(uow.session.scalars(select(Loan.volume_id).where(Loan.application_id == app.id)))
    lines = []
    for wanted, v in uow.session.execute(
        select(UseApplicationVolume, Volume)
        .join(Volume, Volume.id == UseApplicationVolume.volume_id)
        .where(UseApplicationVolume.application_id == app.id)
        .order_by(UseApplicationVolume.id)
    ):
        visible = access.may_see(reader, v.secrecy_level)
        lines.append(
            ApplicationVolumeLine(
                volume_id=v.id,
                reference_code=v.reference_code,
                title=v.title if visible else access.RESTRICTED,
                secrecy=_volume_marking(v) if visible else access.RESTRICTED,
                item_count=v.item_count if visible else 0,
                page_count=v.page_count if visible else 0,
                items=wanted.items,
                pages=wanted.pages,
                copy_pages=wanted.page_count,
                copies=wanted.copies,
                state=v.state,
                issued=v.id in issued,
                restricted=not visible,
            )
        )
    entered = uow.session.get(UserAccount, app.created_by) if app.created_by else None
    credential = rules.CREDENTIAL_LABELS[Credential(app.credential)] if app.credential else ""
    return ApplicationView(
        row=_rows(uow, [app])[0],
        reason=app.reason,
        credential=credential,
        credential_number=mask_id_number(decrypt_field(uow, app, "credential_number")),
        phone=mask_phone(decrypt_field(uow, app, "phone")),
        requested_from=app.requested_from,
        requested_until=app.requested_until,
        steps=tuple(step_label(s) for s in steps),
        approvals=tuple(
            ApprovalLine(
                step=a.step,
                step_label=step_label(steps[a.step]) if a.step < len(steps) else "",
                approver=a.approver_name,
                title=TITLE_LABELS.get(ApproverTitle(a.approver_title), a.approver_title),
                decision=a.decision,
                opinion=a.opinion,
                decided_at=a.decided_at,
            )
            for a in approvals
        ),
        volumes=tuple(lines),
        entered_by=entered.display_name if entered else "",
    )


# --- lending ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoanIssued:
    """A register entry just made: what the slip prints."""

    loan_id: int
    number: str
    reference_code: str
    due_on: date
    scan_payload: str  # the slip's QR content


def _match_volume(candidates: Sequence[Volume], text: str) -> Volume | None:
    """The volume among ``candidates`` whose 档号 was scanned or typed."""
    result, scanned = parse_scan(text)
    if result == ScanResult.BAD_CHECK:
        raise ScanRejected(detail="扫码校验失败：请重新扫描（或手工输入档号）。")
    if scanned is not None:
        code = scanned.code
    else:
        try:
            code = scan_form(text)
        except ValueError:
            return None
    for v in candidates:
        try:
            if scan_form(v.reference_code) == code:
                return v
        except ValueError:
            continue
    return None


def _open_loan_of(uow: UnitOfWork, volume_id: int) -> Loan | None:
    return uow.session.scalar(
        select(Loan).where(Loan.volume_id == volume_id, Loan.state == LoanState.OUT.value)
    )


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
        operator = authorize(uow, session.actor, "loan.write")
        app = uow.session.get(UseApplication, application_id)
        if app is None:
            raise ValidationFailed([FieldError("application", "not_found")])
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
            volume = _match_volume(candidates, scan)
        if volume is None:
            raise ValidationFailed([FieldError("scan", "not_in_application")])
        wanted = next(w for w, v in rows if v.id == volume.id)
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
            number=_next_number(uow, "JY", today.year),
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
        _set_volume_out(uow, volume, "借出", clock)
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


# --- returns ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReturnCheck:
    """What the return screen shows before the face-to-face count (R33)."""

    loan_id: int
    number: str
    reference_code: str
    title: str
    secrecy: str
    borrower: str
    kind_label: str
    issued_on: date
    due_on: date
    overdue_days: int
    expected_pages: int
    expected_items: int
    restricted: bool


def find_open_loan(*, session: SignedIn, scan: str, clock: Clock) -> ReturnCheck:
    """The open register entry of a scanned slip (loan number) or volume (档号)."""
    result, scanned = parse_scan(scan)
    if result == ScanResult.BAD_CHECK:
        raise ScanRejected(detail="扫码校验失败：请重新扫描借条或案卷标签。")
    text = scanned.code if scanned is not None else "".join(scan.split()).upper()
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.write"))
        loan = uow.session.scalar(
            select(Loan).where(Loan.number == text, Loan.state == LoanState.OUT.value)
        )
        if loan is None and text:
            # a volume's label: compare scan forms (a 档号 may hold · or full-width brackets)
            for candidate, code in uow.session.execute(
                select(Loan, Volume.reference_code)
                .join(Volume, Volume.id == Loan.volume_id)
                .where(Loan.state == LoanState.OUT.value)
            ):
                if _same_code(code, text):
                    loan = candidate
                    break
        if loan is None:
            raise ValidationFailed([FieldError("scan", "not_found_scan")])
        return _return_check(uow, reader, loan, local_today(clock))


def _same_code(reference_code: str, scanned: str) -> bool:
    try:
        return scan_form(reference_code) == scanned
    except ValueError:
        return False


def get_return_check(*, session: SignedIn, loan_id: int, clock: Clock) -> ReturnCheck:
    """The return screen's data for an open loan picked from a list."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.write"))
        loan = uow.session.get(Loan, loan_id)
        if loan is None or loan.state != LoanState.OUT.value:
            raise ValidationFailed([FieldError("loan", "not_out")])
        return _return_check(uow, reader, loan, local_today(clock))


def _return_check(uow: UnitOfWork, reader: Any, loan: Loan, today: date) -> ReturnCheck:
    volume = uow.session.get(Volume, loan.volume_id)
    app = uow.session.get(UseApplication, loan.application_id)
    assert volume is not None and app is not None
    visible = access.may_see(reader, volume.secrecy_level)
    return ReturnCheck(
        loan_id=loan.id,
        number=loan.number,
        reference_code=volume.reference_code,
        title=volume.title if visible else access.RESTRICTED,
        secrecy=_volume_marking(volume) if visible else access.RESTRICTED,
        borrower=app.applicant_name,
        kind_label=KIND_LABELS[UseKind(loan.kind)],
        issued_on=local_date(loan.issued_at) or today,
        due_on=loan.due_on,
        overdue_days=rules.overdue_days(loan.due_on, today),
        expected_pages=loan.expected_pages,
        expected_items=loan.expected_items,
        restricted=not visible,
    )


@dataclass(frozen=True)
class ReturnCount:
    """What the operator counted face to face with the borrower (当面点清, R33)."""

    counted_pages: int
    counted_items: int
    condition: str  # intact | damaged
    face_to_face: bool  # the operator confirms the count was made with the borrower
    note: str = ""
    to_repair: bool = False
    effect: str = ""  # 利用效果


@dataclass(frozen=True)
class ReturnDone:
    """A closed entry: where the volume went and the report opened, if any."""

    number: str
    volume_state: str
    report_id: int | None


def return_loan(*, session: SignedIn, loan_id: int, count: ReturnCount, clock: Clock) -> ReturnDone:
    """Close (注销) a register entry after the face-to-face count (R33).

    A shortfall against the 卷内目录's items and pages, or damage, opens a damage/loss report
    that stays open until resolved; the volume goes back to its place or to repair.
    """
    errors: list[FieldError] = []
    if not count.face_to_face:
        errors.append(FieldError("counted_face_to_face", "confirm_required"))
    if not 0 <= count.counted_pages <= 99_999:
        errors.append(FieldError("counted_pages", "range", {"min": 0, "max": 99_999}))
    if not 0 <= count.counted_items <= 9_999:
        errors.append(FieldError("counted_items", "range", {"min": 0, "max": 9_999}))
    try:
        condition = Condition(count.condition)
    except ValueError:
        errors.append(FieldError("condition", "format", {"expected": "完好或有损坏"}))
        condition = Condition.INTACT
    note = _text(errors, "note", count.note, 1000, required=condition == Condition.DAMAGED)
    effect = _text(errors, "effect", count.effect, 200, required=False)
    with session.uow(clock) as uow:
        uow.claim_writes()
        operator = authorize(uow, session.actor, "loan.write")
        loan = uow.session.get(Loan, loan_id)
        if loan is None or loan.state != LoanState.OUT.value:
            errors.append(FieldError("loan", "not_out"))
        if errors:
            raise ValidationFailed(errors)
        assert loan is not None
        volume = uow.session.get(Volume, loan.volume_id)
        assert volume is not None
        now = clock.now()
        short = (
            count.counted_pages < loan.expected_pages or count.counted_items < loan.expected_items
        )
        report: DamageReport | None = None
        if short or condition == Condition.DAMAGED:
            if count.counted_items == 0 and loan.expected_items > 0:
                kind = ReportKind.LOSS
            elif short:
                kind = ReportKind.SHORTFALL
            else:
                kind = ReportKind.DAMAGE
            report = DamageReport(
                loan_id=loan.id,
                volume_id=volume.id,
                kind=kind.value,
                expected_pages=loan.expected_pages,
                counted_pages=count.counted_pages,
                expected_items=loan.expected_items,
                counted_items=count.counted_items,
                description=note,
                state="open",
                opened_at=now,
                opened_by=operator.id,
                resolution="",
            )
            uow.session.add(report)
        loan.state = LoanState.RETURNED.value
        loan.returned_at = now
        loan.returned_by = operator.id
        loan.counted_pages = count.counted_pages
        loan.counted_items = count.counted_items
        loan.condition = condition.value
        loan.effect = effect
        loan.remarks = note
        loan.version += 1
        _set_volume_back(uow, volume, "归还", clock, to_repair=count.to_repair)
        uow.session.flush()
        _close_if_done(uow, loan.application_id)
        uow.audit.record(
            "loan.return",
            object_type="loan",
            object_id=loan.id,
            details={
                "number": loan.number,
                "reference_code": volume.reference_code,
                "counted": [count.counted_items, count.counted_pages],
                "expected": [loan.expected_items, loan.expected_pages],
                "condition": condition.value,
                "report": report.id if report is not None else None,
                "to": volume.state,
            },
        )
        uow.commit()
        return ReturnDone(loan.number, volume.state, report.id if report is not None else None)


def _close_if_done(uow: UnitOfWork, application_id: int) -> None:
    """An application whose volumes were all issued and returned is 已办结."""
    app = uow.session.get(UseApplication, application_id)
    if app is None:
        return
    wanted = uow.session.scalar(
        select(func.count(UseApplicationVolume.id)).where(
            UseApplicationVolume.application_id == application_id
        )
    )
    returned = uow.session.scalar(
        select(func.count(Loan.id)).where(
            Loan.application_id == application_id, Loan.state == LoanState.RETURNED.value
        )
    )
    if wanted == returned:
        app.state = ApplicationState.CLOSED.value
        app.version += 1


@dataclass(frozen=True)
class DamageReportRow:
    """A damage/loss report."""

    id: int
    loan_number: str
    reference_code: str
    kind_label: str
    expected: str  # "12 件 / 48 页"
    counted: str
    description: str
    state: str  # open | resolved
    opened_at: datetime
    resolution: str


def list_damage_reports(
    *, session: SignedIn, clock: Clock, open_only: bool = True
) -> list[DamageReportRow]:
    """Damage/loss reports, newest first (open ones only by default)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        stmt = (
            select(DamageReport, Loan.number, Volume.reference_code)
            .join(Loan, Loan.id == DamageReport.loan_id)
            .join(Volume, Volume.id == DamageReport.volume_id)
            .order_by(DamageReport.id.desc())
        )
        if open_only:
            stmt = stmt.where(DamageReport.state == "open")
        return [
            DamageReportRow(
                id=r.id,
                loan_number=number,
                reference_code=code,
                kind_label=rules.REPORT_KIND_LABELS[ReportKind(r.kind)],
                expected=f"{r.expected_items} 件 / {r.expected_pages} 页",
                counted=f"{r.counted_items} 件 / {r.counted_pages} 页",
                description=r.description,
                state=r.state,
                opened_at=r.opened_at,
                resolution=r.resolution,
            )
            for r, number, code in uow.session.execute(stmt)
        ]


def resolve_damage_report(
    *, session: SignedIn, report_id: int, resolution: str, clock: Clock
) -> None:
    """Close a damage/loss report with what was done (repaired, copied, recovered …)."""
    errors: list[FieldError] = []
    resolution = _text(errors, "resolution", resolution, 1000, required=True)
    with session.uow(clock) as uow:
        operator = authorize(uow, session.actor, "loan.write")
        report = uow.session.get(DamageReport, report_id)
        if report is None:
            errors.append(FieldError("report", "not_found"))
        elif report.state != "open":
            errors.append(FieldError("report", "already_resolved"))
        if errors:
            raise ValidationFailed(errors)
        assert report is not None
        report.state = "resolved"
        report.resolved_at = clock.now()
        report.resolved_by = operator.id
        report.resolution = resolution
        uow.audit.record(
            "loan.damage_resolved",
            object_type="damage_report",
            object_id=report.id,
            details={"resolution": resolution},
        )
        uow.commit()


# --- renewal ---------------------------------------------------------------------------------
def request_renewal(
    *, session: SignedIn, loan_id: int, reason: str, clock: Clock
) -> ApplicationSaved:
    """Ask to keep a loan longer: a new application on the same route (renewal needs approval)."""
    errors: list[FieldError] = []
    reason = _text(errors, "reason", reason, 2000, required=True)
    today = local_today(clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        operator = authorize(uow, session.actor, "loan.write")
        loan = uow.session.get(Loan, loan_id)
        if loan is None or loan.state != LoanState.OUT.value:
            errors.append(FieldError("loan", "not_out"))
        elif loan.kind != UseKind.LOAN.value:
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
        number = _next_number(uow, "SQ", today.year)
        app = UseApplication(
            number=number,
            kind=UseKind.LOAN.value,
            state=ApplicationState.PENDING.value,
            applicant_user_id=original.applicant_user_id,
            applicant_name=original.applicant_name,
            outsider=original.outsider,
            unit=original.unit,
            department=original.department,
            credential=original.credential,
            credential_number_enc=_encrypt(
                uow, number, "credential_number", decrypt_field(uow, original, "credential_number")
            ),
            phone_enc=_encrypt(uow, number, "phone", decrypt_field(uow, original, "phone")),
            purpose=original.purpose,
            reason=reason,
            secrecy_level=volume.secrecy_level,
            steps=json.dumps([sorted(t.value for t in s) for s in steps]),
            renewal_of_loan_id=loan.id,
            created_at=clock.now(),
            created_by=operator.id,
            rejection_reason="",
            version=1,
        )
        uow.session.add(app)
        uow.session.flush()
        uow.session.add(UseApplicationVolume(application_id=app.id, volume_id=volume.id))
        uow.audit.record(
            "loan.renewal_request",
            object_type="use_application",
            object_id=app.id,
            details={"number": number, "loan": loan.number, "reason": reason},
        )
        uow.commit()
        return ApplicationSaved(app.id, number, tuple(step_label(s) for s in steps))


def _renew(uow: UnitOfWork, app: UseApplication, clock: Clock) -> str | None:
    """Move the renewed loan's due date on by one loan period from its due date (or today)."""
    loan = uow.session.get(Loan, app.renewal_of_loan_id)
    if loan is None or loan.state != LoanState.OUT.value:
        app.state = ApplicationState.CLOSED.value
        return None
    settings = loan_settings(uow)
    start = max(loan.due_on, local_today(clock))
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


# --- loans and overdue -----------------------------------------------------------------------
@dataclass(frozen=True)
class LoanRow:
    """An open or closed register entry in a list."""

    id: int
    number: str
    kind_label: str
    reference_code: str
    title: str
    secrecy: str
    borrower: str
    department: str
    issued_on: date
    due_on: date
    returned_on: date | None
    overdue_days: int
    renewals: int
    reminders: int
    escalate_to: str  # the department head(s) told after N days overdue, "" before
    restricted: bool


def loan_rows(
    uow: UnitOfWork,
    reader: Any,
    rows: Sequence[Any],
    today: date,
    escalation_days: int,
) -> list[LoanRow]:
    """Register entries as list rows: clearance, days overdue, who is told after N days."""
    heads = department_heads(
        uow, [app.department for _l, _v, app in rows if not app.outsider and app.department]
    )
    out = []
    for loan, volume, app in rows:
        visible = access.may_see(reader, volume.secrecy_level)
        days = rules.overdue_days(loan.due_on, today) if loan.state == LoanState.OUT.value else 0
        escalate = ""
        if days >= escalation_days and days > 0:
            names = heads.get(app.department, []) if not app.outsider else []
            escalate = "、".join(names) or "部门负责人（未登记）"
        out.append(
            LoanRow(
                id=loan.id,
                number=loan.number,
                kind_label=KIND_LABELS[UseKind(loan.kind)],
                reference_code=volume.reference_code,
                title=volume.title if visible else access.RESTRICTED,
                secrecy=_level_text(volume.secrecy_level) if visible else access.RESTRICTED,
                borrower=app.applicant_name,
                department=app.unit if app.outsider else app.department,
                issued_on=local_date(loan.issued_at) or today,
                due_on=loan.due_on,
                returned_on=local_date(loan.returned_at),
                overdue_days=days,
                renewals=loan.renewals,
                reminders=loan.reminders,
                escalate_to=escalate,
                restricted=not visible,
            )
        )
    return out


def list_open_loans(*, session: SignedIn, clock: Clock, limit: int = 1000) -> list[LoanRow]:
    """Entries still out, by due date."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        rows = uow.session.execute(
            select(Loan, Volume, UseApplication)
            .join(Volume, Volume.id == Loan.volume_id)
            .join(UseApplication, UseApplication.id == Loan.application_id)
            .where(Loan.state == LoanState.OUT.value)
            .order_by(Loan.due_on, Loan.id)
            .limit(limit)
        ).all()
        return loan_rows(uow, reader, rows, today, loan_settings(uow).escalation_days)


def list_overdue(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[LoanRow]:
    """Entries out past their due date, most overdue first (R33: overdue is listed).

    Read from the current state through the ``(state, due_on)`` index: a returned loan is
    never listed, however late it came back.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        rows = uow.session.execute(
            select(Loan, Volume, UseApplication)
            .join(Volume, Volume.id == Loan.volume_id)
            .join(UseApplication, UseApplication.id == Loan.application_id)
            .where(Loan.state == LoanState.OUT.value, Loan.due_on < today)
            .order_by(Loan.due_on, Loan.id)
            .limit(limit)
        ).all()
        return loan_rows(uow, reader, rows, today, loan_settings(uow).escalation_days)


def overdue_count(*, session: SignedIn, clock: Clock) -> int:
    """How many entries are overdue now (the home screen's card)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        return int(
            uow.session.scalar(
                select(func.count(Loan.id)).where(
                    Loan.state == LoanState.OUT.value, Loan.due_on < today
                )
            )
            or 0
        )


# --- statistics (R40, R50) -------------------------------------------------------------------
@dataclass(frozen=True)
class UseStatistics:
    """Use of the archives in a period."""

    person_times: int  # 人次: applications served
    volume_times: int  # 卷次: volumes used
    pages_copied: int
    by_kind: dict[str, int]  # 卷次 per 利用方式 label
    loans: int  # 外借 entries issued
    overdue_now: int  # violations still out
    returned_late: int  # violations returned after their due date


def use_statistics(
    *, session: SignedIn, clock: Clock, date_from: date, date_to: date
) -> UseStatistics:
    """Counts from the use log for ``date_from``..``date_to`` (local dates, inclusive)."""
    if date_from > date_to:
        raise ValidationFailed([FieldError("date_range", "range_order")])
    start, end = utc_range(date_from, date_to)
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        in_range = (UseLog.occurred_at >= start, UseLog.occurred_at < end)
        persons, volumes, pages = uow.session.execute(
            select(
                func.count(func.distinct(UseLog.application_id)),
                func.count(UseLog.id),
                func.coalesce(func.sum(UseLog.pages_copied), 0),
            ).where(*in_range)
        ).one()
        by_kind = {
            KIND_LABELS[UseKind(kind)]: int(n)
            for kind, n in uow.session.execute(
                select(UseLog.kind, func.count(UseLog.id)).where(*in_range).group_by(UseLog.kind)
            )
        }
        loans = [
            (entry.due_on, entry.returned_at, entry.state)
            for entry in uow.session.scalars(
                select(Loan).where(
                    Loan.kind == UseKind.LOAN.value, Loan.issued_at >= start, Loan.issued_at < end
                )
            )
        ]
        overdue_now = sum(1 for due, _r, state in loans if state == "out" and due < today)
        late = sum(
            1
            for due, returned, state in loans
            if state == "returned" and returned is not None and (local_date(returned) or due) > due
        )
        return UseStatistics(
            int(persons), int(volumes), int(pages), by_kind, len(loans), overdue_now, late
        )


def utc_range(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Local calendar days as a half-open UTC range."""
    from datetime import time as dtime
    from datetime import timedelta

    start = datetime.combine(date_from, dtime.min).astimezone()
    end = datetime.combine(date_to + timedelta(days=1), dtime.min).astimezone()
    return as_utc(start), as_utc(end)


def find_application_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int:
    """The approved application waiting to issue the scanned volume (oldest first).

    Lets the desk issue by scanning the volume alone; refused when no approved application
    asks for it, or it is already out under each of them.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.write")
        rows = list(
            uow.session.execute(
                select(UseApplication.id, Volume)
                .join(
                    UseApplicationVolume, UseApplicationVolume.application_id == UseApplication.id
                )
                .join(Volume, Volume.id == UseApplicationVolume.volume_id)
                .where(
                    UseApplication.state == ApplicationState.APPROVED.value,
                    UseApplication.renewal_of_loan_id.is_(None),
                )
                .order_by(UseApplication.id)
            ).all()
        )
        issued = set(
            uow.session.execute(
                select(Loan.application_id, Loan.volume_id).where(
                    Loan.application_id.in_({app_id for app_id, _v in rows})
                )
            ).all()
        )
        for app_id, volume in rows:
            if (app_id, volume.id) in issued:
                continue
            if _match_volume([volume], scan) is not None:
                return int(app_id)
    raise ValidationFailed([FieldError("scan", "no_approved_application")])


# What a scanner types for the separators a 档号 may hold (app.domain.scan_codes._TO_ASCII).
_SCAN_ALTERNATIVES = {".": (".", "·"), "(": ("(", "（"), ")": (")", "）"), " ": (" ", "　")}
_MAX_VARIANTS = 64


def stored_code_variants(scanned: str) -> list[str]:
    """The 档号 spellings whose scan form is ``scanned`` (exact index look-ups, no scan)."""
    variants = [""]
    for char in scanned:
        options = _SCAN_ALTERNATIVES.get(char, (char,))
        variants = [v + o for v in variants for o in options]
        if len(variants) > _MAX_VARIANTS:
            return [scanned]
    return variants


def volume_id_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int | None:
    """The volume whose label was scanned (or whose 档号 was typed), or None.

    A label holds the 档号's scan form (``·`` typed as ``.``): the stored spellings are
    looked up through the unique index and checked with :func:`scan_form`.
    """
    result, scanned = parse_scan(scan)
    if result == ScanResult.BAD_CHECK:
        raise ScanRejected(detail="扫码校验失败：请重新扫描（或手工输入档号）。")
    if scanned is not None:
        code = scanned.code
    else:
        try:
            code = scan_form(scan)
        except ValueError:
            return None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        for volume_id, stored in uow.session.execute(
            select(Volume.id, Volume.reference_code).where(
                Volume.reference_code.in_(stored_code_variants(code))
            )
        ):
            if _same_code(stored, code):
                return int(volume_id)
    return None


def copy_approved(*, session: SignedIn, volume_id: int, clock: Clock) -> bool:
    """True while an approved 复制/摘抄/对外提供 of the volume is issued and not yet returned.

    机密/绝密 file contents may then be printed or saved for it (R31: the 总经理's approval);
    otherwise the viewer stays view-only.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        found = uow.session.scalar(
            select(Loan.id).where(
                Loan.volume_id == volume_id,
                Loan.state == LoanState.OUT.value,
                Loan.kind.in_([k.value for k in rules.COPY_KINDS]),
            )
        )
        return found is not None
