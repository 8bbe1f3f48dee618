"""Staff who may apply, their departments, and the department heads told about overdue loans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain.roles import TITLE_LABELS, ApproverTitle, Role
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, authorize_either, fetch
from app.services.loans.shared import TITLE_ORDER
from app.storage.models import StaffDepartment, UserAccount, UserRole
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
        authorize_either(uow, session.actor, "loan.read", "user.manage")
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
        fetch(uow, UserAccount, user_id, "username")
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


# -- who holds each approver title: routes are shown with names, not only posts (issue 21) ---
@dataclass(frozen=True)
class TitleHolder:
    """An enabled approver holding a 职务 (and the department they head, for 部门负责人)."""

    user_id: int
    display_name: str
    title: ApproverTitle
    department: str


NOBODY = "无人担任"  # a title no enabled approver holds: the route cannot be signed


def title_holders(uow: UnitOfWork) -> list[TitleHolder]:
    """Every enabled approver with a title, by name (one query)."""
    approvers = select(UserRole.user_id).where(UserRole.role == Role.APPROVER.value)
    rows = uow.session.execute(
        select(
            UserAccount.id,
            UserAccount.display_name,
            UserAccount.approver_title,
            StaffDepartment.department,
        )
        .outerjoin(StaffDepartment, StaffDepartment.user_id == UserAccount.id)
        .where(
            UserAccount.disabled.is_(False),
            UserAccount.approver_title.is_not(None),
            UserAccount.id.in_(approvers),
        )
        .order_by(UserAccount.display_name, UserAccount.id)
    ).all()
    known = set(ApproverTitle._value2member_map_)
    return [
        TitleHolder(uid, name, ApproverTitle(str(title)), department or "")
        for uid, name, title, department in rows
        if title in known
    ]


def holders_of(
    holders: Sequence[TitleHolder],
    title: ApproverTitle,
    *,
    excluded: Sequence[int | None] = (),
    department: str = "",
) -> list[str]:
    """Names of who may sign for ``title``.

    Never ``excluded`` (the applicant and whoever entered the application, R34); for a
    部门负责人, the head of the applicant's ``department`` when there is one.
    """
    people = [h for h in holders if h.title is title and h.user_id not in excluded]
    if title is ApproverTitle.DEPT_HEAD and department:
        own = [h for h in people if h.department == department]
        people = own or people
    return [h.display_name for h in people]


def named_step(
    step: Iterable[ApproverTitle],
    holders: Sequence[TitleHolder],
    *,
    excluded: Sequence[int | None] = (),
    department: str = "",
) -> str:
    """``信息管理专员（孙专员）或客服部经理（刘芳）``: a step with the people who may sign it."""
    parts = []
    for title in sorted(step, key=TITLE_ORDER.index):
        names = holders_of(holders, title, excluded=excluded, department=department)
        parts.append(f"{TITLE_LABELS[title]}（{'、'.join(names) or NOBODY}）")
    return "或".join(parts)


def named_route(
    uow: UnitOfWork,
    steps: Iterable[Iterable[ApproverTitle]],
    *,
    excluded: Sequence[int | None] = (),
    department: str = "",
) -> tuple[str, ...]:
    """Every step of a route named with the people who may sign it now (:func:`named_step`)."""
    holders = title_holders(uow)
    return tuple(named_step(s, holders, excluded=excluded, department=department) for s in steps)


def list_title_holders(*, session: SignedIn, clock: Clock) -> dict[ApproverTitle, list[str]]:
    """Who holds each approver title now (the routing editor names them beside the posts)."""
    with session.uow(clock) as uow:
        authorize_either(uow, session.actor, "loan.read", "loan.settings")
        out: dict[ApproverTitle, list[str]] = {t: [] for t in ApproverTitle}
        for holder in title_holders(uow):
            label = holder.display_name + (f"·{holder.department}" if holder.department else "")
            if holder.title is ApproverTitle.DEPT_HEAD:
                out[holder.title].append(label)
            else:
                out[holder.title].append(holder.display_name)
        return out
