"""Helpers shared by services: authorisation against the database, actor snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol, TypedDict, TypeVar

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.roles import ApproverTitle, Role, may_as
from app.errors import (
    AccountDisabled,
    CustomerDataSuspended,
    FieldError,
    PasswordChangeRequired,
    PermissionDenied,
    ValidationFailed,
)
from app.services.compliance import RELEASE_ACTIONS, account_gaps, blocking_text
from app.storage.models import ReferenceCounter, UserAccount
from app.storage.store import UnitOfWork

# the roles that handle customer data; only they need the agreement and training (R28)
DATA_ROLES: frozenset[Role] = frozenset({Role.ARCHIVIST, Role.APPROVER})

ACTION_LABELS: dict[str, str] = {
    "user.manage": "管理用户",
    "role.grant": "授予角色",
    "security.policy": "修改安全策略",
    "account_change.confirm": "确认三员账户变更",
    "settings.manage": "修改系统设置",
    "audit.read": "查看审计记录",
    "customer.read": "查看客户",
    "customer.write": "登记客户",
    "customer.reveal": "显示完整信息",
    "customer.reveal_sensitive": "显示敏感信息完整值",
    "duplicate.review": "复核疑似重复",
    "loan.read": "查看借阅",
    "loan.write": "办理查阅借阅",
    "loan.approve": "审批利用申请",
    "loan.settings": "修改借阅设置",
    # backup and restore (issue 10)
    "backup.run": "备份数据库",
    "backup.verify": "校验备份",
    "backup.restore": "恢复备份",
    # inspections (issue 8)
    "inspection.read": "查看库房检查",
    "inspection.write": "办理库房检查",
    "inspection.settings": "修改检查设置",
    # staff (issue 20)
    "staff.read": "查看人员档案",
    "staff.manage": "管理人员档案",
    "filing.handover": "办理归档移交",
    "staff.handover": "办理离职调岗交接",
    "access_review.run": "审查访问权限",
    "access_review.verify": "复核访问权限审查",
    # personal data lifecycle (issue 18)
    "privacy.read": "查看个人信息处理记录",
    "consent.write": "登记客户同意",
    "erasure.request": "申请删除或匿名化",
    "erasure.approve": "审批删除或匿名化",
    "erasure.execute": "执行删除或匿名化",
    "subject.request": "登记客户请求",
    "recipient.manage": "登记接收方",
    "provision.record": "登记对外提供",
    "privacy.settings": "修改个人信息设置",
    # disposition (issue 17)
    "disposition.read": "查看鉴定销毁",
    "disposition.hold": "设置冻结",
    "disposition.hold_release": "解除冻结",
    "disposition.appraise": "鉴定",
    "disposition.compile": "编制销毁清册",
    "disposition.approve": "审批销毁清册",
    "disposition.witness": "监销",
    "disposition.carry_out": "执行销毁",
    "disposition.verify": "核查销毁记录",
    # statistics (issue 19)
    "statistics.read": "查看统计报表",
    "statistics.compile": "编制统计报表",
    "statistics.approve": "审批统计报表",
    "statistics.distribute": "登记报表发放",
    "statistics.settings": "修改统计审批流程",
}


def actor_from_row(user: UserAccount) -> Actor:
    """Build an Actor snapshot from a user row."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(Role(r.role) for r in user.roles),
        approver_title=ApproverTitle(user.approver_title) if user.approver_title else None,
        must_change_password=user.must_change_password,
    )


def find_user(uow: UnitOfWork, username: str) -> UserAccount | None:
    """Return the user row for ``username`` (case-insensitive), or None."""
    key = username.strip().casefold()
    return uow.session.scalar(select(UserAccount).where(UserAccount.username_key == key))


def authorize(uow: UnitOfWork, actor: Actor, action: str, *, releases: bool = False) -> UserAccount:
    """Check against the database (not the sign-in snapshot) that ``actor`` may do ``action``.

    An account holding a one-time password may do nothing at all until it has chosen its own
    (issue 23): whichever path signed it in, every service refuses here.

    Releasing customer data — the actions in ``compliance.RELEASE_ACTIONS`` (reveal, open a
    file, print) and any call made with ``releases=True`` (exports, loan issue) — also needs
    the account's person to hold a valid confidentiality agreement and current training (R28);
    otherwise :class:`CustomerDataSuspended` says what is missing. The 三员 hold no data role
    and handle no customer data, so their printouts (an incident report) are not gated.
    """
    user = uow.session.get(UserAccount, actor.user_id)
    if user is None or user.disabled:
        raise AccountDisabled()
    if user.must_change_password:
        raise PasswordChangeRequired()
    current = actor_from_row(user)
    if not may_as(current.roles, current.approver_title, action):
        raise PermissionDenied(action=ACTION_LABELS.get(action, action))
    if (releases or action in RELEASE_ACTIONS) and current.roles & DATA_ROLES:
        gaps = account_gaps(uow.session, user.id, local_today(uow.clock))
        if any(g.blocking for g in gaps):
            raise CustomerDataSuspended(
                action=ACTION_LABELS.get(action, action), missing=blocking_text(gaps)
            )
    return user


def authorize_either(uow: UnitOfWork, actor: Actor, action: str, fallback: str) -> UserAccount:
    """``authorize`` for ``action``, or else for ``fallback`` (a list two roles read).

    When the actor may do neither, the refusal names ``fallback``.
    """
    try:
        return authorize(uow, actor, action)
    except PermissionDenied:
        return authorize(uow, actor, fallback)


# --- shared by several areas (issue 15) ------------------------------------------------------
Row = TypeVar("Row")
E = TypeVar("E", bound=Enum)


def fetch(uow: UnitOfWork, model: type[Row], key: object, field: str) -> Row:
    """The row of ``model`` with primary key ``key``; a missing one refuses on ``field``.

    The one "get it or say it is not there" of the use cases: ``ValidationFailed`` with
    ``FieldError(field, "not_found")``.
    """
    row = uow.session.get(model, key)
    if row is None:
        raise ValidationFailed([FieldError(field, "not_found")])
    return row


class Numbered(Protocol):
    """A record the audit trail names by its id and its number (清册, 鉴定, 冻结, 报表 …)."""

    @property
    def id(self) -> int:
        """The primary key, the audit entry's object."""

    @property
    def number(self) -> str | None:
        """The record's number as printed (a statistics draft has none yet)."""


class Identified(Protocol):
    """A new row: its primary key is assigned when it is flushed."""

    @property
    def id(self) -> int:
        """The primary key."""


def add_recorded(
    uow: UnitOfWork,
    row: Identified,
    action: str,
    *,
    object_type: str,
    details: Mapping[str, Any],
    purpose: str | None = None,
) -> None:
    """Insert ``row`` and audit its creation: flushed first, so the entry names the new id."""
    uow.session.add(row)
    uow.session.flush()
    uow.audit.record(
        action, object_type=object_type, object_id=row.id, purpose=purpose, details=details
    )


def record_numbered(
    uow: UnitOfWork, action: str, object_type: str, row: Numbered, **details: Any
) -> None:
    """Audit ``action`` on ``row``: its id as the object, its number first in the details."""
    uow.audit.record(
        action, object_type=object_type, object_id=row.id, details={"number": row.number, **details}
    )


class PrintStamp(TypedDict):
    """The header and footer of every printed form (``app.printing.page.PrintedForm``)."""

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime


def form_stamp(actor: Actor, organisation: str, at: datetime) -> PrintStamp:
    """Who prints, for which organisation, when: spread into a form's rows (``**form_stamp``)."""
    return PrintStamp(
        organisation=organisation,
        printed_by=actor.display_name,
        printed_by_username=actor.username,
        printed_at=at,
    )


class Printer(TypedDict):
    """Who prints a report, and when, as the report renderers take it (``**printer(...)``)."""

    printed_by: str
    username: str
    printed_at: datetime


def printer(actor: Actor, at: datetime) -> Printer:
    """``actor`` printing at ``at``: spread into a report renderer's keywords."""
    return Printer(printed_by=actor.display_name, username=actor.username, printed_at=at)


class Signature(TypedDict):
    """The columns every approval row shares (借阅, 销毁清册, 统计报表): who signed which step."""

    step: int
    approver_user_id: int
    approver_name: str
    approver_title: str
    decision: str
    opinion: str
    decided_at: datetime


def signature(
    approver: UserAccount, title: str, step: int, decision: str, opinion: str, at: datetime
) -> Signature:
    """``approver``'s decision on ``step`` of a route as ``title``: spread into an approval row."""
    return Signature(
        step=step,
        approver_user_id=approver.id,
        approver_name=approver.display_name,
        approver_title=title,
        decision=decision,
        opinion=opinion,
        decided_at=at,
    )


def local_today(clock: Clock) -> date:
    """Today in the workstation's time zone (due dates and inspection days are calendar days)."""
    return clock.now().astimezone().date()


def clean_text(
    errors: list[FieldError], field: str, value: str, limit: int, *, required: bool
) -> str:
    """``value`` stripped; a missing required text or one over ``limit`` adds to ``errors``."""
    value = value.strip()
    if required and not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long", {"max": limit}))
    return value


def checked_text(field: str, value: str, limit: int, *, required: bool) -> str:
    """``clean_text`` of a use case's only text: a missing or too long one is refused at once."""
    errors: list[FieldError] = []
    value = clean_text(errors, field, value, limit, required=required)
    if errors:
        raise ValidationFailed(errors)
    return value


def member_of(
    errors: list[FieldError], kind: type[E], value: object, error: FieldError
) -> E | None:
    """``value`` as a member of the enum ``kind``; None (``error`` added to ``errors``) if none."""
    try:
        return kind(value)
    except ValueError:
        errors.append(error)
        return None


def count_where(uow: UnitOfWork, *criteria: Any) -> int:
    """How many rows match ``criteria`` (``select count(*) where …``)."""
    return int(uow.session.scalar(select(func.count()).where(*criteria)) or 0)


def next_yearly_number(uow: UnitOfWork, prefix: str, year: int, *, digits: int) -> str:
    """``SQ2026-000001``: numbers per prefix and year, never reused (the counter table)."""
    scope = f"{prefix}:{year}"
    counter = uow.session.get(ReferenceCounter, scope)
    if counter is None:
        counter = ReferenceCounter(scope=scope, last=0)
        uow.session.add(counter)
    counter.last += 1
    return f"{prefix}{year}-{counter.last:0{digits}d}"


# Audit actions that read or hand out an object without changing it: not "who changed it".
_READ_ACTIONS = ("reveal", "view", "print", "export", "read", "scan")


def changed_elsewhere(
    uow: UnitOfWork, field: str, object_type: str, object_id: int, clock: Clock
) -> FieldError:
    """The error of an edit made against an older version: who changed the object, and when.

    Several desks share one database: the message names the last change's author and time
    ("已被李四于 14:05 修改") from the audit trail so that the operator reloads before editing
    again. Without an audited change it stays generic.
    """
    from app.storage.models import AuditEntry

    rows = uow.session.execute(
        select(
            AuditEntry.action, AuditEntry.actor_id, AuditEntry.actor_name, AuditEntry.occurred_at
        )
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id.desc())
        .limit(20)
    ).all()
    for action, actor_id, who, at in rows:
        if any(word in action.rsplit(".", 1)[-1] for word in _READ_ACTIONS):
            continue
        user = uow.session.get(UserAccount, actor_id) if actor_id is not None else None
        if user is not None and user.display_name:
            who = f"{user.display_name}（{user.username}）"
        local = at.astimezone()
        when = (
            local.strftime("%H:%M")
            if local.date() == local_today(clock)
            else local.strftime("%Y-%m-%d %H:%M")
        )
        return FieldError(field, "changed_by", {"who": who, "at": when})
    return FieldError(field, "changed")
