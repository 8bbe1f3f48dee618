"""The contents of the printed 库房检查记录 (R41), collected from the other use cases."""

from __future__ import annotations

import json
from datetime import timedelta

from app.clock import Clock
from app.domain.inspection_rows import InspectionRecord
from app.services.auth import SignedIn
from app.services.inspections.base import find_session
from app.services.inspections.checklist import list_checks
from app.services.inspections.climate import get_room_climate
from app.services.inspections.findings import list_session_tasks
from app.services.inspections.reconciliation import get_reconciliation
from app.services.inspections.sessions import get_inspection


def get_inspection_record(
    *, session: SignedIn, inspection_id: int, clock: Clock, climate_days: int = 30
) -> InspectionRecord:
    """Collect the record of one session (the climate of the ``climate_days`` before it)."""
    header = get_inspection(session=session, inspection_id=inspection_id, clock=clock)
    climate = get_room_climate(
        session=session,
        room_id=header.room_id,
        since=header.inspected_on - timedelta(days=climate_days),
        until=max(
            header.inspected_on,
            (header.closed_at.astimezone().date() if header.closed_at else header.inspected_on),
        ),
        clock=clock,
    )
    checks = list_checks(session=session, inspection_id=inspection_id, clock=clock)
    rec = get_reconciliation(session=session, inspection_id=inspection_id, clock=clock)
    tasks = list_session_tasks(session=session, inspection_id=inspection_id, clock=clock)
    with session.uow(clock) as uow:
        raw = find_session(uow, inspection_id).fixity
    return InspectionRecord(
        header, header.kind_label, climate, checks, rec, tasks, json.loads(raw) if raw else {}
    )
