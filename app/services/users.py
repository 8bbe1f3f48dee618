"""User management by the administrator: create, change roles, disable, enable, reset."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain.passwords import check_password
from app.domain.pinyin import pinyin_keys
from app.domain.roles import ApproverTitle, Role, check_role_set, may
from app.errors import FieldError, UserNotFound, ValidationFailed
from app.security import crypto
from app.security.keyring import Keyring
from app.security.rekey import Progress
from app.services.accounts_validation import check_display_name, check_username
from app.services.auth import SignedIn, commit_with_keyring
from app.services.common import authorize, find_user
from app.services.keys import request_rotation
from app.storage.models import StaffDepartment, UserAccount, UserRole
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class UserRow:
    """A user as shown in the administrator's list."""

    id: int
    username: str
    display_name: str
    roles: tuple[Role, ...]
    approver_title: ApproverTitle | None
    disabled: bool
    must_change_password: bool
    last_sign_in_at: datetime | None
    department: str = ""  # 部门 (escalation of overdue loans goes to its head)


@dataclass(frozen=True)
class OneTimePassword:
    """A password the administrator hands over; the user must change it at next sign-in."""

    username: str
    password: str


def generate_one_time_password(length: int = 12) -> str:
    """Return a random password with all four character classes and no look-alikes."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnopqrstuvwxyz"
    digits = "23456789"
    symbols = "-_+=#"
    pools = [upper, lower, digits, symbols]
    chars = [secrets.choice(pool) for pool in pools]
    alphabet = upper + lower + digits
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _row(user: UserAccount, department: str = "") -> UserRow:
    order = list(Role)
    return UserRow(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=tuple(sorted((Role(r.role) for r in user.roles), key=order.index)),
        approver_title=ApproverTitle(user.approver_title) if user.approver_title else None,
        disabled=user.disabled,
        must_change_password=user.must_change_password,
        last_sign_in_at=user.last_sign_in_at,
        department=department,
    )


def list_users(*, session: SignedIn, clock: Clock) -> list[UserRow]:
    """Return every account, enabled first, then by user name."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        users = uow.session.scalars(select(UserAccount)).all()
        departments = dict(
            uow.session.execute(select(StaffDepartment.user_id, StaffDepartment.department)).all()
        )
        rows = (_row(u, departments.get(u.id, "")) for u in users)
        return sorted(rows, key=lambda r: (r.disabled, r.username.casefold()))


@dataclass(frozen=True)
class StaffRow:
    """An account that may be named a customer's responsible person (负责人员)."""

    id: int
    username: str
    display_name: str


def may_hold_customers(user: UserAccount) -> bool:
    """True for an enabled account whose roles may work with customers (档案管理员, 审批人).

    The administrator and the auditor never do (三员分立), so they are not offered.
    """
    return not user.disabled and may((Role(r.role) for r in user.roles), "customer.read")


def list_staff(*, session: SignedIn, clock: Clock) -> list[StaffRow]:
    """Accounts that may hold customers, for the customer form's 负责人员 choice, by name."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        users = uow.session.scalars(select(UserAccount).where(UserAccount.disabled.is_(False)))
        rows = [StaffRow(u.id, u.username, u.display_name) for u in users if may_hold_customers(u)]
        return sorted(rows, key=lambda r: (pinyin_keys(r.display_name)[:1], r.username.casefold()))


def _active_admins(uow: UnitOfWork) -> list[UserAccount]:
    users = uow.session.scalars(select(UserAccount).where(UserAccount.disabled.is_(False))).all()
    return [u for u in users if any(r.role == Role.ADMIN.value for r in u.roles)]


def create_user(
    *,
    session: SignedIn,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    approver_title: ApproverTitle | None,
    clock: Clock,
    password: str | None = None,
    require_change: bool = True,
    kdf: crypto.KdfParams = crypto.DEFAULT_KDF,
) -> OneTimePassword:
    """Create an account.

    Without ``password`` a one-time password is generated. With ``require_change`` (the
    default) the user must choose their own password at first sign-in.
    """
    role_set = frozenset(roles)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        errors = check_username(username) + check_display_name(display_name)
        errors += check_role_set(role_set, approver_title)
        if not errors and find_user(uow, username) is not None:
            errors.append(FieldError("username", "taken"))
        if password is not None:
            policy = uow.settings.load().security.password_policy
            errors += check_password(password, policy, username=username)
        if errors:
            raise ValidationFailed(errors)
        now = clock.now()
        user = UserAccount(
            username=username.strip(),
            username_key=username.strip().casefold(),
            display_name=display_name.strip(),
            approver_title=approver_title.value if approver_title else None,
            must_change_password=require_change,
            created_at=now,
            roles=[UserRole(role=r.value) for r in sorted(role_set)],
        )
        uow.session.add(user)
        uow.session.flush()
        uow.audit.record(
            "user.create",
            object_type="user",
            object_id=user.id,
            details={
                "username": user.username,
                "roles": sorted(r.value for r in role_set),
                "approver_title": user.approver_title,
            },
        )
        secret = password if password is not None else generate_one_time_password()
        key, name = session.store.data_key, user.username
        commit_with_keyring(
            uow, session.store, lambda ring: ring.set_user_slot(key, name, secret, kdf)
        )
        return OneTimePassword(username=user.username, password=secret)


def _load(uow: UnitOfWork, user_id: int) -> UserAccount:
    user = uow.session.get(UserAccount, user_id)
    if user is None:
        raise UserNotFound()
    return user


def set_roles(
    *,
    session: SignedIn,
    user_id: int,
    roles: Iterable[Role],
    approver_title: ApproverTitle | None,
    clock: Clock,
) -> None:
    """Replace a user's roles; nobody changes their own roles (no self-granting)."""
    role_set = frozenset(roles)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        errors = check_role_set(role_set, approver_title)
        if user.id == session.actor.user_id:
            errors.append(FieldError("roles", "self_change"))
        was_admin = any(r.role == Role.ADMIN.value for r in user.roles)
        losing_admin = was_admin and Role.ADMIN not in role_set and not user.disabled
        if losing_admin and len(_active_admins(uow)) <= 1:
            errors.append(FieldError("roles", "last_admin"))
        if errors:
            raise ValidationFailed(errors)
        before = {
            "roles": sorted(r.role for r in user.roles),
            "approver_title": user.approver_title,
        }
        user.roles = [UserRole(role=r.value) for r in sorted(role_set)]
        user.approver_title = approver_title.value if approver_title else None
        after = {"roles": sorted(r.value for r in role_set), "approver_title": user.approver_title}
        uow.audit.record(
            "user.set_roles",
            object_type="user",
            object_id=user.id,
            details={"before": before, "after": after},
        )
        uow.commit()


def disable_user(
    *, session: SignedIn, user_id: int, clock: Clock, progress: Progress | None = None
) -> None:
    """Disable an account and remove its keyring slot (it can no longer decrypt the store)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        errors = []
        if user.id == session.actor.user_id:
            errors.append(FieldError("username", "self_disable"))
        elif any(r.role == Role.ADMIN.value for r in user.roles) and len(_active_admins(uow)) <= 1:
            errors.append(FieldError("roles", "last_admin"))
        if errors:
            raise ValidationFailed(errors)
        if user.disabled:
            return
        user.disabled = True
        uow.audit.record("user.disable", object_type="user", object_id=user.id)
        uow.session.flush()
        key, name = session.store.data_key, user.username
        commit_with_keyring(uow, session.store, lambda ring: ring.remove_user_slot(key, name))
    # issue 23: a new data key (progress: stage "vault"/"database", done, total)
    request_rotation(session=session, clock=clock, reason="user.disable", progress=progress)


def enable_user(
    *, session: SignedIn, user_id: int, clock: Clock, kdf: crypto.KdfParams = crypto.DEFAULT_KDF
) -> OneTimePassword:
    """Re-enable an account; it gets a new one-time password (its old slot was removed)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        if user.id == session.actor.user_id:
            raise ValidationFailed([FieldError("username", "self_reset")])
        if not user.disabled:
            raise ValidationFailed([FieldError("username", "not_disabled")])
        user.disabled = False
        uow.audit.record("user.enable", object_type="user", object_id=user.id)
        return _issue_one_time_password(session, uow, user, kdf)


def reset_password(
    *, session: SignedIn, user_id: int, clock: Clock, kdf: crypto.KdfParams = crypto.DEFAULT_KDF
) -> OneTimePassword:
    """Give a user a one-time password (and clear any lock); they must change it at sign-in."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        if user.id == session.actor.user_id:
            raise ValidationFailed([FieldError("username", "self_reset")])
        if user.disabled:
            # a disabled account must not regain a key slot behind the administrator's back
            raise ValidationFailed([FieldError("username", "disabled")])
        uow.audit.record("user.reset_password", object_type="user", object_id=user.id)
        return _issue_one_time_password(session, uow, user, kdf)


def _issue_one_time_password(
    session: SignedIn, uow: UnitOfWork, user: UserAccount, kdf: crypto.KdfParams
) -> OneTimePassword:
    from app.domain.lockout import AttemptState

    user.must_change_password = True
    uow.session.flush()
    password = generate_one_time_password()
    key, name = session.store.data_key, user.username

    def change(ring: Keyring) -> None:
        ring.set_user_slot(key, name, password, kdf)
        ring.set_attempt_state(name, AttemptState())

    commit_with_keyring(uow, session.store, change)
    return OneTimePassword(username=name, password=password)
