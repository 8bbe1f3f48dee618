"""Staff who may apply, their departments, and the department heads told about overdue loans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain.roles import ApproverTitle, Role
from app.errors import FieldError, PermissionDenied, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import StaffDepartment, UserAccount
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class BorrowerRow:
    """A staff account that may apply (the applicant picker), with its department."""

    id: int
    username: str
    display_name: str
    department: str


def is_staff(user: UserAccount) -> bool:
    """An enabled archivist or approver (administrators and auditors do not use the archives)."""
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
            if is_staff(u)
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
