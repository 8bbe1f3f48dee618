"""Everything a person holds (R26): what a leaving or transfer hand-over must move first.

One query per kind of holding, over the current state only. ``open_holdings`` serves the
account disable (refused while anything is open) and the hand-over wizard's first page.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as loan_rules
from app.domain.inspections import TaskState
from app.domain.loans import ApplicationState, LoanState
from app.domain.roles import ApproverTitle
from app.domain.staff import HOLDING_LABELS, HoldingKind
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.loans.shared import steps_of
from app.storage.models import (
    Customer,
    Department,
    InspectionSession,
    Loan,
    RepairTask,
    StaffPerson,
    StorageLocation,
    UseApplication,
    UseApproval,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class Holding:
    """One thing a person holds, as the wizard and the 交接清单 list it (no personal values)."""

    kind: HoldingKind
    ref_id: int
    what: str  # 保险柜 K1-BX-01 / JY2026-000003 档号 … / 客户 KH000012 张*丰
    detail: str = ""

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return HOLDING_LABELS[self.kind]


def sole_approvals(uow: UnitOfWork, user: UserAccount) -> list[UseApplication]:
    """Pending applications whose open step only ``user`` (by post) could sign now."""
    if not user.approver_title:
        return []
    title = ApproverTitle(user.approver_title)
    others = [
        u
        for u in uow.session.scalars(
            select(UserAccount).where(
                UserAccount.disabled.is_(False),
                UserAccount.id != user.id,
                UserAccount.approver_title.is_not(None),
            )
        )
        if any(r.role == "approver" for r in u.roles)
    ]
    out = []
    for app in uow.session.scalars(
        select(UseApplication)
        .where(UseApplication.state == ApplicationState.PENDING.value)
        .order_by(UseApplication.id)
    ):
        if user.id in (app.applicant_user_id, app.created_by):
            continue
        signed = {
            s
            for (s,) in uow.session.execute(
                select(UseApproval.step).where(UseApproval.application_id == app.id)
            )
        }
        steps = steps_of(app)
        if loan_rules.open_step(steps, signed, title) is None:
            continue
        if not any(
            o.id not in (app.applicant_user_id, app.created_by)
            and loan_rules.open_step(steps, signed, ApproverTitle(o.approver_title or ""))
            is not None
            for o in others
        ):
            out.append(app)
    return out


def holdings_of(uow: UnitOfWork, user_id: int | None, person_id: int | None) -> list[Holding]:
    """Every open holding of the account ``user_id`` and the person ``person_id``."""
    out: list[Holding] = []
    if user_id is not None:
        for place in uow.session.scalars(
            select(StorageLocation)
            .where(StorageLocation.custodian_id == user_id)
            .order_by(StorageLocation.path_key)
        ):
            out.append(Holding(HoldingKind.CUSTODY, place.id, f"{place.code} {place.name}".strip()))
        for loan, code in uow.session.execute(
            select(Loan, Volume.reference_code)
            .join(UseApplication, UseApplication.id == Loan.application_id)
            .join(Volume, Volume.id == Loan.volume_id)
            .where(Loan.state == LoanState.OUT.value, UseApplication.applicant_user_id == user_id)
            .order_by(Loan.number)
        ):
            out.append(
                Holding(
                    HoldingKind.LOAN,
                    loan.id,
                    f"{loan.number} {code}",
                    f"应还 {loan.due_on.isoformat()}",
                )
            )
        with_loans = select(Loan.application_id).where(Loan.state == LoanState.OUT.value)
        for app in uow.session.scalars(
            select(UseApplication)
            .where(
                UseApplication.applicant_user_id == user_id,
                UseApplication.state.in_(
                    [ApplicationState.PENDING.value, ApplicationState.APPROVED.value]
                ),
                UseApplication.id.not_in(with_loans),
            )
            .order_by(UseApplication.number)
        ):
            state = loan_rules.APPLICATION_STATE_LABELS[ApplicationState(app.state)]
            out.append(Holding(HoldingKind.APPLICATION, app.id, app.number, state))
        user = uow.session.get(UserAccount, user_id)
        if user is not None and not user.disabled:
            for app in sole_approvals(uow, user):
                out.append(Holding(HoldingKind.APPROVAL, app.id, app.number, "待审批"))
        for cid, number, name in uow.session.execute(
            select(Customer.id, Customer.number, Customer.name)
            .where(Customer.responsible_user_id == user_id)
            .order_by(Customer.number)
        ):
            out.append(Holding(HoldingKind.CUSTOMER, cid, f"{number} {mask_name(name)}"))
        for task, code in uow.session.execute(
            select(RepairTask, Volume.reference_code)
            .join(Volume, Volume.id == RepairTask.volume_id)
            .where(
                RepairTask.responsible_user_id == user_id, RepairTask.state != TaskState.DONE.value
            )
            .order_by(RepairTask.id)
        ):
            out.append(
                Holding(HoldingKind.REPAIR, task.id, code, f"期限 {task.due_on.isoformat()}")
            )
        for session in uow.session.scalars(
            select(InspectionSession)
            .where(InspectionSession.status != "closed")
            .order_by(InspectionSession.number)
        ):
            if any(i.get("user_id") == user_id for i in json.loads(session.inspectors)):
                out.append(
                    Holding(HoldingKind.INSPECTION, session.id, session.number, session.scope_label)
                )
    if person_id is not None:
        for dep in uow.session.scalars(
            select(Department)
            .where(Department.filing_clerk_id == person_id)
            .order_by(Department.name)
        ):
            out.append(Holding(HoldingKind.FILING_CLERK, dep.id, dep.name))
    return out


def open_holdings_text(holdings: list[Holding]) -> str:
    """``借出未还的案卷 2 项、负责的客户 5 项`` (for the refusal to disable)."""
    counts = Counter(h.kind for h in holdings)
    return "、".join(f"{HOLDING_LABELS[k]} {n} 项" for k, n in counts.items())


def account_holdings(uow: UnitOfWork, user_id: int) -> list[Holding]:
    """What the account (and its person) holds: the disable check (R26)."""
    person_id = uow.session.scalar(select(StaffPerson.id).where(StaffPerson.user_id == user_id))
    return holdings_of(uow, user_id, person_id)


def list_holdings(*, session: SignedIn, person_id: int, clock: Clock) -> list[Holding]:
    """What ``person_id`` holds now (the hand-over wizard's list)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        person = uow.session.get(StaffPerson, person_id)
        if person is None:
            from app.services.staff.people import NotFound

            raise NotFound("person")
        return holdings_of(uow, person.user_id, person.id)
