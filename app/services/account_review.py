"""Confirming and rejecting pending account changes (三员分立, issue 23).

Who may confirm:

* never the one who asked, and never the account the change is about;
* a role grant: the 安全保密员 must be one of the two (roles are granted only by them);
* any change to a 三员 account: a second, active member of the three;
* bootstrap: while the requester is the only active 三员 member (a database migrated from
  before the three existed), they may confirm creating the missing 安全保密员 / 安全审计员 —
  nothing else — and the audit entry says so.

The one-time password of a confirmed reset or re-enable goes to the confirmer, never to the
administrator who asked, so no single person both resets and receives a 三员 password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.domain.roles import ROLE_LABELS, THREE_ROLES, Role, is_three_role_set
from app.errors import FieldError, ValidationFailed
from app.security import crypto
from app.services import account_changes as changes
from app.services.auth import SignedIn
from app.services.common import authorize, fetch
from app.services.keys import request_rotation
from app.services.users import (
    OneTimePassword,
    apply_disable,
    apply_enable,
    apply_reset,
    apply_roles,
    enabled_accounts,
)
from app.storage.models import AccountChange, UserAccount
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class PendingChange:
    """A change waiting for its second person, as listed for the three."""

    id: int
    kind: str
    kind_label: str
    user_id: int
    username: str
    display_name: str
    summary: str  # e.g. the roles asked for
    requested_by: str
    requested_at: datetime
    may_confirm: bool  # whether the viewer may confirm it
    own: bool  # the viewer asked for it (may cancel)


def _roles(user: UserAccount | None) -> frozenset[Role]:
    if user is None or user.disabled:
        return frozenset()
    return frozenset(Role(r.role) for r in user.roles)


def _active_three(uow: UnitOfWork) -> list[UserAccount]:
    return [u for u in enabled_accounts(uow) if is_three_role_set(_roles(u))]


def _refusal(uow: UnitOfWork, change: AccountChange, confirmer: UserAccount) -> FieldError | None:
    """Why ``confirmer`` may not confirm ``change`` (None: they may); see the module text."""
    target = uow.session.get(UserAccount, change.user_id)
    requester = uow.session.get(UserAccount, change.requested_by)
    mine = _roles(confirmer)
    if not is_three_role_set(mine):
        return FieldError("change", "not_three")
    if confirmer.id == change.user_id:
        return FieldError("change", "self_change")
    if confirmer.id == change.requested_by:
        others = [u for u in _active_three(uow) if u.id not in (confirmer.id, change.user_id)]
        wanted = changes.roles_of(change)[0] if change.kind == "roles" else frozenset()
        bootstrap = (
            not others
            and change.kind == "roles"
            and wanted
            and wanted <= {Role.SECURITY, Role.AUDITOR}
        )
        return None if bootstrap else FieldError("change", "own_request")
    if change.kind == "roles":
        if Role.SECURITY not in mine | _roles(requester):
            return FieldError("change", "needs_security")
    elif not is_three_role_set(_roles(target) | _roles(requester)):
        return FieldError("change", "not_three")
    return None


def _load_pending(uow: UnitOfWork, change_id: int) -> AccountChange:
    change = uow.session.get(AccountChange, change_id)
    if change is None or change.state != "pending":
        raise ValidationFailed([FieldError("change", "not_found")])
    return change


def confirm_change(
    *,
    session: SignedIn,
    change_id: int,
    clock: Clock,
    kdf: crypto.KdfParams = crypto.DEFAULT_KDF,
) -> OneTimePassword | None:
    """Confirm and carry out a pending change; returns the one-time password it issues, if any.

    Raises:
        ValidationFailed: gone, already decided, or this user may not confirm it (the reason
            names who may).
    """
    with session.uow(clock) as uow:
        confirmer = authorize(uow, session.actor, "account_change.confirm")
        change = _load_pending(uow, change_id)
        refusal = _refusal(uow, change, confirmer)
        if refusal is not None:
            raise ValidationFailed([refusal])
        user = fetch(uow, UserAccount, change.user_id, "change")
        bootstrap = confirmer.id == change.requested_by
        changes.close(change, "confirmed", confirmer.id, clock.now())
        changes.audit_change(
            uow,
            "user.change_confirmed",
            change,
            {"requested_by": change.requested_by, "bootstrap": bootstrap},
        )
        if change.kind == "roles":
            roles, title = changes.roles_of(change)
            apply_roles(uow, user, roles, title)
            uow.commit()
            return None
        if change.kind == "disable":
            if user.disabled:
                uow.commit()
                return None
            apply_disable(session, uow, user)
        elif change.kind == "enable":
            if not user.disabled:
                raise ValidationFailed([FieldError("username", "not_disabled")])
            return apply_enable(session, uow, user, kdf)
        else:
            if user.disabled:
                raise ValidationFailed([FieldError("username", "disabled")])
            return apply_reset(session, uow, user, kdf)
    # a confirmed disable rotates the data key like any other disable (issue 23)
    request_rotation(session=session, clock=clock, reason="user.disable")
    return None


def reject_change(*, session: SignedIn, change_id: int, clock: Clock) -> None:
    """Reject a pending change (another 三员 member) or withdraw it (the one who asked)."""
    with session.uow(clock) as uow:
        actor = authorize(uow, session.actor, "account_change.confirm")
        change = _load_pending(uow, change_id)
        own = actor.id == change.requested_by
        if not own and actor.id == change.user_id:
            raise ValidationFailed([FieldError("change", "self_change")])
        changes.close(change, "withdrawn" if own else "rejected", actor.id, clock.now())
        changes.audit_change(uow, "user.change_rejected", change, {"withdrawn": own})
        uow.commit()


def _summary(change: AccountChange) -> str:
    if change.kind != "roles":
        return changes.KIND_LABELS[change.kind]
    roles, title = changes.roles_of(change)
    from app.domain.roles import TITLE_LABELS

    text = "、".join(ROLE_LABELS[r] for r in sorted(roles, key=list(Role).index)) or "（无角色）"
    return f"{text}（{TITLE_LABELS[title]}）" if title else text


def list_pending_changes(*, session: SignedIn, clock: Clock) -> list[PendingChange]:
    """Changes waiting for a second person, oldest first (for the three only)."""
    with session.uow(clock) as uow:
        viewer = authorize(uow, session.actor, "account_change.confirm")
        rows = uow.session.scalars(
            select(AccountChange)
            .where(AccountChange.state == "pending")
            .order_by(AccountChange.requested_at, AccountChange.id)
        ).all()
        users = {u.id: u for u in uow.session.scalars(select(UserAccount))}
        out = []
        for change in rows:
            target, requester = users.get(change.user_id), users.get(change.requested_by)
            out.append(
                PendingChange(
                    id=change.id,
                    kind=change.kind,
                    kind_label=changes.KIND_LABELS.get(change.kind, change.kind),
                    user_id=change.user_id,
                    username=target.username if target else "",
                    display_name=target.display_name if target else "",
                    summary=_summary(change),
                    requested_by=requester.display_name if requester else "",
                    requested_at=change.requested_at,
                    may_confirm=_refusal(uow, change, viewer) is None,
                    own=change.requested_by == viewer.id,
                )
            )
        return out


def three_roles_missing(*, session: SignedIn, clock: Clock) -> list[str]:
    """Labels of the 三员 roles no active account holds (the home page warns the three)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "account_change.confirm")
        held: set[Role] = set()
        for user in _active_three(uow):
            held |= _roles(user)
        order = list(Role)
        return [ROLE_LABELS[r] for r in sorted(THREE_ROLES - held, key=order.index)]
