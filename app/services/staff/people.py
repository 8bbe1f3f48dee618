"""Departments, staff records and the staff policy (R27, R28).

A person may or may not have an account. Contact details are encrypted and listed masked;
a linked account's 部门 (``staff_department``, used by loans) follows the person's department.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain.identity import check_phone
from app.domain.staff import STATE_LABELS, StaffPolicy, StaffState
from app.errors import FieldError, ValidationFailed
from app.security.masking import mask_phone
from app.services.auth import SignedIn
from app.services.common import (
    add_recorded,
    authorize,
    checked_text,
    clean_text,
    fetch,
    local_today,
)
from app.services.compliance import POLICY_SETTING, load_policy
from app.storage.models import (
    Department,
    StaffDepartment,
    StaffPerson,
    UserAccount,
)
from app.storage.store import UnitOfWork

TABLE = "staff_person"


class NotFound(ValidationFailed):
    """The person or department asked for does not exist."""

    def __init__(self, field: str) -> None:
        super().__init__([FieldError(field, "not_found")])


@dataclass(frozen=True)
class DepartmentRow:
    """A department with its filing clerk."""

    id: int
    name: str
    filing_clerk_id: int | None
    filing_clerk_name: str
    people: int


@dataclass(frozen=True)
class PersonDraft:
    """What the staff form collects."""

    name: str
    department_id: int | None = None
    post: str = ""
    contact: str = ""  # a phone number; "" keeps it unknown
    user_id: int | None = None
    joined_on: date | None = None


# --- departments ------------------------------------------------------------------------------
def list_departments(*, session: SignedIn, clock: Clock) -> list[DepartmentRow]:
    """Every department by name, with its clerk and head count."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        names = dict(uow.session.execute(select(StaffPerson.id, StaffPerson.name)).all())
        present = select(StaffPerson.department_id).where(
            StaffPerson.state != StaffState.LEFT.value
        )
        counts = Counter(dep for dep in uow.session.scalars(present) if dep is not None)
        return [
            DepartmentRow(
                d.id,
                d.name,
                d.filing_clerk_id,
                names.get(d.filing_clerk_id or -1, ""),
                counts.get(d.id, 0),
            )
            for d in uow.session.scalars(select(Department).order_by(Department.name))
        ]


def add_department(*, session: SignedIn, name: str, clock: Clock) -> int:
    """A new department (names are unique)."""
    name = checked_text("department", name, 64, required=True)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        if uow.session.scalar(select(Department.id).where(Department.name == name)):
            raise ValidationFailed([FieldError("department", "taken")])
        row = Department(name=name, created_at=clock.now())
        add_recorded(
            uow,
            row,
            "staff.department_add",
            object_type="department",
            details={"name": name},
        )
        uow.commit()
        return row.id


def set_filing_clerk(
    *, session: SignedIn, department_id: int, person_id: int | None, clock: Clock
) -> None:
    """Name the department's filing clerk (归档专人, R27); None removes the duty."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        dep = fetch(uow, Department, department_id, "department")
        if person_id is not None:
            person = fetch(uow, StaffPerson, person_id, "filing_clerk")
            if person.state == StaffState.LEFT.value:
                raise ValidationFailed([FieldError("filing_clerk", "left")])
        before = dep.filing_clerk_id
        dep.filing_clerk_id = person_id
        dep.version += 1
        uow.audit.record(
            "staff.filing_clerk",
            object_type="department",
            object_id=dep.id,
            details={"before": before, "after": person_id},
        )
        uow.commit()


# --- people -----------------------------------------------------------------------------------
def _check_draft(uow: UnitOfWork, draft: PersonDraft, person_id: int | None) -> tuple[str, str]:
    errors: list[FieldError] = []
    name = clean_text(errors, "name", draft.name, 64, required=True)
    clean_text(errors, "post", draft.post, 64, required=False)
    contact = ""
    if draft.contact.strip():
        checked = check_phone(draft.contact, field="contact")
        if checked.error is not None:
            errors.append(checked.error)
        else:
            contact = str(getattr(checked.value, "stored", checked.value))
    if draft.department_id is not None and uow.session.get(Department, draft.department_id) is None:
        errors.append(FieldError("department", "not_found"))
    if draft.user_id is not None:
        if uow.session.get(UserAccount, draft.user_id) is None:
            errors.append(FieldError("username", "not_found"))
        else:
            other = uow.session.scalar(
                select(StaffPerson.id).where(StaffPerson.user_id == draft.user_id)
            )
            if other is not None and other != person_id:
                errors.append(FieldError("username", "taken"))
    if errors:
        raise ValidationFailed(errors)
    return name, contact


def _sync_account_department(uow: UnitOfWork, person: StaffPerson) -> None:
    """The linked account's 部门 (loans escalate to its head) follows the person's department."""
    if person.user_id is None:
        return
    dep = uow.session.get(Department, person.department_id) if person.department_id else None
    row = uow.session.get(StaffDepartment, person.user_id)
    if dep is None:
        return  # a department set on the account alone (users page) stays
    if row is None:
        uow.session.add(StaffDepartment(user_id=person.user_id, department=dep.name))
    else:
        row.department = dep.name


def encrypt_contact(uow: UnitOfWork, person_id: int, contact: str) -> bytes | None:
    """The contact encrypted for its row (None when unknown)."""
    if not contact:
        return None
    return uow.store.cipher.encrypt(contact, table=TABLE, column="contact", row_key=str(person_id))


def masked_contact(uow: UnitOfWork, person: StaffPerson) -> str:
    """The contact as lists show it (138****5678), "" when unknown."""
    if person.contact_enc is None:
        return ""
    plain = uow.store.cipher.decrypt(
        person.contact_enc, table=TABLE, column="contact", row_key=str(person.id)
    )
    return mask_phone(plain.split(";")[0])


def register_person(*, session: SignedIn, draft: PersonDraft, clock: Clock) -> int:
    """Record a member of staff (在职), optionally linked to an account; returns the id."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        name, contact = _check_draft(uow, draft, None)
        person = StaffPerson(
            name=name,
            department_id=draft.department_id,
            post=draft.post.strip(),
            state=StaffState.ACTIVE.value,
            user_id=draft.user_id,
            joined_on=draft.joined_on or local_today(clock),
            created_at=clock.now(),
        )
        uow.session.add(person)
        uow.session.flush()
        person.contact_enc = encrypt_contact(uow, person.id, contact)
        _sync_account_department(uow, person)
        uow.audit.record(
            "staff.person_add",
            object_type="staff_person",
            object_id=person.id,
            details={"department": draft.department_id, "user": draft.user_id},
        )
        uow.commit()
        return person.id


def update_person(
    *, session: SignedIn, person_id: int, draft: PersonDraft, expected_version: int, clock: Clock
) -> None:
    """Change a person's name, department, post, contact or account (not the state)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        person = fetch(uow, StaffPerson, person_id, "person")
        if person.version != expected_version:
            raise ValidationFailed([FieldError("person", "changed")])
        name, contact = _check_draft(uow, draft, person_id)
        changed = [
            f
            for f, old, new in (
                ("name", person.name, name),
                ("department", person.department_id, draft.department_id),
                ("post", person.post, draft.post.strip()),
                ("user", person.user_id, draft.user_id),
            )
            if old != new
        ]
        person.name, person.department_id = name, draft.department_id
        person.post, person.user_id = draft.post.strip(), draft.user_id
        if draft.contact.strip():
            person.contact_enc = encrypt_contact(uow, person.id, contact)
            changed.append("contact")
        if draft.joined_on is not None:
            person.joined_on = draft.joined_on
        person.version += 1
        _sync_account_department(uow, person)
        uow.audit.record(
            "staff.person_update",
            object_type="staff_person",
            object_id=person.id,
            details={"fields": changed},
        )
        uow.commit()


def set_person_state(uow: UnitOfWork, person: StaffPerson, state: StaffState, today: date) -> None:
    """Move a person to 在职/调岗/离职 (used by the hand-over; the caller audits)."""
    person.state = state.value
    person.left_on = today if state == StaffState.LEFT else None
    person.version += 1


def state_label(state: str) -> str:
    """在职 / 调岗 / 离职."""
    try:
        return STATE_LABELS[StaffState(state)]
    except ValueError:
        return state


# --- policy -----------------------------------------------------------------------------------
def get_staff_policy(*, session: SignedIn, clock: Clock) -> StaffPolicy:
    """The training interval, grace, filing day and review interval in force."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        return load_policy(uow.session)


def set_staff_policy(*, session: SignedIn, policy: StaffPolicy, clock: Clock) -> None:
    """Change the staff policy (checked ranges; audited with before and after)."""
    errors: list[FieldError] = []
    ranges = {
        "training_interval_months": (1, 60),
        "training_grace_days": (0, 180),
        "warn_days": (0, 180),
        "filing_day": (1, 28),
        "review_months": (1, 24),
        "upgrade_grace_days": (0, 365),
    }
    for name, (low, high) in ranges.items():
        value = getattr(policy, name)
        if not low <= value <= high:
            errors.append(FieldError(name, "range", {"min": low, "max": high}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.manage")
        before = load_policy(uow.session)
        uow.settings.put(POLICY_SETTING, dict(policy.__dict__))
        uow.audit.record(
            "staff.policy",
            object_type="setting",
            details={"before": dict(before.__dict__), "after": dict(policy.__dict__)},
        )
        uow.commit()
