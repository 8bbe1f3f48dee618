"""User management by the administrator: create, change roles, disable, enable, reset."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain.lockout import AttemptState
from app.domain.passwords import check_password
from app.domain.pinyin import pinyin_keys
from app.domain.roles import ApproverTitle, Role, check_role_set, is_three_role_set, may
from app.errors import FieldError, OpenHoldings, UserNotFound, ValidationFailed
from app.security import crypto
from app.security.keyring import Keyring
from app.security.rekey import Progress
from app.services import account_changes as changes
from app.services.accounts_validation import check_display_name, check_username
from app.services.auth import SignedIn, commit_with_keyring
from app.services.common import add_recorded, authorize, authorize_either, find_user
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
    password: str  # empty while the change waits for a second 三员 member
    pending_change: int | None = None  # the role grant or change waiting for confirmation


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
    """Every account, enabled first, then by user name (the administrator, the 安全保密员)."""
    with session.uow(clock) as uow:
        authorize_either(uow, session.actor, "user.manage", "role.grant")
        users = uow.session.scalars(select(UserAccount)).all()
        departments = dict(
            uow.session.execute(select(StaffDepartment.user_id, StaffDepartment.department)).all()
        )
        rows = (_row(u, departments.get(u.id, "")) for u in users)
        return sorted(rows, key=lambda r: (r.disabled, r.username.casefold()))


@dataclass(frozen=True)
class StaffRow:
    """An enabled account a form may name: 负责人员 of a customer, 鉴定人 or 监销人."""

    id: int
    username: str
    display_name: str


def enabled_accounts(uow: UnitOfWork) -> list[UserAccount]:
    """Every account that is not disabled, by id."""
    query = select(UserAccount).where(UserAccount.disabled.is_(False)).order_by(UserAccount.id)
    return list(uow.session.scalars(query))


def staff_who_may(uow: UnitOfWork, action: str) -> list[StaffRow]:
    """Enabled accounts whose roles may do ``action``, by id (the 三员 hold no data role)."""
    users = enabled_accounts(uow)
    return [StaffRow(u.id, u.username, u.display_name) for u in users if may(_held(u), action)]


def may_hold_customers(user: UserAccount) -> bool:
    """True for an enabled account whose roles may work with customers (档案管理员, 审批人).

    The administrator and the auditor never do (三员分立), so they are not offered.
    """
    return not user.disabled and may((Role(r.role) for r in user.roles), "customer.read")


def list_staff(*, session: SignedIn, clock: Clock) -> list[StaffRow]:
    """Accounts that may hold customers, for the customer form's 负责人员 choice, by name."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        rows = staff_who_may(uow, "customer.read")
        return sorted(rows, key=lambda r: (pinyin_keys(r.display_name)[:1], r.username.casefold()))


def _active_admins(uow: UnitOfWork) -> list[UserAccount]:
    return _active_holders(uow, Role.ADMIN)


def _active_holders(uow: UnitOfWork, role: Role) -> list[UserAccount]:
    return [u for u in enabled_accounts(uow) if any(r.role == role.value for r in u.roles)]


def _held(user: UserAccount) -> frozenset[Role]:
    return frozenset(Role(r.role) for r in user.roles)


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
    """The administrator creates an account (三员分立, issue 23).

    The account starts with no role. The ``roles`` (and approver post) asked for become a
    pending grant that only the 安全保密员 confirms (``confirm_change``); the administrator
    grants nothing. Without ``password`` a one-time password is generated; with
    ``require_change`` (the default) the user must choose their own at first sign-in, and
    until then can do nothing else.
    """
    role_set = frozenset(roles)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        errors = check_username(username) + check_display_name(display_name)
        if role_set or approver_title is not None:
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
            approver_title=None,
            must_change_password=require_change,
            created_at=now,
            roles=[],
        )
        add_recorded(
            uow,
            user,
            "user.create",
            object_type="user",
            details={
                "username": user.username,
                "roles": [],
                "requested_roles": sorted(r.value for r in role_set),
                "approver_title": approver_title.value if approver_title else None,
            },
        )
        pending = None
        if role_set:
            pending = changes.request(
                uow, session.actor, user, "roles", changes.roles_details(role_set, approver_title)
            )
        secret = password if password is not None else generate_one_time_password()
        key, name = session.store.data_key, user.username
        commit_with_keyring(
            uow, session.store, lambda ring: ring.set_user_slot(key, name, secret, kdf)
        )
        return OneTimePassword(username=user.username, password=secret, pending_change=pending)


def _load(uow: UnitOfWork, user_id: int) -> UserAccount:
    user = uow.session.get(UserAccount, user_id)
    if user is None:
        raise UserNotFound()
    return user


def check_role_change(
    uow: UnitOfWork, user: UserAccount, role_set: frozenset[Role], title: ApproverTitle | None
) -> list[FieldError]:
    """The rules of a role change, whoever asks and whenever it is applied."""
    errors = check_role_set(role_set, title)
    for role in (Role.ADMIN, Role.SECURITY):
        losing = role in _held(user) and role not in role_set and not user.disabled
        if losing and len(_active_holders(uow, role)) <= 1:
            errors.append(FieldError("roles", "last_admin" if role is Role.ADMIN else "last_three"))
    return errors


def apply_roles(
    uow: UnitOfWork, user: UserAccount, role_set: frozenset[Role], title: ApproverTitle | None
) -> None:
    """Replace ``user``'s roles and post; audited (the caller checked who may)."""
    errors = check_role_change(uow, user, role_set, title)
    if errors:
        raise ValidationFailed(errors)
    before = {"roles": sorted(r.role for r in user.roles), "approver_title": user.approver_title}
    user.roles = [UserRole(role=r.value) for r in sorted(role_set)]
    user.approver_title = title.value if title else None
    after = {"roles": sorted(r.value for r in role_set), "approver_title": user.approver_title}
    uow.audit.record(
        "user.set_roles",
        object_type="user",
        object_id=user.id,
        details={"before": before, "after": after},
    )


def set_roles(
    *,
    session: SignedIn,
    user_id: int,
    roles: Iterable[Role],
    approver_title: ApproverTitle | None,
    clock: Clock,
) -> int | None:
    """The 安全保密员 grants roles and the approver post (which sets the clearance).

    Nobody changes their own roles. A change that touches a 三员 account (it holds or would
    hold a 三员 role) waits for a second 三员 member: the id of the pending change is returned;
    ``None`` when the change was applied at once.
    """
    role_set = frozenset(roles)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "role.grant")
        user = _load(uow, user_id)
        errors = check_role_change(uow, user, role_set, approver_title)
        if user.id == session.actor.user_id:
            errors.append(FieldError("roles", "self_change"))
        if errors:
            raise ValidationFailed(errors)
        if is_three_role_set(_held(user)) or is_three_role_set(role_set):
            pending = changes.request(
                uow,
                session.actor,
                user,
                "roles",
                changes.roles_details(role_set, approver_title),
            )
            uow.commit()
            return pending
        apply_roles(uow, user, role_set, approver_title)
        uow.commit()
        return None


def disable_user(
    *, session: SignedIn, user_id: int, clock: Clock, progress: Progress | None = None
) -> int | None:
    """Disable an account and remove its keyring slot (it can no longer decrypt the store).

    A 三员 account is disabled only when a second 三员 member confirms: the pending change's
    id is returned then (``None``: done). A disable rotates the data key (issue 23; progress:
    stage "vault"/"database", done, total).
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        errors = []
        if user.id == session.actor.user_id:
            errors.append(FieldError("username", "self_disable"))
        else:
            errors += _last_three_errors(uow, user)
        if errors:
            raise ValidationFailed(errors)
        if user.disabled:
            return None
        _refuse_open_holdings(uow, user)
        if is_three_role_set(_held(user)):
            pending = changes.request(uow, session.actor, user, "disable", {})
            uow.commit()
            return pending
        apply_disable(session, uow, user)
    request_rotation(session=session, clock=clock, reason="user.disable", progress=progress)
    return None


def _refuse_open_holdings(uow: UnitOfWork, user: UserAccount) -> None:
    """R26: an account that still keeps safes, loans, customers … is not disabled (issue 20).

    The refusal lists the kinds and counts; the leaving hand-over moves them first.
    """
    from app.services.staff.holdings import account_holdings, open_holdings_text

    held = account_holdings(uow, user.id)
    if held:
        raise OpenHoldings(items=open_holdings_text(held), count=len(held))


def _last_three_errors(uow: UnitOfWork, user: UserAccount) -> list[FieldError]:
    held = _held(user)
    if Role.ADMIN in held and len(_active_admins(uow)) <= 1:
        return [FieldError("roles", "last_admin")]
    if Role.SECURITY in held and len(_active_holders(uow, Role.SECURITY)) <= 1:
        return [FieldError("roles", "last_three")]
    return []


def apply_disable(session: SignedIn, uow: UnitOfWork, user: UserAccount) -> None:
    """Disable ``user`` and drop their keyring slot; commits (the caller then rotates the key)."""
    errors = _last_three_errors(uow, user)
    if errors:
        raise ValidationFailed(errors)
    user.disabled = True
    uow.audit.record("user.disable", object_type="user", object_id=user.id)
    uow.session.flush()
    key, name = session.store.data_key, user.username
    commit_with_keyring(uow, session.store, lambda ring: ring.remove_user_slot(key, name))


def enable_user(
    *, session: SignedIn, user_id: int, clock: Clock, kdf: crypto.KdfParams = crypto.DEFAULT_KDF
) -> OneTimePassword:
    """Re-enable an account; it gets a new one-time password (its old slot was removed).

    For a 三员 account the change waits for a second 三员 member, who receives the password
    (``pending_change`` is set and ``password`` empty here).
    """
    return _new_one_time_password(session, clock, user_id, "enable", kdf, disabled=True)


def apply_enable(
    session: SignedIn, uow: UnitOfWork, user: UserAccount, kdf: crypto.KdfParams
) -> OneTimePassword:
    """Enable ``user`` with a fresh one-time password; commits."""
    user.disabled = False
    uow.audit.record("user.enable", object_type="user", object_id=user.id)
    return _issue_one_time_password(session, uow, user, kdf)


def reset_password(
    *, session: SignedIn, user_id: int, clock: Clock, kdf: crypto.KdfParams = crypto.DEFAULT_KDF
) -> OneTimePassword:
    """Give a user a one-time password (and clear any lock); they must change it at sign-in.

    Until they do, the account can do nothing else, whichever way it signs in. For a 三员
    account the reset waits for a second 三员 member, who receives the password.
    """
    # a disabled account must not regain a key slot behind the administrator's back
    return _new_one_time_password(session, clock, user_id, "reset_password", kdf, disabled=False)


def apply_reset(
    session: SignedIn, uow: UnitOfWork, user: UserAccount, kdf: crypto.KdfParams
) -> OneTimePassword:
    """Give ``user`` a one-time password; commits."""
    uow.audit.record("user.reset_password", object_type="user", object_id=user.id)
    return _issue_one_time_password(session, uow, user, kdf)


def _new_one_time_password(
    session: SignedIn,
    clock: Clock,
    user_id: int,
    change: str,
    kdf: crypto.KdfParams,
    *,
    disabled: bool,
) -> OneTimePassword:
    """Enable (``disabled`` accounts) or reset (enabled ones) another user's password.

    Never one's own; for a 三员 account the ``change`` waits for a second 三员 member.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        user = _load(uow, user_id)
        if user.id == session.actor.user_id:
            raise ValidationFailed([FieldError("username", "self_reset")])
        if user.disabled != disabled:
            raise ValidationFailed(
                [FieldError("username", "disabled" if user.disabled else "not_disabled")]
            )
        if is_three_role_set(_held(user)):
            pending = changes.request(uow, session.actor, user, change, {})
            uow.commit()
            return OneTimePassword(user.username, "", pending_change=pending)
        if disabled:
            return apply_enable(session, uow, user, kdf)
        return apply_reset(session, uow, user, kdf)


def _issue_one_time_password(
    session: SignedIn, uow: UnitOfWork, user: UserAccount, kdf: crypto.KdfParams
) -> OneTimePassword:
    user.must_change_password = True
    uow.session.flush()
    password = generate_one_time_password()
    key, name = session.store.data_key, user.username

    def change(ring: Keyring) -> None:
        ring.set_user_slot(key, name, password, kdf)
        ring.set_attempt_state(name, AttemptState())

    commit_with_keyring(uow, session.store, change)
    return OneTimePassword(username=name, password=password)
