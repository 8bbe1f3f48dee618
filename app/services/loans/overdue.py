"""Loans out and overdue (R33): lists read from the current state, with escalation after N days."""

from __future__ import annotations

from app.clock import Clock
from app.domain.loans import LoanState
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, count_where
from app.services.loans.rows import LoanRow, loan_rows
from app.services.loans.settings import loan_settings
from app.services.loans.shared import loan_entries, local_today
from app.storage.models import Loan


def list_open_loans(*, session: SignedIn, clock: Clock, limit: int = 1000) -> list[LoanRow]:
    """Entries still out, by due date."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        rows = uow.session.execute(
            loan_entries()
            .where(Loan.state == LoanState.OUT.value)
            .order_by(Loan.due_on, Loan.id)
            .limit(limit)
        ).all()
        return loan_rows(uow, reader, rows, today, loan_settings(uow).escalation_days)


def list_overdue(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[LoanRow]:
    """Entries out past their due date, most overdue first (R33: overdue is listed).

    Read from the current state through the ``(state, due_on)`` index: a returned loan is
    never listed, however late it came back.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.read"))
        rows = uow.session.execute(
            loan_entries()
            .where(Loan.state == LoanState.OUT.value, Loan.due_on < today)
            .order_by(Loan.due_on, Loan.id)
            .limit(limit)
        ).all()
        return loan_rows(uow, reader, rows, today, loan_settings(uow).escalation_days)


def overdue_count(*, session: SignedIn, clock: Clock) -> int:
    """How many entries are overdue now (the home screen's card)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        return count_where(uow, Loan.state == LoanState.OUT.value, Loan.due_on < today)
