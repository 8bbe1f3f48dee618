"""Pending account changes: what waits for a second person (三员分立, issue 23).

A role grant asked for by the administrator waits for the 安全保密员; any change to a 三员
account (系统管理员, 安全保密员, 安全审计员) waits for a second member of the three. This module
records such requests; ``services.account_review`` confirms or rejects them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain.accounts import Actor
from app.domain.roles import ApproverTitle, Role
from app.errors import FieldError, ValidationFailed
from app.storage.models import AccountChange, UserAccount
from app.storage.store import UnitOfWork

KINDS = ("roles", "disable", "enable", "reset_password")
KIND_LABELS = {
    "roles": "授予角色",
    "disable": "停用账户",
    "enable": "启用账户",
    "reset_password": "重置密码",
}


def roles_details(roles: frozenset[Role], title: ApproverTitle | None) -> dict[str, Any]:
    """The JSON details of a role change."""
    return {
        "roles": sorted(r.value for r in roles),
        "approver_title": title.value if title else None,
    }


def roles_of(change: AccountChange) -> tuple[frozenset[Role], ApproverTitle | None]:
    """The roles and post a ``roles`` change asks for."""
    data = json.loads(change.details or "{}")
    title = data.get("approver_title")
    return frozenset(Role(r) for r in data.get("roles", [])), ApproverTitle(
        title
    ) if title else None


def pending_for(uow: UnitOfWork, user_id: int, kind: str) -> AccountChange | None:
    """The pending change of ``kind`` for ``user_id``, if any."""
    return uow.session.scalar(
        select(AccountChange).where(
            AccountChange.user_id == user_id,
            AccountChange.kind == kind,
            AccountChange.state == "pending",
        )
    )


def close(change: AccountChange, state: str, by: int, at: datetime) -> None:
    """End a pending ``change`` as ``state`` (confirmed, rejected, withdrawn, superseded)."""
    change.state = state
    change.decided_by = by
    change.decided_at = at


def audit_change(
    uow: UnitOfWork, action: str, change: AccountChange, details: Mapping[str, Any]
) -> None:
    """Audit ``action`` on the account ``change`` is about: the change and its kind first."""
    uow.audit.record(
        action,
        object_type="user",
        object_id=change.user_id,
        details={"change": change.id, "kind": change.kind, **details},
    )


def request(
    uow: UnitOfWork, actor: Actor, user: UserAccount, kind: str, details: dict[str, Any]
) -> int:
    """Record a pending change of ``kind`` for ``user``; audited. Returns its id.

    A second request of the same kind for the same account replaces the first (which is
    recorded as superseded), so there is never more than one waiting.
    """
    if kind not in KINDS:
        raise ValidationFailed([FieldError("kind", "unknown")])
    now = uow.clock.now()
    earlier = pending_for(uow, user.id, kind)
    if earlier is not None:
        close(earlier, "superseded", actor.user_id, now)
    change = AccountChange(
        kind=kind,
        user_id=user.id,
        details=json.dumps(details, sort_keys=True),
        state="pending",
        requested_by=actor.user_id,
        requested_at=now,
    )
    uow.session.add(change)
    uow.session.flush()
    audit_change(uow, "user.change_requested", change, details)
    return change.id
