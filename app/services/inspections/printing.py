"""The printed 库房检查记录 (R41) built from the database; rendering is in app.printing.

Loads ReportLab: import this module where a record is printed, not at start.
"""

from __future__ import annotations

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.printing.inspection_record import TITLE, render_inspection_record
from app.services.auth import SignedIn
from app.services.common import authorize, printer
from app.services.inspections.record import get_inspection_record


def inspection_record_pdf(*, session: SignedIn, inspection_id: int, clock: Clock) -> bytes:
    """The record of one session as a PDF (A4, embedded CJK font, page numbers)."""
    record = get_inspection_record(session=session, inspection_id=inspection_id, clock=clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read", releases=True)
        organisation = uow.settings.load().organisation.organisation_name
    return render_inspection_record(
        record, organisation=organisation, **printer(session.actor, clock.now())
    )


def record_inspection_output(
    *, session: SignedIn, inspection_id: int, kind: str, clock: Clock
) -> None:
    """Audit a printout or saved PDF of a 库房检查记录, before it is made."""
    if kind not in ("print", "save"):
        raise ValidationFailed([FieldError("output", "format", {"expected": "打印或保存"})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read", releases=True)
        uow.audit.record(
            "print.inspection_record",
            object_type="inspection",
            object_id=inspection_id,
            purpose=TITLE,
            details={"output": kind},
        )
        uow.commit()
