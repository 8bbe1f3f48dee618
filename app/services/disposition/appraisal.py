"""Appraisals (鉴定, R44): two or more named appraisers decide each expired volume's fate.

An appraisal is opened with its appraisers (user accounts that may appraise; the first is the
鉴定负责人) and its date. While open, a decision is recorded per volume: 销毁, 延长保管 (a new
last year and the reason), 转为永久, or 移交 (with the receiving archive). Closing it applies
the extensions and the permanent decisions to the volumes (retention and expiry, each audited);
销毁 decisions wait for a 销毁清册. A volume on hold, on loan or in repair is refused, naming why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.accounts import Actor
from app.domain.catalogue import Retention
from app.domain.roles import may
from app.errors import DispositionRefused, FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import (
    actor_from_row,
    authorize,
    checked_text,
    clean_text,
    fetch,
    local_today,
    next_yearly_number,
    record_numbered,
)
from app.services.disposition.holds import (
    holds_covering_volumes,
    refuse_if_held,
)
from app.services.disposition.shared import (
    disposition_settings,
    end_year,
    level_label,
    retention_text,
    state_block,
    volume_or_refuse,
)
from app.storage.models import (
    Appraisal,
    AppraisalDecision,
    AppraisalMember,
    DestructionList,
    DestructionListVolume,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class AppraisalRef:
    """A new appraisal's id and number (JD2026-0001)."""

    id: int
    number: str


@dataclass(frozen=True)
class DecisionRow:
    """One volume's decision as shown and printed."""

    volume_id: int
    reference_code: str
    title: str
    year: int
    secrecy: str
    retention: str
    decision: str
    decision_label: str
    new_until: int | None
    reason: str
    recipient: str
    opinion: str


@dataclass(frozen=True)
class AppraisalDetail:
    """An appraisal with its appraisers and decisions."""

    id: int
    number: str
    state: str
    appraised_on: date
    appraisers: list[str]  # the first is the 鉴定负责人
    appraiser_ids: list[int]
    opinion: str
    closed_at: datetime | None
    decisions: list[DecisionRow]


def _appraisers(uow: UnitOfWork, ids: list[int]) -> list[UserAccount]:
    """The named appraisers: ≥ 2 distinct active accounts that may appraise."""
    unique = list(dict.fromkeys(ids))
    if len(unique) < rules.MIN_APPRAISERS:
        raise DispositionRefused(reason="appraisers")
    users = []
    for uid in unique:
        user = uow.session.get(UserAccount, uid)
        if user is None or user.disabled:
            raise ValidationFailed([FieldError("appraisers", "not_appraiser")])
        if not may(actor_from_row(user).roles, "disposition.appraise"):
            raise ValidationFailed([FieldError("appraisers", "not_appraiser")])
        users.append(user)
    return users


def start_appraisal(
    *,
    session: SignedIn,
    appraiser_ids: list[int],
    appraised_on: date,
    clock: Clock,
    opinion: str = "",
) -> AppraisalRef:
    """Open an appraisal with its appraisers (the first leads) and its date."""
    errors: list[FieldError] = []
    opinion = clean_text(errors, "opinion", opinion, 2000, required=False)
    if appraised_on > local_today(clock):
        errors.append(FieldError("appraised_on", "in_future"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "disposition.appraise")
        people = _appraisers(uow, appraiser_ids)
        now = clock.now()
        appraisal = Appraisal(
            number=next_yearly_number(uow, "JD", appraised_on.year, digits=4),
            state=OPEN,
            appraised_on=appraised_on,
            opinion=opinion,
            created_by=session.actor.user_id,
            created_at=now,
        )
        uow.session.add(appraisal)
        uow.session.flush()
        uow.session.add_all(
            AppraisalMember(appraisal_id=appraisal.id, user_id=u.id, name=u.display_name, seq=n)
            for n, u in enumerate(people, start=1)
        )
        record_numbered(
            uow,
            "disposition.appraisal_start",
            "appraisal",
            appraisal,
            appraisers=[u.display_name for u in people],
        )
        uow.commit()
        return AppraisalRef(appraisal.id, appraisal.number)


def _open_appraisal(
    uow: UnitOfWork, actor: Actor, appraisal_id: int
) -> tuple[UserAccount, Appraisal]:
    """The appraiser and the appraisal they change, refused once closed.

    Writes are claimed and ``disposition.appraise`` authorised first.
    """
    uow.claim_writes()
    user = authorize(uow, actor, "disposition.appraise")
    appraisal = fetch(uow, Appraisal, appraisal_id, "appraisal")
    if appraisal.state != OPEN:
        raise DispositionRefused(reason="appraisal_closed", number=appraisal.number)
    return user, appraisal


def _record_on_volume(
    uow: UnitOfWork,
    action: str,
    appraisal: Appraisal,
    volume_id: int,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Audit ``action`` in the volume's history, the appraisal's number first in the details."""
    uow.audit.record(
        action,
        object_type="volume",
        object_id=volume_id,
        details={"number": appraisal.number, **(details or {})},
    )


def check_volume_free(uow: UnitOfWork, v: Volume, *, appraisal_id: int | None = None) -> None:
    """Refuse a volume that is out, destroyed, held, on an open list or in another appraisal."""
    check_volumes_free(uow, [v], appraisal_id=appraisal_id)


def check_volumes_free(
    uow: UnitOfWork, vols: list[Volume], *, appraisal_id: int | None = None
) -> None:
    """:func:`check_volume_free` for many volumes at once (a few queries per 500)."""
    for v in vols:
        why = state_block(v.state)
        if why:
            raise DispositionRefused(reason="volume_unavailable", code=v.reference_code, why=why)
    ids = [v.id for v in vols]
    held = holds_covering_volumes(uow, ids)
    refuse_if_held([h for v in vols for h in held.get(v.id, [])])
    codes = {v.id: v.reference_code for v in vols}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        listed = uow.session.execute(
            select(DestructionListVolume.open_volume_id, DestructionList.number)
            .join(DestructionList, DestructionListVolume.list_id == DestructionList.id)
            .where(DestructionListVolume.open_volume_id.in_(chunk))
            .limit(1)
        ).first()
        if listed is not None:
            raise DispositionRefused(
                reason="on_other_list", code=codes.get(listed[0] or 0, ""), number=listed[1]
            )
        other = uow.session.execute(
            select(AppraisalDecision.volume_id, Appraisal.number)
            .join(Appraisal, AppraisalDecision.appraisal_id == Appraisal.id)
            .where(
                AppraisalDecision.volume_id.in_(chunk),
                Appraisal.state == OPEN,
                Appraisal.id != (appraisal_id or 0),
            )
            .limit(1)
        ).first()
        if other is not None:
            raise DispositionRefused(
                reason="volume_unavailable",
                code=codes[int(other[0])],
                why=f"已在鉴定 {other[1]} 中",
            )


def record_decision(
    *,
    session: SignedIn,
    appraisal_id: int,
    volume_id: int,
    decision: str,
    clock: Clock,
    new_until: int | None = None,
    reason: str = "",
    recipient: str = "",
    opinion: str = "",
) -> None:
    """Record (or change) the open appraisal's decision on one expired volume."""
    errors: list[FieldError] = []
    try:
        kind = rules.Decision(decision)
    except ValueError:
        raise ValidationFailed([FieldError("decision", "required")]) from None
    reason = clean_text(errors, "reason", reason, 500, required=kind == rules.Decision.EXTEND)
    recipient = clean_text(
        errors, "recipient", recipient, 100, required=kind == rules.Decision.TRANSFER
    )
    opinion = clean_text(errors, "opinion", opinion, 1000, required=False)
    today = local_today(clock)
    if kind == rules.Decision.EXTEND:
        top = today.year + rules.MAX_EXTENSION_YEARS
        if new_until is None or not today.year < new_until <= top:
            errors.append(FieldError("new_until", "range", {"min": today.year + 1, "max": top}))
    if errors:
        raise ValidationFailed(errors)
    if kind == rules.Decision.DESTROY and not reason:
        reason = rules.DEFAULT_REASON
    with session.uow(clock) as uow:
        user, appraisal = _open_appraisal(uow, session.actor, appraisal_id)
        v = volume_or_refuse(uow, volume_id)
        if not access.may_see(actor_from_row(user), v.secrecy_level):
            raise ValidationFailed([FieldError("volume", "no_clearance")])
        check_volume_free(uow, v, appraisal_id=appraisal.id)
        last = today.year + disposition_settings(uow).look_ahead_years
        ends = end_year(v)
        if ends is None or ends > last:
            raise DispositionRefused(
                reason="not_expired", code=v.reference_code, until=ends or "永久"
            )
        row = uow.session.scalar(
            select(AppraisalDecision).where(
                AppraisalDecision.appraisal_id == appraisal.id,
                AppraisalDecision.volume_id == v.id,
            )
        )
        if row is None:
            row = AppraisalDecision(appraisal_id=appraisal.id, volume_id=v.id)
            uow.session.add(row)
        row.decision = kind.value
        row.new_retention_until = new_until if kind == rules.Decision.EXTEND else None
        row.reason, row.recipient, row.opinion = reason, recipient, opinion
        row.decided_by, row.decided_at = user.id, clock.now()
        _record_on_volume(
            uow,
            "disposition.decision",
            appraisal,
            v.id,
            {
                "code": v.reference_code,
                "decision": kind.label,
                "new_until": row.new_retention_until,
                "reason": reason,
                "recipient": recipient,
            },
        )
        uow.commit()


def remove_decision(*, session: SignedIn, appraisal_id: int, volume_id: int, clock: Clock) -> None:
    """Take a volume out of an open appraisal (it returns to the queue)."""
    with session.uow(clock) as uow:
        _user, appraisal = _open_appraisal(uow, session.actor, appraisal_id)
        row = uow.session.scalar(
            select(AppraisalDecision).where(
                AppraisalDecision.appraisal_id == appraisal.id,
                AppraisalDecision.volume_id == volume_id,
            )
        )
        if row is None:
            raise ValidationFailed([FieldError("volume", "not_found")])
        uow.session.delete(row)
        _record_on_volume(uow, "disposition.decision_removed", appraisal, volume_id)
        uow.commit()


def close_appraisal(*, session: SignedIn, appraisal_id: int, opinion: str, clock: Clock) -> None:
    """Close an appraisal: extensions and permanent decisions change the volumes (audited)."""
    opinion = checked_text("opinion", opinion, 2000, required=False)
    with session.uow(clock) as uow:
        user, appraisal = _open_appraisal(uow, session.actor, appraisal_id)
        decisions = list(
            uow.session.scalars(
                select(AppraisalDecision).where(AppraisalDecision.appraisal_id == appraisal.id)
            )
        )
        if not decisions:
            raise ValidationFailed([FieldError("appraisal", "no_decisions")])
        held = holds_covering_volumes(uow, [d.volume_id for d in decisions])
        refuse_if_held([h for hs in held.values() for h in hs])
        for d in decisions:
            if d.decision not in (rules.Decision.EXTEND.value, rules.Decision.PERMANENT.value):
                continue
            v = volume_or_refuse(uow, d.volume_id)
            before = retention_text(v)
            if d.decision == rules.Decision.EXTEND.value:
                v.retention_until = d.new_retention_until
            else:
                v.retention, v.retention_until = Retention.PERMANENT.value, None
            v.version += 1
            v.updated_at = clock.now()
            _record_on_volume(
                uow,
                "disposition.retention_change",
                appraisal,
                v.id,
                {
                    "code": v.reference_code,
                    "before": before,
                    "after": retention_text(v),
                    "reason": d.reason,
                },
            )
        appraisal.state = CLOSED
        appraisal.opinion = opinion or appraisal.opinion
        appraisal.closed_by, appraisal.closed_at = user.id, clock.now()
        appraisal.version += 1
        counts = dict(Counter(rules.Decision(d.decision).label for d in decisions))
        record_numbered(uow, "disposition.appraisal_close", "appraisal", appraisal, counts=counts)
        uow.commit()


def _detail(uow: UnitOfWork, appraisal: Appraisal, reader: Actor) -> AppraisalDetail:
    members = list(
        uow.session.scalars(
            select(AppraisalMember)
            .where(AppraisalMember.appraisal_id == appraisal.id)
            .order_by(AppraisalMember.seq)
        )
    )
    rows = uow.session.execute(
        select(AppraisalDecision, Volume)
        .join(Volume, Volume.id == AppraisalDecision.volume_id)
        .where(AppraisalDecision.appraisal_id == appraisal.id)
        .order_by(Volume.year, Volume.reference_code)
    ).all()
    return AppraisalDetail(
        id=appraisal.id,
        number=appraisal.number,
        state=appraisal.state,
        appraised_on=appraisal.appraised_on,
        appraisers=[m.name for m in members],
        appraiser_ids=[m.user_id for m in members],
        opinion=appraisal.opinion,
        closed_at=appraisal.closed_at,
        decisions=[
            DecisionRow(
                volume_id=v.id,
                reference_code=v.reference_code,
                title=access.restricted_title(reader, v.secrecy_level, v.title),
                year=v.year,
                secrecy=level_label(v.secrecy_level),
                retention=retention_text(v),
                decision=d.decision,
                decision_label=rules.Decision(d.decision).label,
                new_until=d.new_retention_until,
                reason=d.reason,
                recipient=d.recipient,
                opinion=d.opinion,
            )
            for d, v in rows
        ],
    )


def get_appraisal(*, session: SignedIn, appraisal_id: int, clock: Clock) -> AppraisalDetail:
    """One appraisal with its appraisers and decisions (titles above clearance 受限)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        appraisal = fetch(uow, Appraisal, appraisal_id, "appraisal")
        return _detail(uow, appraisal, reader)


def list_appraisals(*, session: SignedIn, clock: Clock) -> list[AppraisalDetail]:
    """Every appraisal, newest first, with its decisions."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        found = uow.session.scalars(select(Appraisal).order_by(Appraisal.id.desc()))
        return [_detail(uow, a, reader) for a in found]
