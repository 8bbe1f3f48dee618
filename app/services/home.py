"""工作台 (the home screen): what each role should know when it signs in, read-only.

Each query checks its own permission, so a card shows only what its role may see: accounts and
security notes for the administrator, the audit chain and recent alarms for the auditor, volumes
due for appraisal (retention expired) for the archivist. The statistics card reads
``services.statistics.get_overview`` (the 统计 page's own figures).
The approvers' queue, overdue loans, inspections, tasks and the secrecy review queue come from
their own areas' services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from app.clock import Clock, as_utc
from app.domain.catalogue import RETENTION_LABELS, RETENTION_YEARS, Retention, VolumeState
from app.messages import AUDIT_BREAKS
from app.security import access
from app.security.keyring import Keyring
from app.services.audit import action_label, is_after_hours, verify_audit_chain
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.disposition.shared import due_clause
from app.storage.models import AuditEntry, UserAccount, Volume

DORMANT_DAYS = 90  # an enabled account unused this long is worth a look (R5)
ALARM_DAYS = 7
# Entries the auditor should see at once; reveals and file opens count when after hours.
ALARM_ACTIONS = (
    "auth.sign_in_failed",
    "auth.account_locked",
    "auth.sign_in_refused",
    "audit.verify_failed",
    "file.fixity_failed",
    "file.missing",
    "backup.failed",
    "incident.record",
)
AFTER_HOURS_ACTIONS = ("customer.reveal", "file.open", "catalogue.view_classified")


# --- administrator ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountOverview:
    """Accounts at a glance (系统管理员)."""

    active: int
    disabled: int
    admins: int  # enabled administrators
    locked: tuple[str, ...]  # user names locked out now (failed passwords)
    must_change: tuple[str, ...]  # one-time password not yet replaced
    dormant: tuple[str, ...]  # enabled, not signed in for DORMANT_DAYS (or never)


def get_account_overview(*, session: SignedIn, clock: Clock) -> AccountOverview:
    """Counts and the accounts that need the administrator's attention."""
    now = clock.now()
    cutoff = now - timedelta(days=DORMANT_DAYS)
    keyring = Keyring.load(session.store.keyring_store)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "user.manage")
        users = list(uow.session.scalars(select(UserAccount).order_by(UserAccount.username)))
        enabled = [u for u in users if not u.disabled]
        last_used = {u.username: as_utc(u.last_sign_in_at or u.created_at) for u in enabled}
        return AccountOverview(
            active=len(enabled),
            disabled=len(users) - len(enabled),
            admins=sum(1 for u in enabled if any(r.role == "admin" for r in u.roles)),
            locked=tuple(
                u.username
                for u in enabled
                if keyring.has_user(u.username) and keyring.attempt_state(u.username).is_locked(now)
            ),
            must_change=tuple(u.username for u in enabled if u.must_change_password),
            dormant=tuple(name for name, at in last_used.items() if at < cutoff),
        )


def list_security_notes(
    *, session: SignedIn, clock: Clock, audit_warning: str | None = None
) -> list[str]:
    """Plain sentences for the administrator's 安全提醒 card (empty: nothing to do)."""
    overview = get_account_overview(session=session, clock=clock)
    notes = []
    if audit_warning:
        notes.append(f"审计记录校验失败：{audit_warning}")
    if overview.locked:
        notes.append(f"因密码错误被锁定的账户：{'、'.join(overview.locked)}")
    if overview.must_change:
        notes.append(f"尚未修改一次性密码的账户：{'、'.join(overview.must_change)}")
    if overview.dormant:
        names = "、".join(overview.dormant[:8]) + ("……" if len(overview.dormant) > 8 else "")
        notes.append(f"超过 {DORMANT_DAYS} 天未登录的启用账户：{names}（不再使用的请停用）")
    if overview.admins < 2:
        notes.append("只有一个系统管理员账户：请妥善保管恢复密钥。")
    return notes


# --- auditor ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainStatus:
    """The audit chain's newest entries verified now (审计员)."""

    ok: bool
    checked: int
    entries: int  # entries kept in the database
    last_entry_at: datetime | None
    last_archive_at: datetime | None
    problem: str  # the first break, in words ("" when ok)


def get_chain_status(*, session: SignedIn, clock: Clock) -> ChainStatus:
    """Verify the newest entries (as at sign-in) and count what the trail holds."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        entries, last = uow.session.execute(
            select(func.count(AuditEntry.id), func.max(AuditEntry.occurred_at))
        ).one()
        archived = uow.session.scalar(
            select(func.max(AuditEntry.occurred_at)).where(AuditEntry.action == "audit.archive")
        )
    try:
        report = verify_audit_chain(session.store, recent=True)
    except Exception:  # a damaged file fails in driver-specific ways
        return ChainStatus(False, 0, int(entries), None, None, AUDIT_BREAKS["unreadable"])
    first = report.first_break
    problem = "" if first is None else first.describe()
    return ChainStatus(
        report.ok,
        report.checked,
        int(entries),
        as_utc(last) if last else None,
        as_utc(archived) if archived else None,
        problem,
    )


@dataclass(frozen=True)
class AlarmRow:
    """An entry the auditor should look at."""

    occurred_at: datetime
    actor_name: str
    action_label: str
    after_hours: bool


def list_recent_alarms(
    *, session: SignedIn, clock: Clock, days: int = ALARM_DAYS, limit: int = 50
) -> list[AlarmRow]:
    """Entries the auditor should look at from the last ``days`` days, newest first.

    Failed sign-ins, locks, chain and file checks that failed, incidents; reveals and file
    opens only when after hours.
    """
    since = clock.now() - timedelta(days=days)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        rows = uow.session.execute(
            select(AuditEntry.occurred_at, AuditEntry.actor_name, AuditEntry.action)
            .where(
                AuditEntry.seq.is_not(None),
                AuditEntry.occurred_at >= since,
                or_(
                    AuditEntry.action.in_(ALARM_ACTIONS),
                    AuditEntry.action.in_(AFTER_HOURS_ACTIONS),
                ),
            )
            .order_by(AuditEntry.seq.desc())
            .limit(limit * 20)
        ).all()
    out = []
    for at, who, action in rows:
        moment = as_utc(at)
        late = is_after_hours(moment)
        if action in AFTER_HOURS_ACTIONS and not late:
            continue
        out.append(AlarmRow(moment, who, action_label(action), late))
        if len(out) >= limit:
            break
    return out


# --- archivist ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AppraisalRow:
    """A volume whose retention period has ended: due for appraisal (鉴定) and disposition."""

    volume_id: int
    reference_code: str
    title: str
    retention: str  # label
    expired_on: date


def list_appraisal_due(*, session: SignedIn, clock: Clock, limit: int = 200) -> list[AppraisalRow]:
    """Volumes (within the actor's clearance) whose retention ended before today, oldest first.

    The period runs from 1 January after the filing year (R12): a 30-year volume of 1990 ends on
    2020-12-31. Permanent volumes are never due; destroyed ones are done.
    """
    today = clock.now().astimezone().date()
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        rows = uow.session.execute(
            select(
                Volume.id,
                Volume.reference_code,
                Volume.title,
                Volume.retention,
                Volume.year,
                Volume.retention_until,
            )
            .where(
                due_clause(today.year - 1),  # an appraisal's extension counts (issue 17)
                Volume.state != VolumeState.DESTROYED.value,
                access.secrecy_clause(reader, Volume.secrecy_level),
            )
            .limit(limit * 4)
        ).all()
    out = []
    for vid, code, title, retention, year, until in rows:
        years = RETENTION_YEARS[Retention(retention)]
        assert years is not None
        last = until if until is not None else year + years
        out.append(
            AppraisalRow(
                vid, code, title, RETENTION_LABELS[Retention(retention)], date(last, 12, 31)
            )
        )
    out.sort(key=lambda r: (r.expired_on, r.reference_code))
    return out[:limit]
