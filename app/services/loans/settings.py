"""Loan settings: periods, the holiday calendar and the approval routing table (R31, R32)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.clock import Clock
from app.domain import loans as rules
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.store import UnitOfWork

LOAN_DAYS = "loan_days"
LOAN_MAX_DAYS = "loan_max_days"
LOAN_WORKING_DAYS = "loan_working_days"
LOAN_HOLIDAYS = "loan_holidays"
LOAN_ESCALATION_DAYS = "loan_escalation_days"
LOAN_ROUTING = "loan_routing"
SETTING_KEYS = (
    LOAN_DAYS,
    LOAN_MAX_DAYS,
    LOAN_WORKING_DAYS,
    LOAN_HOLIDAYS,
    LOAN_ESCALATION_DAYS,
    LOAN_ROUTING,
)


@dataclass(frozen=True)
class LoanSettings:
    """How long loans run, how they are counted, who approves what."""

    loan_days: int = rules.DEFAULT_LOAN_DAYS
    max_days: int = rules.DEFAULT_MAX_DAYS
    working_days: bool = False
    holidays: tuple[date, ...] = ()
    escalation_days: int = rules.DEFAULT_ESCALATION_DAYS
    routing: rules.Routing = field(default_factory=lambda: dict(rules.DEFAULT_ROUTING))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def loan_settings(uow: UnitOfWork) -> LoanSettings:
    """The loan settings in force (defaults for anything not stored)."""
    raw = uow.settings.raw()
    holidays: list[date] = []
    for text in raw.get(LOAN_HOLIDAYS) or []:
        try:
            holidays.append(date.fromisoformat(str(text)))
        except ValueError:
            continue
    max_days = _int(raw.get(LOAN_MAX_DAYS), rules.DEFAULT_MAX_DAYS)
    routing, _errors = rules.parse_routing(raw.get(LOAN_ROUTING))
    return LoanSettings(
        loan_days=min(_int(raw.get(LOAN_DAYS), rules.DEFAULT_LOAN_DAYS), max_days),
        max_days=max_days,
        working_days=bool(raw.get(LOAN_WORKING_DAYS, False)),
        holidays=tuple(sorted(holidays)),
        escalation_days=_int(raw.get(LOAN_ESCALATION_DAYS), rules.DEFAULT_ESCALATION_DAYS),
        routing=routing,
    )


def get_loan_settings(*, session: SignedIn, clock: Clock) -> LoanSettings:
    """The loan settings (for the loan desk and the settings page)."""
    with session.uow(clock) as uow:
        return loan_settings(uow)


def update_loan_settings(
    *, session: SignedIn, changes: dict[str, Any], clock: Clock
) -> LoanSettings:
    """Change loan periods, the holiday calendar or the routing table (administrator; audited).

    The period never exceeds the policy maximum; 机密/绝密 routes keep a 客服部经理 step (R31).
    """
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in SETTING_KEYS:
            errors.append(FieldError(key, "unknown"))
        elif key in (LOAN_DAYS, LOAN_MAX_DAYS, LOAN_ESCALATION_DAYS):
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(FieldError(key, "range", {"min": 1, "max": rules.MAX_POLICY_DAYS}))
            elif not 1 <= value <= (60 if key == LOAN_ESCALATION_DAYS else rules.MAX_POLICY_DAYS):
                top = 60 if key == LOAN_ESCALATION_DAYS else rules.MAX_POLICY_DAYS
                errors.append(FieldError(key, "range", {"min": 1, "max": top}))
            else:
                clean[key] = value
        elif key == LOAN_WORKING_DAYS:
            clean[key] = bool(value)
        elif key == LOAN_HOLIDAYS:
            days: list[str] = []
            for text in value or []:
                try:
                    days.append(date.fromisoformat(str(text).strip()).isoformat())
                except ValueError:
                    errors.append(FieldError(key, "holiday_format"))
                    break
            clean[key] = sorted(set(days))
        else:
            routing, problems = rules.parse_routing(value)
            errors += problems
            clean[key] = rules.routing_to_json(routing)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.settings")
        current = loan_settings(uow)
        max_days = clean.get(LOAN_MAX_DAYS, current.max_days)
        loan_days = clean.get(LOAN_DAYS, current.loan_days)
        if loan_days > max_days:
            errors.append(FieldError(LOAN_DAYS, "loan_days_max", {"max": max_days}))
        if errors:
            raise ValidationFailed(errors)
        before = {k: uow.settings.raw().get(k) for k in clean}
        uow.settings.put_many(clean)
        uow.audit.record(
            "settings.loans",
            object_type="settings",
            object_id="loans",
            details={k: {"before": before[k], "after": clean[k]} for k in clean},
        )
        uow.commit()
    return get_loan_settings(session=session, clock=clock)
