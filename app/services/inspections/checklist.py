"""The checklist of a session (R25, R41): each line 正常, or 异常 with a note."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import Clock
from app.domain.inspection_rows import CheckRow
from app.errors import FieldError, ValidationFailed
from app.services import locations
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.inspections.base import audit_session, live_session
from app.storage.models import InspectionCheck


def list_checks(*, session: SignedIn, inspection_id: int, clock: Clock) -> list[CheckRow]:
    """The session's checklist."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        return [
            CheckRow(c.seq, c.label, c.ok, c.note)
            for c in uow.session.scalars(
                select(InspectionCheck)
                .where(InspectionCheck.session_id == inspection_id)
                .order_by(InspectionCheck.seq)
            )
        ]


def set_check(
    *, session: SignedIn, inspection_id: int, seq: int, ok: bool, note: str = "", clock: Clock
) -> None:
    """Mark one checklist line 正常 or 异常 (异常 needs a note saying what)."""
    if not ok and not note.strip():
        raise ValidationFailed([FieldError("check_note", "abnormal_note")])
    if len(note) > 1000:
        raise ValidationFailed([FieldError("check_note", "too_long", {"max": 1000})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = live_session(uow, inspection_id, "填写检查项目")
        check = uow.session.get(InspectionCheck, (inspection_id, seq))
        if check is None:
            raise locations.NotFound(what="检查项目")
        check.ok = ok
        check.note = note.strip()
        audit_session(uow, "inspection.check", row, {"item": check.label, "ok": ok})
