"""The loan desk's printouts built from the database (R32–R35, R17, R40).

Sheets are filled here within the reader's clearance (a volume above it prints as "受限" with
its 档号) and with personal values masked; rendering is ``app.printing.loan_forms``. Overdue
notices are always built from the loans' current state: a returned loan never gets one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.catalogue import MARKED_LEVELS, Secrecy, SecrecyLevel, strongest
from app.domain.loans import (
    CONDITION_LABELS,
    KIND_LABELS,
    REGISTER_KIND_LABELS,
    Condition,
    LoanState,
    UseKind,
)
from app.domain.scan_codes import scan_payload
from app.errors import FieldError, ValidationFailed
from app.printing import loan_forms as forms
from app.security import access
from app.security.masking import mask_id_number, mask_phone
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, fetch
from app.services.loans.rows import LoanRow, application_view, loan_rows
from app.services.loans.settings import loan_settings
from app.services.loans.shared import (
    decrypt_field,
    loan_entries,
    local_date,
    local_today,
    utc_range,
)
from app.services.locations import volume_place_codes
from app.storage.models import (
    Loan,
    UseApplication,
    UseApplicationVolume,
    UseApproval,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork

OUTPUTS = {
    "register": forms.REGISTER_TITLE,
    "copy_register": forms.COPY_REGISTER_TITLE,
    "application": forms.APPLICATION_TITLE,
    "slip": forms.SLIP_TITLE,
    "notice": forms.NOTICE_TITLE,
}
COPY_REGISTER_KINDS = (UseKind.COPY.value, UseKind.EXCERPT.value, UseKind.EXTERNAL.value)


def _secrecy(v: Volume) -> Secrecy:
    level = SecrecyLevel(v.secrecy_level) if v.secrecy_level else None
    return Secrecy(level, v.secrecy_term_years, v.secrecy_since)


def _mark(volumes: Sequence[Volume], reader: Any) -> str:
    top = strongest([_secrecy(v) for v in volumes if access.may_see(reader, v.secrecy_level)])
    return top.marking() if top.level in MARKED_LEVELS else ""


def _head(session: SignedIn, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    return {
        "organisation": uow.settings.load().organisation.organisation_name,
        "printed_by": session.actor.display_name,
        "printed_by_username": session.actor.username,
        "printed_at": clock.now(),
    }


def _unit_department(app: UseApplication) -> str:
    if app.outsider:
        return f"{app.unit}（{app.department}）" if app.department else app.unit
    return app.department


class _Context:
    """Caches for one printout: user names, decrypted (masked) contacts, approvals."""

    def __init__(self, uow: UnitOfWork, app_ids: Sequence[int]) -> None:
        self.uow = uow
        users = uow.session.execute(select(UserAccount.id, UserAccount.display_name)).all()
        self.names: dict[int, str] = {int(i): str(n) for i, n in users}
        self.approvals: dict[int, list[UseApproval]] = {}
        wanted = sorted(set(app_ids))
        for start in range(0, len(wanted), 500):
            for a in uow.session.scalars(
                select(UseApproval)
                .where(UseApproval.application_id.in_(wanted[start : start + 500]))
                .order_by(UseApproval.application_id, UseApproval.step)
            ):
                self.approvals.setdefault(a.application_id, []).append(a)
        self._contacts: dict[int, str] = {}
        self.places: dict[int, str] = {}  # volume id → "盒号 位置" (set by the register)

    def contact(self, app: UseApplication) -> str:
        if app.id not in self._contacts:
            number = decrypt_field(self.uow, app, "credential_number")
            phone = decrypt_field(self.uow, app, "phone")
            parts = [mask_id_number(number) if number else "", mask_phone(phone) if phone else ""]
            self._contacts[app.id] = "\n".join(p for p in parts if p)
        return self._contacts[app.id]

    def signatures(self, app_id: int) -> str:
        return "\n".join(
            f"{a.approver_name} {a.opinion or ('同意' if a.decision == 'approve' else '驳回')} "
            f"{local_date(a.decided_at) or ''}"
            for a in self.approvals.get(app_id, [])
        )

    def name(self, user_id: int | None) -> str:
        return self.names.get(user_id, "") if user_id is not None else ""


def _day(value: date | None) -> str:
    return forms.format_day(value)


def _register_row(
    ctx: _Context, reader: Any, loan: Loan, volume: Volume, app: UseApplication
) -> tuple[str, ...]:
    visible = access.may_see(reader, volume.secrecy_level)
    checked = ""
    if loan.state == LoanState.RETURNED.value:
        condition = CONDITION_LABELS.get(Condition(loan.condition or "intact"), "")
        checked = f"{loan.counted_pages or 0}页/{condition}"
    return (
        loan.number,
        REGISTER_KIND_LABELS[UseKind(loan.kind)],
        app.applicant_name,
        _unit_department(app),
        ctx.contact(app),
        app.purpose,
        volume.reference_code,
        volume.title if visible else access.RESTRICTED,
        (_secrecy(volume).marking() or "—") if visible else access.RESTRICTED,
        f"1卷/{loan.expected_items}件/{loan.expected_pages}页",
        ctx.places.get(volume.id, ""),
        ctx.signatures(app.id),
        _day(local_date(loan.issued_at)),
        _day(loan.due_on),
        str(loan.renewals) if loan.renewals else "",
        _day(local_date(loan.returned_at)),
        checked,
        ctx.name(loan.issued_by),
        ctx.name(loan.returned_by),
        "",  # 借阅人签字: signed on paper
        loan.effect,
        loan.remarks,
    )


def _copy_row(
    ctx: _Context,
    reader: Any,
    loan: Loan,
    volume: Volume,
    app: UseApplication,
    wanted: UseApplicationVolume | None,
) -> tuple[str, ...]:
    visible = access.may_see(reader, volume.secrecy_level)
    return (
        loan.number,
        _day(local_date(loan.issued_at)),
        KIND_LABELS[UseKind(loan.kind)],
        app.applicant_name,
        _unit_department(app),
        app.purpose,
        volume.reference_code,
        volume.title if visible else access.RESTRICTED,
        (_secrecy(volume).marking() or "—") if visible else access.RESTRICTED,
        wanted.items if wanted else "",
        wanted.pages if wanted else "",
        str(wanted.page_count) if wanted else "",
        str(wanted.copies) if wanted else "",
        ctx.signatures(app.id),
        ctx.name(loan.issued_by),
        "",
        loan.remarks,
    )


def _loans_in_scope(
    uow: UnitOfWork,
    *,
    date_from: date | None,
    date_to: date | None,
    open_only: bool,
    kinds: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    stmt = loan_entries().order_by(Loan.issued_at, Loan.id)
    if open_only:
        stmt = stmt.where(Loan.state == LoanState.OUT.value)
        scope = "当前未还的借阅"
    else:
        if date_from is None or date_to is None:
            raise ValidationFailed([FieldError("date_range", "required")])
        if date_from > date_to:
            raise ValidationFailed([FieldError("date_range", "range_order")])
        start, end = utc_range(date_from, date_to)
        stmt = stmt.where(Loan.issued_at >= start, Loan.issued_at < end)
        scope = f"{date_from.isoformat()} 至 {date_to.isoformat()}"
    if kinds:
        stmt = stmt.where(Loan.kind.in_(list(kinds)))
    return scope, list(uow.session.execute(stmt).all())


def register_pdf(
    *,
    session: SignedIn,
    clock: Clock,
    date_from: date | None = None,
    date_to: date | None = None,
    open_only: bool = False,
) -> bytes:
    """The 借阅登记簿 (A4 landscape) for entries issued in a date range, or those still out."""

    def rows(uow: UnitOfWork, ctx: _Context, reader: Actor, found: list[Any]) -> list[Any]:
        ctx.places = volume_place_codes(uow, [v.id for _l, v, _a in found])
        return [_register_row(ctx, reader, loan, v, app) for loan, v, app in found]

    return _register(
        session, clock, forms.REGISTER_TITLE, rows, date_from, date_to, open_only, kinds=None
    )


def copy_register_pdf(
    *,
    session: SignedIn,
    clock: Clock,
    date_from: date | None = None,
    date_to: date | None = None,
    open_only: bool = False,
) -> bytes:
    """The 复制摘抄登记簿 (复制, 摘抄, 对外提供) for a date range: pages and copies per volume."""

    def rows(uow: UnitOfWork, ctx: _Context, reader: Actor, found: list[Any]) -> list[Any]:
        wanted = {
            (w.application_id, w.volume_id): w
            for w in uow.session.scalars(
                select(UseApplicationVolume).where(
                    UseApplicationVolume.application_id.in_({app.id for _l, _v, app in found})
                )
            )
        }
        return [
            _copy_row(ctx, reader, loan, v, app, wanted.get((app.id, v.id)))
            for loan, v, app in found
        ]

    return _register(
        session,
        clock,
        forms.COPY_REGISTER_TITLE,
        rows,
        date_from,
        date_to,
        open_only,
        kinds=COPY_REGISTER_KINDS,
    )


RegisterRows = Callable[[UnitOfWork, _Context, Actor, list[Any]], list[Any]]


def _register(
    session: SignedIn,
    clock: Clock,
    title: str,
    make_rows: RegisterRows,
    date_from: date | None,
    date_to: date | None,
    open_only: bool,
    *,
    kinds: Sequence[str] | None,
) -> bytes:
    """A register of the loans in scope, one row each from ``make_rows``."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "print.forms"))
        authorize(uow, session.actor, "loan.read")
        scope, found = _loans_in_scope(
            uow, date_from=date_from, date_to=date_to, open_only=open_only, kinds=kinds
        )
        ctx = _Context(uow, [app.id for _l, _v, app in found])
        sheet = forms.RegisterSheet(
            title=title,
            scope=scope,
            rows=make_rows(uow, ctx, reader, found),
            secrecy_mark=_mark([v for _l, v, _a in found], reader),
            **_head(session, uow, clock),
        )
    return forms.render_register(sheet)


def application_pdf(*, session: SignedIn, application_id: int, clock: Clock) -> bytes:
    """The 查阅/借阅申请单 of an application, with a block per approval step."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "print.forms"))
        app = fetch(uow, UseApplication, application_id, "application")
        view = application_view(uow, reader, app)
        volumes = list(
            uow.session.scalars(
                select(Volume)
                .join(UseApplicationVolume, UseApplicationVolume.volume_id == Volume.id)
                .where(UseApplicationVolume.application_id == app.id)
            )
        )
        signed = {a.step: a for a in view.approvals}
        blocks = []
        for n, step in enumerate(view.steps):
            a = signed.get(n)
            blocks.append(
                forms.ApprovalBlock(
                    step=step,
                    approver=f"{a.approver}（{a.title}）" if a else "",
                    decision=("同意" if a.decision == "approve" else "驳回") if a else "",
                    opinion=a.opinion if a else "",
                    decided_on=local_date(a.decided_at) if a else None,
                )
            )
        period = "—"
        if view.requested_until is not None:
            start = view.requested_from or local_date(app.created_at)
            period = f"{_day(start)} 至 {_day(view.requested_until)}"
        credential = f"{view.credential} {view.credential_number}".strip()
        sheet = forms.ApplicationSheet(
            number=view.row.number,
            kind_label=view.row.kind_label + ("（续借）" if view.row.renewal else ""),
            state_label=view.row.state_label,
            applicant=view.row.applicant,
            unit_department=_unit_department(app),
            credential=credential,
            phone=view.phone,
            purpose=view.row.purpose,
            reason=view.reason,
            period=period,
            filed_on=local_date(app.created_at) or date.today(),
            entered_by=view.entered_by,
            volumes=[
                (
                    line.reference_code,
                    line.title,
                    line.secrecy or "—",
                    "" if line.restricted else f"{line.item_count}件/{line.page_count}页",
                    f"{line.pages or '—'} / {line.copies}份" if line.copy_pages else "",
                )
                for line in view.volumes
            ],
            approvals=blocks,
            rejection_reason=view.row.rejection_reason,
            secrecy_mark=_mark(volumes, reader),
            **_head(session, uow, clock),
        )
    return forms.render_application(sheet)


def slip_pdf(*, session: SignedIn, loan_id: int, clock: Clock) -> bytes:
    """The 借条 of a register entry; its QR code holds the loan number (scan form + check)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "print.forms"))
        loan = fetch(uow, Loan, loan_id, "loan")
        volume = uow.session.get(Volume, loan.volume_id)
        app = uow.session.get(UseApplication, loan.application_id)
        assert volume is not None and app is not None
        visible = access.may_see(reader, volume.secrecy_level)
        names = _Context(uow, [])
        slip = forms.LoanSlip(
            number=loan.number,
            qr_payload=scan_payload(loan.number),
            kind_label=REGISTER_KIND_LABELS[UseKind(loan.kind)],
            reference_code=volume.reference_code,
            title=volume.title if visible else access.RESTRICTED,
            secrecy=(_secrecy(volume).marking() if visible else access.RESTRICTED),
            quantity=f"1卷/{loan.expected_items}件/{loan.expected_pages}页",
            borrower=app.applicant_name,
            unit_department=_unit_department(app),
            purpose=app.purpose,
            issued_on=local_date(loan.issued_at) or date.today(),
            due_on=loan.due_on,
            issued_by=names.name(loan.issued_by),
            secrecy_mark=_mark([volume], reader),
            **_head(session, uow, clock),
        )
    return forms.render_slip(slip)


def overdue_notices_pdf(
    *, session: SignedIn, clock: Clock, loan_ids: Sequence[int] | None = None
) -> bytes:
    """催还通知 per borrower for loans overdue *now* (of ``loan_ids``, or all of them).

    Built from the current state in the same transaction that counts the reminder, so a loan
    returned in the meantime is left out; when nothing is overdue nothing is printed.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        reader = actor_from_row(authorize(uow, session.actor, "loan.write", releases=True))
        stmt = (
            loan_entries()
            .where(Loan.state == LoanState.OUT.value, Loan.due_on < today)
            .order_by(UseApplication.applicant_name, Loan.due_on, Loan.id)
        )
        if loan_ids is not None:
            stmt = stmt.where(Loan.id.in_(list(loan_ids)))
        rows = list(uow.session.execute(stmt).all())
        if not rows:
            raise ValidationFailed([FieldError("loan", "no_overdue")])
        settings = loan_settings(uow)
        lines = loan_rows(uow, reader, rows, today, settings.escalation_days)
        grouped: dict[tuple[Any, ...], list[tuple[Any, LoanRow]]] = {}
        for (loan, volume, app), line in zip(rows, lines, strict=True):
            key = (app.applicant_user_id, app.applicant_name, app.unit, app.department)
            grouped.setdefault(key, []).append(((loan, volume, app), line))
        notices = []
        now = clock.now()
        for entries in grouped.values():
            app = entries[0][0][2]
            escalate = "、".join(
                sorted({line.escalate_to for _r, line in entries if line.escalate_to})
            )
            notices.append(
                forms.OverdueNotice(
                    borrower=app.applicant_name,
                    unit_department=_unit_department(app),
                    lines=[
                        forms.NoticeLine(
                            line.number,
                            line.reference_code,
                            line.title,
                            line.issued_on,
                            line.due_on,
                            line.overdue_days,
                        )
                        for _r, line in entries
                    ],
                    escalate_to=escalate,
                    notice_on=today,
                )
            )
            for (loan, _v, _a), _line in entries:
                loan.reminders += 1
                loan.last_reminded_at = now
        uow.audit.record(
            "loan.notice",
            object_type="loan",
            object_id=",".join(str(loan.id) for loan, _v, _a in rows)[:64],
            details={"loans": [loan.number for loan, _v, _a in rows]},
        )
        batch = forms.NoticeBatch(
            notices=notices,
            secrecy_mark=_mark([v for _l, v, _a in rows], reader),
            **_head(session, uow, clock),
        )
        uow.commit()
    return forms.render_notices(batch)


def record_loan_output(
    *, session: SignedIn, form: str, kind: str, object_id: str, clock: Clock
) -> None:
    """Audit a printout or saved PDF of a loan desk form (R40), before it is made."""
    if form not in OUTPUTS or kind not in ("print", "save"):
        raise ValidationFailed([FieldError("form", "format", {"expected": "借阅表单"})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "print.forms")
        uow.audit.record(
            f"print.loan_{form}",
            object_type="loan_form",
            object_id=object_id,
            purpose=OUTPUTS[form],
            details={"output": kind},
        )
        uow.commit()
