"""Helpers shared by the loan use cases: dates, routes, encrypted fields, volume moves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, select

from app.clock import as_utc
from app.domain import loans as rules
from app.domain.accounts import Actor
from app.domain.catalogue import SECRECY_LABELS, Secrecy, SecrecyLevel, VolumeState, rank
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import FieldError
from app.services.common import authorize, next_yearly_number
from app.services.common import local_today as local_today  # the area imports it from here
from app.storage.models import Loan, UseApplication, UseApproval, UserAccount, Volume
from app.storage.store import UnitOfWork

TABLE = "use_application"  # field ciphertexts are bound to this table and the 申请编号


def next_number(uow: UnitOfWork, prefix: str, year: int) -> str:
    """``SQ2026-000001``: numbers per prefix and year, never reused (the 档号 counter table)."""
    return next_yearly_number(uow, prefix, year, digits=6)


def local_date(value: datetime | None) -> date | None:
    """The local calendar day of a stored time (None stays None)."""
    return as_utc(value).astimezone().date() if value is not None else None


def steps_of(app: UseApplication) -> list[rules.Step]:
    """The approval route stored on an application."""
    return [frozenset(ApproverTitle(t) for t in step) for step in json.loads(app.steps or "[]")]


def steps_json(steps: Sequence[rules.Step]) -> str:
    """A route as stored on an application."""
    return json.dumps([sorted(t.value for t in s) for s in steps])


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


def level_text(level: str | None) -> str:
    """The label of a secrecy level ("" when unclassified)."""
    return SECRECY_LABELS[SecrecyLevel(level)] if level else ""


def level_rank(level: str | None) -> int:
    """How strong a secrecy level is (0 when unclassified)."""
    return rank(SecrecyLevel(level)) if level else 0


def volume_marking(v: Volume) -> str:
    """A volume's 密级 marking (level, term, since)."""
    level = SecrecyLevel(v.secrecy_level) if v.secrecy_level else None
    return Secrecy(level, v.secrecy_term_years, v.secrecy_since).marking()


def decrypt_field(uow: UnitOfWork, app: UseApplication, column: str) -> str:
    """An application's encrypted ``credential_number`` or ``phone`` in the clear ("" if none)."""
    blob = getattr(app, f"{column}_enc")
    if not blob:
        return ""
    return uow.store.cipher.decrypt(blob, table=TABLE, column=column, row_key=app.number)


def encrypt_field(uow: UnitOfWork, number: str, column: str, value: str) -> bytes | None:
    """``value`` encrypted for application ``number``'s ``column`` (None when empty)."""
    if not value:
        return None
    return uow.store.cipher.encrypt(value, table=TABLE, column=column, row_key=number)


def signed_steps(uow: UnitOfWork, app: UseApplication) -> list[UseApproval]:
    """The signatures (and rejection) on an application, by step."""
    return list(
        uow.session.scalars(
            select(UseApproval)
            .where(UseApproval.application_id == app.id)
            .order_by(UseApproval.step)
        )
    )


def open_labels(steps: list[rules.Step], signed: set[int]) -> str:
    """Who may still sign: the labels of the unsigned steps."""
    return "；".join(step_label(s) for i, s in enumerate(steps) if i not in signed) or "—"


def loan_entries() -> Select[Loan, Volume, UseApplication]:
    """Register entries with their volume and application (filter and order to taste)."""
    return (
        select(Loan, Volume, UseApplication)
        .join(Volume, Volume.id == Loan.volume_id)
        .join(UseApplication, UseApplication.id == Loan.application_id)
    )


def utc_range(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Local calendar days as a half-open UTC range."""
    from datetime import time as dtime
    from datetime import timedelta

    start = datetime.combine(date_from, dtime.min).astimezone()
    end = datetime.combine(date_to + timedelta(days=1), dtime.min).astimezone()
    return as_utc(start), as_utc(end)


def loan_if_out(uow: UnitOfWork, loan_id: int | None) -> Loan | None:
    """The loan while it is out (借出 and not yet returned); None when unknown or back."""
    loan = uow.session.get(Loan, loan_id) if loan_id is not None else None
    return loan if loan is not None and loan.state == rules.LoanState.OUT.value else None


def start_loan_write(
    uow: UnitOfWork, actor: Actor, loan_id: int, errors: list[FieldError]
) -> tuple[UserAccount, Loan | None]:
    """A write on an open register entry: writes claimed, ``loan.write`` checked, entry read.

    Returns the operator and the entry; one that is not out (unknown or back) is None and
    adds ``loan: not_out`` to ``errors``.
    """
    uow.claim_writes()
    operator = authorize(uow, actor, "loan.write")
    loan = loan_if_out(uow, loan_id)
    if loan is None:
        errors.append(FieldError("loan", "not_out"))
    return operator, loan


# --- volume state and the move log (R23) -------------------------------------------------------
def set_volume_out(uow: UnitOfWork, volume: Volume, reason: str, now: datetime) -> None:
    """The volume leaves its place for a use (借出): its location shows 借出, the move is logged."""
    from app.services.locations import MoveReason, record_volume_out

    volume.state = VolumeState.ON_LOAN.value
    volume.updated_at = now
    record_volume_out(uow, volume, MoveReason.LOAN, note=reason)


def set_volume_back(
    uow: UnitOfWork, volume: Volume, reason: str, now: datetime, *, to_repair: bool
) -> None:
    """The volume comes back (归还) to its place, or goes to repair (在修); both are logged."""
    from app.services.locations import MoveReason, record_volume_back

    volume.state = VolumeState.IN_REPAIR.value if to_repair else VolumeState.ON_SHELF.value
    volume.updated_at = now
    if to_repair:
        record_volume_back(uow, volume, MoveReason.REPAIR, note=f"{reason}后送修", home=False)
    else:
        record_volume_back(uow, volume, MoveReason.RETURN, note=reason)
