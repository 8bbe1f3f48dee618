"""Printouts of disposition (R44, R17, R40): the 销毁清册, the 销毁证明 and the 鉴定记录.

The forms are filled here (titles above the reader's clearance print as 受限) and drawn by
``app.printing.destruction_forms`` (ReportLab, loaded only then). Rendering is not an output;
printing or saving one is, and is audited with :func:`record_disposition_output` (R40).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.clock import Clock
from app.domain.catalogue import MARKED_LEVELS, SECRECY_LABELS, SecrecyLevel
from app.domain.disposition import ListState
from app.errors import DispositionRefused, FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, fetch, form_stamp
from app.services.disposition.appraisal import get_appraisal
from app.services.disposition.reading import list_detail
from app.storage.models import DestructionList

if TYPE_CHECKING:
    from app.printing.destruction_forms import AppraisalForm, DestructionListForm

OUTPUT_KINDS = ("print", "save")
FORMS = {
    "destruction_list": "销毁清册",
    "destruction_certificate": "销毁证明",
    "appraisal_record": "鉴定记录",
}


def _mark(labels: set[str]) -> str:
    """The page's secrecy mark: the highest 机密/绝密 printed ("" otherwise)."""
    for level in (SecrecyLevel.TOP_SECRET, SecrecyLevel.CONFIDENTIAL):
        if level in MARKED_LEVELS and SECRECY_LABELS[level] in labels:
            return SECRECY_LABELS[level]
    return ""


def destruction_list_form(*, session: SignedIn, list_id: int, clock: Clock) -> DestructionListForm:
    """The 清册 as printed: cover, rows, approvals and witnesses with their names."""
    from app.domain.roles import TITLE_LABELS, ApproverTitle
    from app.printing.destruction_forms import (
        DestructionListForm,
        DestructionRowData,
        Signature,
        iso,
    )
    from app.storage.models import DestructionApproval

    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "disposition.read", releases=True))
        dl = fetch(uow, DestructionList, list_id, "destruction_list")
        detail = list_detail(uow, dl, reader)
        approvals = [
            Signature(
                f"批准人（{TITLE_LABELS[ApproverTitle(a.approver_title)]}）",
                a.approver_name,
                iso(a.decided_at.astimezone()),
                a.opinion,
            )
            for a in uow.session.query(DestructionApproval)
            .filter(DestructionApproval.list_id == dl.id, DestructionApproval.decision == "approve")
            .order_by(DestructionApproval.step)
        ]
        organisation = uow.settings.load().organisation.organisation_name
        compiled_on = iso(dl.compiled_at.astimezone())
    rows: list[DestructionRowData] = list(detail.rows)
    return DestructionListForm(
        **form_stamp(session.actor, organisation, clock.now()),
        number=detail.summary.number,
        state_label=detail.summary.state_label,
        reason=detail.reason,
        appraisal_number=detail.appraisal_number,
        appraisal_leader=detail.appraisers[0] if detail.appraisers else "",
        appraisers=detail.appraisers,
        appraised_on=iso(detail.appraised_on),
        compiled_by=detail.summary.compiled_by,
        compiled_on=compiled_on,
        approvals=approvals,
        witnesses=detail.witnesses,
        carried_out_on=iso(detail.summary.carried_out_on),
        place=detail.place,
        method=detail.method_label,
        rows=rows,
        notes=[n.text for n in detail.notes],
        secrecy_mark=_mark({r.secrecy for r in rows}),
    )


def destruction_list_pdf(*, session: SignedIn, list_id: int, clock: Clock) -> bytes:
    """The 销毁清册 as PDF bytes."""
    from app.printing.destruction_forms import render_destruction_list

    return render_destruction_list(
        destruction_list_form(session=session, list_id=list_id, clock=clock)
    )


def certificate_pdf(*, session: SignedIn, list_id: int, clock: Clock) -> bytes:
    """The 销毁证明 of a carried-out list as PDF bytes (refused before the destruction)."""
    from app.printing.destruction_forms import render_certificate

    form = destruction_list_form(session=session, list_id=list_id, clock=clock)
    if not form.carried_out_on:
        raise DispositionRefused(
            reason="list_not_approved", number=form.number, state=form.state_label
        )
    return render_certificate(form)


def appraisal_form(*, session: SignedIn, appraisal_id: int, clock: Clock) -> AppraisalForm:
    """The 鉴定记录 as printed."""
    from app.printing.destruction_forms import AppraisalForm, AppraisalRowData

    detail = get_appraisal(session=session, appraisal_id=appraisal_id, clock=clock)
    with session.uow(clock) as uow:
        organisation = uow.settings.load().organisation.organisation_name
    rows = []
    for n, d in enumerate(detail.decisions, start=1):
        note = d.reason
        if d.new_until is not None:
            note = f"延长至{d.new_until}年：{d.reason}"
        elif d.recipient:
            note = f"移交{d.recipient}" + (f"：{d.reason}" if d.reason else "")
        rows.append(
            AppraisalRowData(
                n,
                d.reference_code,
                d.title,
                d.year,
                d.secrecy,
                d.retention,
                d.decision_label,
                note,
            )
        )
    return AppraisalForm(
        **form_stamp(session.actor, organisation, clock.now()),
        number=detail.number,
        appraised_on=detail.appraised_on.isoformat(),
        appraisers=detail.appraisers,
        opinion=detail.opinion,
        rows=rows,
        secrecy_mark=_mark({r.secrecy for r in rows}),
    )


def appraisal_record_pdf(*, session: SignedIn, appraisal_id: int, clock: Clock) -> bytes:
    """The 鉴定记录 as PDF bytes."""
    from app.printing.destruction_forms import render_appraisal_record

    return render_appraisal_record(
        appraisal_form(session=session, appraisal_id=appraisal_id, clock=clock)
    )


def record_disposition_output(
    *, session: SignedIn, form: str, object_id: int, kind: str, clock: Clock
) -> None:
    """Audit a printout or a saved PDF of a disposition form (R40)."""
    if kind not in OUTPUT_KINDS:
        raise ValidationFailed([FieldError("output", "required")])
    if form not in FORMS:
        raise ValidationFailed([FieldError("form", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.read", releases=True)
        object_type = "appraisal" if form == "appraisal_record" else "destruction_list"
        number = ""
        if object_type == "destruction_list":
            dl = fetch(uow, DestructionList, object_id, "destruction_list")
            number = dl.number
            if form == "destruction_certificate" and dl.state != ListState.DESTROYED.value:
                raise DispositionRefused(
                    reason="list_not_approved", number=dl.number, state=ListState(dl.state).label
                )
        uow.audit.record(
            f"print.{form}",
            object_type=object_type,
            object_id=object_id,
            purpose=FORMS[form],
            details={"output": kind, "number": number},
        )
        uow.commit()
