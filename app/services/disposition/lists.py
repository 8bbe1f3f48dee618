"""销毁清册 (R44): compiled from 销毁 decisions, numbered XH{year}-{n:04}, frozen once submitted.

A list is drafted by an archivist from volumes whose closed appraisal decided 销毁; each row
keeps the 清册 columns as the volume stood (序号, 档号, 题名, 起止日期, 密级, 数量, 应保管期限,
已保管期限, 销毁原因, 备注). A volume is on one open list only (a unique column). Submitting
fixes the approval route (the configured titles; 机密/绝密 always add the 总经理). Once submitted
the rows no longer change; corrections are appended notes, at any stage, the list being kept
permanently (there is no delete).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, insert, not_, select
from sqlalchemy.exc import IntegrityError

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.accounts import Actor
from app.domain.catalogue import VolumeState
from app.domain.roles import TITLE_LABELS, ApproverTitle
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
from app.services.disposition.appraisal import check_volumes_free
from app.services.disposition.shared import level_label, list_changed, snapshots
from app.storage.models import (
    Appraisal,
    AppraisalDecision,
    DestructionList,
    DestructionListVolume,
    DestructionNote,
    Volume,
)
from app.storage.store import UnitOfWork

ListState = rules.ListState


@dataclass(frozen=True)
class ListRef:
    """A new list's id and number."""

    id: int
    number: str


@dataclass(frozen=True)
class Candidate:
    """A volume decided 销毁 by a closed appraisal and not yet on a list."""

    volume_id: int
    reference_code: str
    title: str
    year: int
    secrecy: str
    appraisal: str
    reason: str


def _candidates_query(reader: Actor) -> object:
    on_list = exists().where(DestructionListVolume.open_volume_id == Volume.id)
    return (
        select(Volume, Appraisal.number, AppraisalDecision.reason)
        .join(AppraisalDecision, AppraisalDecision.volume_id == Volume.id)
        .join(Appraisal, Appraisal.id == AppraisalDecision.appraisal_id)
        .where(
            AppraisalDecision.decision == rules.Decision.DESTROY.value,
            Appraisal.state == "closed",
            Volume.state != VolumeState.DESTROYED.value,
            not_(on_list),
            access.secrecy_clause(reader, Volume.secrecy_level),
        )
        .order_by(Volume.year, Volume.reference_code)
    )


def list_destroy_candidates(
    *, session: SignedIn, clock: Clock, limit: int = 5000
) -> list[Candidate]:
    """Volumes decided 销毁 by a closed appraisal, not destroyed, on no open list."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        rows = uow.session.execute(_candidates_query(reader).limit(limit)).all()  # type: ignore[attr-defined]
        return [
            Candidate(v.id, v.reference_code, v.title, v.year, level_label(v.secrecy_level), n, r)
            for v, n, r in rows
        ]


def _destroy_decision(uow: UnitOfWork, volume_id: int) -> AppraisalDecision | None:
    """The closed appraisal's 销毁 decision on a volume (the newest), or None."""
    return uow.session.scalar(
        select(AppraisalDecision)
        .join(Appraisal, Appraisal.id == AppraisalDecision.appraisal_id)
        .where(
            AppraisalDecision.volume_id == volume_id,
            AppraisalDecision.decision == rules.Decision.DESTROY.value,
            Appraisal.state == "closed",
        )
        .order_by(AppraisalDecision.id.desc())
        .limit(1)
    )


def _draft(uow: UnitOfWork, actor: Actor, list_id: int) -> DestructionList:
    """A list still being compiled, to edit; any other state refuses editing (R44).

    Writes are claimed and ``disposition.compile`` authorised first.
    """
    uow.claim_writes()
    authorize(uow, actor, "disposition.compile")
    found = fetch(uow, DestructionList, list_id, "destruction_list")
    if found.state != ListState.DRAFT.value:
        raise DispositionRefused(
            reason="list_closed", number=found.number, state=ListState(found.state).label
        )
    return found


def _destroy_reasons(uow: UnitOfWork, ids: list[int]) -> dict[int, str]:
    """Per volume, the reason of its newest 销毁 decision in a closed appraisal (set-based)."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        for vid, reason in uow.session.execute(
            select(AppraisalDecision.volume_id, AppraisalDecision.reason)
            .join(Appraisal, Appraisal.id == AppraisalDecision.appraisal_id)
            .where(
                AppraisalDecision.volume_id.in_(ids[start : start + 500]),
                AppraisalDecision.decision == rules.Decision.DESTROY.value,
                Appraisal.state == "closed",
            )
            .order_by(AppraisalDecision.id)
        ).all():
            found[int(vid)] = str(reason or "")
    return found


def _add_rows(uow: UnitOfWork, dl: DestructionList, volume_ids: list[int], today: date) -> int:
    """Append volumes to a draft; each needs a 销毁 decision and must be free (set-based)."""
    ids = list(dict.fromkeys(volume_ids))
    vols: list[Volume] = []
    for start in range(0, len(ids), 500):
        vols += uow.session.scalars(select(Volume).where(Volume.id.in_(ids[start : start + 500])))
    if len(vols) != len(ids):
        raise ValidationFailed([FieldError("volume", "not_found")])
    by_id = {v.id: v for v in vols}
    vols = [by_id[i] for i in ids]
    reasons = _destroy_reasons(uow, ids)
    for v in vols:
        if v.id not in reasons:
            raise DispositionRefused(reason="not_destroy_decision", code=v.reference_code)
    check_volumes_free(uow, vols)
    start = (
        uow.session.scalar(
            select(func.max(DestructionListVolume.seq)).where(
                DestructionListVolume.list_id == dl.id
            )
        )
        or 0
    )
    snaps = snapshots(uow, vols, today)
    rows = []
    for n, v in enumerate(vols, start=start + 1):
        s = snaps[v.id]
        rows.append(
            {
                "list_id": dl.id,
                "volume_id": v.id,
                "open_volume_id": v.id,
                "seq": n,
                "reference_code": s.reference_code,
                "title": s.title,
                "date_range": s.date_range,
                "secrecy": s.secrecy,
                "quantity": s.quantity,
                "retention": s.retention,
                "kept": s.kept,
                "reason": reasons[v.id] or dl.reason,
                "remarks": "",
            }
        )
    try:
        uow.session.execute(insert(DestructionListVolume), rows)
    except IntegrityError as exc:  # another desk listed one meanwhile: the constraint speaks
        raise DispositionRefused(reason="on_other_list", code="", number="") from exc
    return len(vols)


def compile_list(
    *, session: SignedIn, volume_ids: list[int], clock: Clock, reason: str = ""
) -> ListRef:
    """Draft a 销毁清册 from volumes decided 销毁 (numbered XH{year}-{n:04}, never reused)."""
    errors: list[FieldError] = []
    reason = clean_text(errors, "reason", reason or rules.DEFAULT_REASON, 500, required=True)
    if not volume_ids:
        errors.append(FieldError("volumes", "required"))
    if errors:
        raise ValidationFailed(errors)
    today = local_today(clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        user = authorize(uow, session.actor, "disposition.compile")
        now = clock.now()
        first = _destroy_decision(uow, volume_ids[0])
        dl = DestructionList(
            number=next_yearly_number(uow, "XH", today.year, digits=4),
            state=ListState.DRAFT.value,
            appraisal_id=first.appraisal_id if first else None,
            reason=reason,
            compiled_by=user.id,
            compiled_by_name=user.display_name,
            compiled_at=now,
        )
        uow.session.add(dl)
        uow.session.flush()
        count = _add_rows(uow, dl, volume_ids, today)
        record_numbered(
            uow, "disposition.list_compile", "destruction_list", dl, volumes=count, reason=reason
        )
        uow.commit()
        return ListRef(dl.id, dl.number)


def add_list_volumes(
    *, session: SignedIn, list_id: int, volume_ids: list[int], clock: Clock
) -> None:
    """Add volumes to a draft list."""
    with session.uow(clock) as uow:
        dl = _draft(uow, session.actor, list_id)
        count = _add_rows(uow, dl, volume_ids, local_today(clock))
        list_changed(uow, dl, "disposition.list_edit", added=count)
        uow.commit()


def remove_list_volume(*, session: SignedIn, list_id: int, volume_id: int, clock: Clock) -> None:
    """Take a volume off a draft list (the rows are renumbered)."""
    with session.uow(clock) as uow:
        dl = _draft(uow, session.actor, list_id)
        rows = list(
            uow.session.scalars(
                select(DestructionListVolume)
                .where(DestructionListVolume.list_id == dl.id)
                .order_by(DestructionListVolume.seq)
            )
        )
        gone = [r for r in rows if r.volume_id == volume_id]
        if not gone:
            raise ValidationFailed([FieldError("volume", "not_found")])
        uow.session.delete(gone[0])
        uow.session.flush()
        for n, r in enumerate((r for r in rows if r.volume_id != volume_id), start=1):
            r.seq = n
        list_changed(uow, dl, "disposition.list_edit", removed=gone[0].reference_code)
        uow.commit()


def set_list_row(
    *, session: SignedIn, list_id: int, volume_id: int, reason: str, remarks: str, clock: Clock
) -> None:
    """Change a draft row's 销毁原因 and 备注."""
    errors: list[FieldError] = []
    reason = clean_text(errors, "reason", reason, 500, required=True)
    remarks = clean_text(errors, "remarks", remarks, 500, required=False)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        dl = _draft(uow, session.actor, list_id)
        row = uow.session.scalar(
            select(DestructionListVolume).where(
                DestructionListVolume.list_id == dl.id, DestructionListVolume.volume_id == volume_id
            )
        )
        if row is None:
            raise ValidationFailed([FieldError("volume", "not_found")])
        row.reason, row.remarks = reason, remarks
        list_changed(uow, dl, "disposition.list_edit", code=row.reference_code, reason=reason)
        uow.commit()


def submit_list(*, session: SignedIn, list_id: int, clock: Clock) -> list[str]:
    """Send a draft for approval; returns the route (titles) fixed now."""
    from app.services.disposition.shared import disposition_settings

    with session.uow(clock) as uow:
        dl = _draft(uow, session.actor, list_id)
        levels = set(
            uow.session.scalars(
                select(Volume.secrecy_level)
                .join(DestructionListVolume, DestructionListVolume.volume_id == Volume.id)
                .where(DestructionListVolume.list_id == dl.id)
            )
        )
        count = uow.session.scalar(
            select(func.count())
            .select_from(DestructionListVolume)
            .where(DestructionListVolume.list_id == dl.id)
        )
        if not count:
            raise DispositionRefused(reason="list_empty", number=dl.number)
        steps = rules.route_for(disposition_settings(uow).route, levels)
        dl.steps = json.dumps(steps)
        dl.state = ListState.PENDING.value
        dl.submitted_at = clock.now()
        list_changed(
            uow,
            dl,
            "disposition.list_submit",
            volumes=count,
            route=[TITLE_LABELS[ApproverTitle(s)] for s in steps],
        )
        uow.commit()
        return [TITLE_LABELS[ApproverTitle(s)] for s in steps]


def add_list_note(*, session: SignedIn, list_id: int, text: str, clock: Clock) -> None:
    """Append a correction to a list (the list itself never changes once decided)."""
    text = checked_text("note", text, 2000, required=True)
    with session.uow(clock) as uow:
        uow.claim_writes()
        user = authorize(uow, session.actor, "disposition.compile")
        dl = fetch(uow, DestructionList, list_id, "destruction_list")
        uow.session.add(
            DestructionNote(
                list_id=dl.id,
                text=text,
                created_by=user.id,
                created_by_name=user.display_name,
                created_at=clock.now(),
            )
        )
        record_numbered(uow, "disposition.list_note", "destruction_list", dl, note=text)
        uow.commit()
