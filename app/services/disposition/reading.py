"""Reading 销毁清册 (R44): the list of lists, one list in full with its approvals and notes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.accounts import Actor
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, fetch
from app.storage.models import (
    Appraisal,
    DestructionApproval,
    DestructionList,
    DestructionListVolume,
    DestructionNote,
    Volume,
)
from app.storage.store import UnitOfWork

ListState = rules.ListState


@dataclass(frozen=True, kw_only=True)
class ListRow(rules.DestructionRow):
    """One row of the 清册, with the volume it lists."""

    volume_id: int


@dataclass(frozen=True)
class ApprovalRow:
    """One signature (or refusal) on the list's route."""

    step: int
    title: str
    name: str
    decision: str
    opinion: str
    decided_at: datetime


@dataclass(frozen=True)
class NoteRow:
    """A correction appended to the list."""

    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ListSummary:
    """A 清册 in the list of lists."""

    id: int
    number: str
    state: str
    state_label: str
    volumes: int
    compiled_by: str
    compiled_at: datetime
    steps: list[str]  # titles (labels) in order
    signed: int
    carried_out_on: date | None


@dataclass(frozen=True)
class ListDetail:
    """A 清册 in full: cover, rows, approvals, witnesses, notes."""

    summary: ListSummary
    reason: str
    rejection_reason: str
    appraisal_number: str
    appraisers: list[str]
    appraised_on: date | None
    rows: list[ListRow]
    approvals: list[ApprovalRow]
    place: str
    method: str
    method_label: str
    witnesses: list[str]
    notes: list[NoteRow]


def steps_of(dl: DestructionList) -> list[str]:
    """The route fixed at submission (titles' values)."""
    return [str(s) for s in json.loads(dl.steps or "[]")]


def _summary(uow: UnitOfWork, dl: DestructionList, counts: dict[int, int]) -> ListSummary:
    steps = steps_of(dl)
    signed = uow.session.scalar(
        select(func.count())
        .select_from(DestructionApproval)
        .where(DestructionApproval.list_id == dl.id, DestructionApproval.decision == "approve")
    )
    return ListSummary(
        id=dl.id,
        number=dl.number,
        state=dl.state,
        state_label=ListState(dl.state).label,
        volumes=counts.get(dl.id, 0),
        compiled_by=dl.compiled_by_name,
        compiled_at=dl.compiled_at,
        steps=[TITLE_LABELS[ApproverTitle(s)] for s in steps],
        signed=int(signed or 0),
        carried_out_on=dl.carried_out_on,
    )


def _counts(uow: UnitOfWork) -> dict[int, int]:
    return {
        int(lid): int(n)
        for lid, n in uow.session.execute(
            select(DestructionListVolume.list_id, func.count()).group_by(
                DestructionListVolume.list_id
            )
        ).all()
    }


def list_destruction_lists(*, session: SignedIn, clock: Clock) -> list[ListSummary]:
    """Every 销毁清册, newest first (the auditor sees them all)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.read")
        counts = _counts(uow)
        found = uow.session.scalars(select(DestructionList).order_by(DestructionList.id.desc()))
        return [_summary(uow, dl, counts) for dl in found]


def list_detail(uow: UnitOfWork, dl: DestructionList, reader: Actor) -> ListDetail:
    """The whole list (titles above the reader's clearance shown as 受限)."""
    from app.storage.models import AppraisalMember

    levels = dict(
        uow.session.execute(
            select(DestructionListVolume.volume_id, Volume.secrecy_level)
            .join(Volume, Volume.id == DestructionListVolume.volume_id)
            .where(DestructionListVolume.list_id == dl.id)
        ).all()
    )
    rows = [
        ListRow(
            seq=r.seq,
            volume_id=r.volume_id,
            reference_code=r.reference_code,
            title=access.restricted_title(reader, levels.get(r.volume_id), r.title),
            date_range=r.date_range,
            secrecy=r.secrecy,
            quantity=r.quantity,
            retention=r.retention,
            kept=r.kept,
            reason=r.reason,
            remarks=r.remarks,
        )
        for r in uow.session.scalars(
            select(DestructionListVolume)
            .where(DestructionListVolume.list_id == dl.id)
            .order_by(DestructionListVolume.seq)
        )
    ]
    steps = steps_of(dl)
    approvals = [
        ApprovalRow(
            a.step,
            TITLE_LABELS[ApproverTitle(a.approver_title)],
            a.approver_name,
            a.decision,
            a.opinion,
            a.decided_at,
        )
        for a in uow.session.scalars(
            select(DestructionApproval)
            .where(DestructionApproval.list_id == dl.id)
            .order_by(DestructionApproval.id)
        )
    ]
    appraisal = uow.session.get(Appraisal, dl.appraisal_id) if dl.appraisal_id else None
    appraisers = (
        list(
            uow.session.scalars(
                select(AppraisalMember.name)
                .where(AppraisalMember.appraisal_id == appraisal.id)
                .order_by(AppraisalMember.seq)
            )
        )
        if appraisal
        else []
    )
    notes = [
        NoteRow(n.text, n.created_by_name, n.created_at)
        for n in uow.session.scalars(
            select(DestructionNote)
            .where(DestructionNote.list_id == dl.id)
            .order_by(DestructionNote.id)
        )
    ]
    summary = _summary(uow, dl, {dl.id: len(rows)})
    assert summary.steps == [TITLE_LABELS[ApproverTitle(s)] for s in steps]
    return ListDetail(
        summary=summary,
        reason=dl.reason,
        rejection_reason=dl.rejection_reason,
        appraisal_number=appraisal.number if appraisal else "",
        appraisers=appraisers,
        appraised_on=appraisal.appraised_on if appraisal else None,
        rows=rows,
        approvals=approvals,
        place=dl.place,
        method=dl.method,
        method_label=rules.method_label(dl.method) if dl.method else "",
        witnesses=[w for w in (dl.witness1_name, dl.witness2_name) if w],
        notes=notes,
    )


def get_destruction_list(*, session: SignedIn, list_id: int, clock: Clock) -> ListDetail:
    """One 销毁清册 in full."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read"))
        dl = fetch(uow, DestructionList, list_id, "destruction_list")
        return list_detail(uow, dl, reader)
