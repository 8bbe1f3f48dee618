"""A loan register (借阅登记簿) as an import kind: historic and open loans on day one.

Each line becomes what lending at the desk makes: an application (already decided), a
register entry (``loan``) and a use (``use_log``, counted by the statistics). A line without a
return date is an open loan: the volume shows 借出, its trip out is in the move log
(``services.locations``) and it counts as overdue once its due date has passed. A line with a
return date goes to the history. Undo removes the lot while none of it changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, select

from app.domain import loans as rules
from app.domain.catalogue import VolumeState
from app.domain.loans import ApplicationState, LoanState
from app.errors import FieldError
from app.services.imports.kinds.base import (
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    Written,
    check_cancel,
    settle,
)
from app.services.imports.kinds.bulk import span
from app.services.imports.kinds.loan_rows import (
    LOAN_FIELDS,
    LoanRowClean,
    VolumeCodes,
    check_across,
    check_loan_row,
)
from app.services.loans.settings import loan_settings
from app.services.loans.shared import next_number, set_volume_out
from app.storage.models import (
    DamageReport,
    Loan,
    LocationMove,
    UseApplication,
    UseApplicationVolume,
    UseLog,
    Volume,
)
from app.storage.store import UnitOfWork

IMPORT_NOTE = "导入借阅登记簿"  # the reason of imported applications and of their 借出 moves
ISSUE_HOUR = time(9, 0)  # a register gives days: the loan is dated 09:00 local time


def _at(day: date) -> datetime:
    return datetime.combine(day, ISSUE_HOUR).astimezone()


class LoanImport:
    """A 借阅登记簿: one line per loan, open (no return date) or returned."""

    key = "loans"
    label = "借阅登记簿"
    permission = "loan.write"
    fields = LOAN_FIELDS
    masked_fields = frozenset({"borrower"})

    def mapping_errors(self, keys: set[str]) -> list[FieldError]:
        """Nothing beyond the required 档号, 借阅人 and 借出日期."""
        return []

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Each line, then the lines together and against the register already kept."""
        volumes = VolumeCodes(ctx)
        outcomes = []
        for n, row in enumerate(rows):
            ctx.tick(n, len(rows))
            outcomes.append(check_loan_row(ctx, row, volumes))
        check_across(outcomes, rows, volumes)
        return settle(outcomes)

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Applications, register entries and uses; open loans take their volume out."""
        uow = ctx.uow
        settings = loan_settings(uow)
        valid: list[LoanRowClean] = [o.clean for o in outcomes if o.ok and o.clean is not None]
        volumes = {
            v.id: v
            for v in uow.session.scalars(
                select(Volume).where(Volume.id.in_({c.volume_id for c in valid}))
            )
        }
        apps: list[int] = []
        loans: list[int] = []
        uses: list[int] = []
        opened = 0
        for n, c in enumerate(valid):
            if n % 200 == 0:
                check_cancel(progress)
                if progress is not None:
                    progress.report(n, len(valid))
            volume = volumes[c.volume_id]
            issued = _at(c.loaned_on)
            due = c.due_on or rules.due_date(
                c.loaned_on,
                c.kind,
                loan_days=settings.loan_days,
                max_days=settings.max_days,
                working_days=settings.working_days,
                holidays=settings.holidays,
            )
            returned = c.state is LoanState.RETURNED
            app = UseApplication(
                number=next_number(uow, "SQ", c.loaned_on.year),
                kind=c.kind.value,
                state=(ApplicationState.CLOSED if returned else ApplicationState.APPROVED).value,
                applicant_user_id=None,
                applicant_name=c.borrower,
                outsider=False,
                unit="",
                department=c.department,
                purpose=c.purpose or IMPORT_NOTE,
                reason=IMPORT_NOTE,
                requested_from=c.loaned_on,
                requested_until=due,
                secrecy_level=volume.secrecy_level,
                steps="[]",
                created_at=issued,
                created_by=ctx.reader.user_id,
                decided_at=issued,
                rejection_reason="",
                version=1,
            )
            uow.session.add(app)
            uow.session.flush()
            uow.session.add(UseApplicationVolume(application_id=app.id, volume_id=volume.id))
            loan = Loan(
                number=next_number(uow, "JY", c.loaned_on.year),
                application_id=app.id,
                volume_id=volume.id,
                kind=c.kind.value,
                state=c.state.value,
                issued_at=issued,
                issued_by=None,
                due_on=due,
                renewals=0,
                expected_pages=volume.page_count,
                expected_items=volume.item_count,
                returned_at=_at(c.returned_on) if c.returned_on else None,
                returned_by=None,
                effect="",
                remarks=c.remarks,
                reminders=0,
                version=1,
            )
            uow.session.add(loan)
            uow.session.flush()
            use = UseLog(
                occurred_at=issued,
                kind=c.kind.value,
                application_id=app.id,
                loan_id=loan.id,
                volume_id=volume.id,
                operator_id=ctx.reader.user_id,
                applicant_user_id=None,
                applicant_name=c.borrower,
                department=c.department,
                purpose=c.purpose or IMPORT_NOTE,
                pages_copied=0,
            )
            uow.session.add(use)
            uow.session.flush()
            if not returned:
                set_volume_out(uow, volume, IMPORT_NOTE, ctx.now)
                opened += 1
            apps.append(app.id)
            loans.append(loan.id)
            uses.append(use.id)
        spans: dict[str, list[int]] = {}
        for table, ids in (("use_application", apps), ("loan", loans), ("use_log", uses)):
            if ids:
                spans[table] = span(ids[0], len(ids))
        details = {"loans": len(valid), "open": opened, "returned": len(valid) - opened}
        return Written(spans, 0, details)

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Remove the imported loans unless any was renewed, returned or reported since."""
        lspan = spans.get("loan")
        if not lspan:
            return True
        in_span: Any = Loan.id.between(lspan[0], lspan[1])
        session = uow.session
        loans = list(session.scalars(select(Loan).where(in_span)))
        if len(loans) != lspan[2] or any(loan.version != 1 for loan in loans):
            return False
        ids = [loan.id for loan in loans]
        if session.scalar(
            select(func.count()).select_from(DamageReport).where(DamageReport.loan_id.in_(ids))
        ):
            return False
        uspan = spans.get("use_log")
        later: Any = UseLog.loan_id.in_(ids)
        if uspan:
            later = later & ~UseLog.id.between(uspan[0], uspan[1])
        if session.scalar(select(func.count()).select_from(UseLog).where(later)):
            return False
        out = [loan.volume_id for loan in loans if loan.state == LoanState.OUT.value]
        for volume in session.scalars(select(Volume).where(Volume.id.in_(out))):
            volume.state = VolumeState.ON_SHELF.value
        session.execute(
            delete(LocationMove).where(
                LocationMove.object_type == "volume",
                LocationMove.object_id.in_(out),
                LocationMove.note == IMPORT_NOTE,
            )
        )
        apps = [loan.application_id for loan in loans]
        if uspan:
            session.execute(delete(UseLog).where(UseLog.id.between(uspan[0], uspan[1])))
        session.execute(delete(Loan).where(in_span))
        session.execute(
            delete(UseApplicationVolume).where(UseApplicationVolume.application_id.in_(apps))
        )
        session.execute(delete(UseApplication).where(UseApplication.id.in_(apps)))
        return True
