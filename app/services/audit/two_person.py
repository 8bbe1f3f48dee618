"""Two-person steps of the auditor (issue 23): archiving and resetting the recorded time.

Neither may rest on one person's word or one workstation's clock: the auditor starts the step
and a second person — another account holding one of :data:`SECOND_PERSON_ROLES` — confirms it
with their own password, checked through the keyring like a sign-in (failures count towards
their lock). Both names go into the step's audit entry.
"""

from __future__ import annotations

from datetime import datetime

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.roles import Role
from app.errors import AccountLocked, SecondPersonRequired, WrongCredentials
from app.security import trusted_time
from app.security.audit_chain import time_text
from app.services.auth import SignedIn, check_password_with_lockout
from app.services.common import actor_from_row, authorize, clean_text, find_user
from app.storage.store import Store

# 系统管理员 (and, once it exists, the 安全保密员): never the auditor themself
SECOND_PERSON_ROLES: frozenset[Role] = frozenset(
    {Role.ADMIN} | {r for r in Role if r.value in {"security_officer", "security"}}
)
RESET_ACTION = trusted_time.RESET_ACTION


def _roles_text() -> str:
    from app.domain.roles import ROLE_LABELS

    return "、".join(ROLE_LABELS.get(r, r.value) for r in sorted(SECOND_PERSON_ROLES))


def confirm_second_person(
    store: Store, first: Actor, username: str, password: str, clock: Clock
) -> Actor:
    """The second person, after checking their password and role; not ``first``.

    Raises SecondPersonRequired (with the reason) or AccountLocked.
    """
    username = username.strip()
    if not username or not password:
        raise SecondPersonRequired(roles=_roles_text(), detail="未填写")
    try:
        check_password_with_lockout(store.keyring_store, username, password, clock)
    except WrongCredentials as exc:
        raise SecondPersonRequired(roles=_roles_text(), detail="用户名或密码错误") from exc
    except AccountLocked:
        raise
    with store.unit_of_work(first, clock) as uow:
        user = find_user(uow, username)
        if user is None or user.disabled:
            raise SecondPersonRequired(roles=_roles_text(), detail="账户不存在或已停用")
        second = actor_from_row(user)
    if second.user_id == first.user_id:
        raise SecondPersonRequired(roles=_roles_text(), detail="不能由本人确认")
    if not (second.roles & SECOND_PERSON_ROLES):
        raise SecondPersonRequired(roles=_roles_text(), detail="该账户没有所需角色")
    return second


def recorded_time(store: Store) -> datetime | None:
    """The high-water mark of recorded time (``security.trusted_time``)."""
    with store.new_session() as session:
        return trusted_time.high_water_mark(session)


def reset_time_mark(
    *,
    session: SignedIn,
    second_username: str,
    second_password: str,
    reason: str,
    clock: Clock,
) -> None:
    """Accept this workstation's clock as the recorded time (auditor + second person).

    For a clock that is right while the mark is wrong (someone wrote with a clock set ahead),
    or after more than a year without a write. The entry keeps the old mark and both names.
    """
    errors: list = []  # type: ignore[type-arg]
    reason = clean_text(errors, "reason", reason, 200, required=True)
    if errors:
        from app.errors import ValidationFailed

        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "time.reset")
    second = confirm_second_person(
        session.store, session.actor, second_username, second_password, clock
    )
    old = recorded_time(session.store)
    with session.uow(clock) as uow:
        uow.claim_writes()
        uow.audit.record(
            RESET_ACTION,
            object_type="audit",
            purpose=reason,
            details={
                "from": time_text(old) if old is not None else None,
                "to": time_text(clock.now()),
                "confirmed_by": second.username,
            },
        )
        uow.commit()
