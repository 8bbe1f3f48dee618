"""Printing the staff forms: rows from the records, rendered by ``app.printing.staff_forms``.

Not re-exported by the package (it loads ReportLab): ``from app.services.staff import
printing``. Renderers write nothing; ``record_staff_output`` audits each print or saved PDF
first (R40), as the other areas' forms do.
"""

from __future__ import annotations

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.printing.staff_forms import (
    FilingForm,
    ReviewForm,
    ReviewFormLine,
    StaffHandoverForm,
    render_access_review,
    render_filing_form,
    render_staff_handover,
)
from app.services.auth import SignedIn
from app.services.common import PrintStamp, authorize, form_stamp
from app.services.staff.filing import get_filing_sheet
from app.services.staff.handover import get_staff_handover
from app.services.staff.reviews import get_access_review

FORMS = {
    "filing": ("filing_handover", "归档移交清单"),
    "handover": ("staff_handover", "交接清单"),
    "review": ("access_review", "访问权限审查记录"),
}


def _stamp(session: SignedIn, clock: Clock) -> PrintStamp:
    with session.uow(clock) as uow:
        org = uow.settings.load().organisation.organisation_name
    return form_stamp(session.actor, org, clock.now())


def filing_form(*, session: SignedIn, handover_id: int, clock: Clock) -> FilingForm:
    """The 归档移交清单 rows of a recorded hand-over."""
    sheet = get_filing_sheet(session=session, handover_id=handover_id, clock=clock)
    stamp = _stamp(session, clock)
    row = sheet.row
    return FilingForm(
        number=row.number,
        department=row.department,
        period=row.period,
        clerk_name=row.clerk_name,
        clerk_confirmed="已在档案室输入密码确认"
        if row.clerk_confirmed == "password"
        else "纸面签字",
        archivist_name=row.archivist_name,
        handed_over_on=row.occurred_at.astimezone().date(),
        note=row.note,
        lines=sheet.lines,
        **stamp,
    )


def filing_pdf(*, session: SignedIn, handover_id: int, clock: Clock) -> bytes:
    """The 归档移交清单 as PDF bytes."""
    return render_filing_form(filing_form(session=session, handover_id=handover_id, clock=clock))


def staff_handover_form(*, session: SignedIn, handover_id: int, clock: Clock) -> StaffHandoverForm:
    """The 交接清单 rows of a recorded leaving or transfer hand-over."""
    sheet = get_staff_handover(session=session, handover_id=handover_id, clock=clock)
    stamp = _stamp(session, clock)
    successors = sorted({line.successor for line in sheet.lines})
    return StaffHandoverForm(
        number=sheet.number,
        kind_label=sheet.kind_label,
        person_name=sheet.person_name,
        department=sheet.department,
        post=sheet.post,
        successor_name="、".join(successors) or "—",
        supervisor=sheet.supervisor,
        handed_over_on=sheet.occurred_at.astimezone().date(),
        note=sheet.note,
        remaining=sheet.remaining,
        lines=sheet.lines,
        **stamp,
    )


def staff_handover_pdf(*, session: SignedIn, handover_id: int, clock: Clock) -> bytes:
    """The 离职/调岗交接清单 as PDF bytes."""
    return render_staff_handover(
        staff_handover_form(session=session, handover_id=handover_id, clock=clock)
    )


def review_form(*, session: SignedIn, review_id: int, clock: Clock) -> ReviewForm:
    """The 访问权限审查记录 rows."""
    review = get_access_review(session=session, review_id=review_id, clock=clock)
    stamp = _stamp(session, clock)
    return ReviewForm(
        number=review.number,
        started_on=review.started_at.astimezone().date(),
        started_by=review.started_by,
        closed_on=review.closed_at.astimezone().date() if review.closed_at else None,
        closed_by=review.closed_by,
        note=review.note,
        lines=[
            ReviewFormLine(
                line.username,
                line.display_name,
                line.roles + ("（已停用）" if line.disabled else ""),
                line.last_sign_in_at.astimezone().strftime("%Y-%m-%d %H:%M")
                if line.last_sign_in_at
                else "从未登录",
                line.compliance,
                line.decision_label,
                line.note,
            )
            for line in review.lines
        ],
        **stamp,
    )


def access_review_pdf(*, session: SignedIn, review_id: int, clock: Clock) -> bytes:
    """The 访问权限审查记录 as PDF bytes."""
    return render_access_review(review_form(session=session, review_id=review_id, clock=clock))


def record_staff_output(
    *, session: SignedIn, form: str, object_id: int, kind: str, clock: Clock
) -> None:
    """Audit a print or saved PDF of a staff form (``filing``, ``handover``, ``review``)."""
    if form not in FORMS or kind not in ("print", "save"):
        raise ValidationFailed([FieldError("output", "format", {"expected": "打印或保存"})])
    object_type, title = FORMS[form]
    with session.uow(clock) as uow:
        # the filing list names volumes and the hand-over list customers: customer data (R28)
        authorize(
            uow,
            session.actor,
            "access_review.verify" if form == "review" else "staff.read",
            releases=form != "review",
        )
        action = (
            "print.filing_handover"
            if form == "filing"
            else "print.staff_handover"
            if form == "handover"
            else "print.access_review"
        )
        uow.audit.record(
            action,
            object_type=object_type,
            object_id=object_id,
            purpose=title,
            details={"output": kind},
        )
        uow.commit()
