"""Whether an account may handle customer data now (R28): the gate inside ``authorize``.

Kept apart from the staff package so that ``services.common`` can ask it without importing
the staff services (no cycle). An account whose person has no valid confidentiality agreement,
or whose training is overdue beyond the grace period, may still sign in and read masked lists,
but may not reveal, export, print or lend customer data (:data:`RELEASE_ACTIONS` and the calls
that pass ``releases=True`` to ``authorize``).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.domain.staff import AgreementTerm, Gap, StaffPolicy, StaffState, compliance_gaps
from app.storage.models import (
    Setting,
    StaffAgreement,
    StaffPerson,
    StaffTraining,
    StaffTrainingAttendee,
)

POLICY_SETTING = "staff_policy"
# Written by migration 0022 on an installation that already had accounts when R28 arrived:
# {"installed_on": "YYYY-MM-DD", "last_account": <highest user id then>}.
UPGRADE_SETTING = "staff_gate_upgrade"

# Actions that by themselves release customer data: full values, files, printouts (R5, R40).
# Exports and loan issue release data under broader actions and pass ``releases=True``.
RELEASE_ACTIONS: frozenset[str] = frozenset({"customer.reveal", "file.open", "print.forms"})


def load_policy(session: Any) -> StaffPolicy:
    """The stored staff policy (defaults for anything missing or malformed)."""
    row = session.get(Setting, POLICY_SETTING)
    if row is None:
        return StaffPolicy()
    try:
        raw = json.loads(row.value)
    except json.JSONDecodeError:
        return StaffPolicy()
    base = StaffPolicy()
    values = {
        k: int(v)
        for k, v in raw.items()
        if k in base.__dataclass_fields__ and isinstance(v, int) and not isinstance(v, bool)
    }
    return StaffPolicy(**values)


def upgrade_transition(session: Any) -> tuple[date, int] | None:
    """``(installed_on, last_account)`` of the upgrade that brought R28, or None (new install)."""
    row = session.get(Setting, UPGRADE_SETTING)
    if row is None:
        return None
    try:
        raw = json.loads(row.value)
        return date.fromisoformat(str(raw["installed_on"])), int(raw["last_account"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def transition_until(session: Any, user_id: int | None, policy: StaffPolicy) -> date | None:
    """The last day account ``user_id`` may still release data without its papers, or None.

    Only accounts that existed at the upgrade have a transition; accounts made afterwards (and
    every account of a new installation) meet R28 from their first day.
    """
    upgrade = upgrade_transition(session)
    if upgrade is None or user_id is None or user_id > upgrade[1]:
        return None
    return upgrade[0] + timedelta(days=policy.upgrade_grace_days)


def person_gaps(
    session: Any,
    person: StaffPerson | None,
    today: date,
    policy: StaffPolicy,
    *,
    user_id: int | None = None,
) -> list[Gap]:
    """What ``person`` (of account ``user_id``) lacks (blocking) or soon will (warnings)."""
    if user_id is None and person is not None:
        user_id = person.user_id
    until = transition_until(session, user_id, policy)
    if person is None:
        return compliance_gaps(
            has_person=False,
            state=None,
            agreements=[],
            last_training=None,
            since=today,
            today=today,
            policy=policy,
            transition_until=until,
        )
    terms = [
        AgreementTerm(signed_on, until)
        for signed_on, until in session.execute(
            select(StaffAgreement.signed_on, StaffAgreement.valid_until).where(
                StaffAgreement.person_id == person.id
            )
        )
    ]
    last = session.scalar(
        select(func.max(StaffTraining.held_on))
        .join(StaffTrainingAttendee, StaffTrainingAttendee.training_id == StaffTraining.id)
        .where(StaffTrainingAttendee.person_id == person.id, StaffTraining.held_on <= today)
    )
    return compliance_gaps(
        has_person=True,
        state=StaffState(person.state),
        agreements=terms,
        last_training=last,
        since=person.joined_on,
        today=today,
        policy=policy,
        transition_until=until,
    )


def account_gaps(session: Any, user_id: int, today: date) -> list[Gap]:
    """The gaps of the person linked to account ``user_id`` (no person: one blocking gap)."""
    person = session.scalar(select(StaffPerson).where(StaffPerson.user_id == user_id))
    return person_gaps(session, person, today, load_policy(session), user_id=user_id)


def blocking_text(gaps: list[Gap]) -> str:
    """The blocking gaps in one line (for the refusal message)."""
    return "；".join(g.text for g in gaps if g.blocking)
