"""The staff list with each person's agreement and training state, and what needs attention.

The administrator's home card lists every data account whose person lacks an agreement or
training (R28), and every archivist or approver account not linked to any person yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain.roles import Role
from app.domain.staff import Gap, StaffState
from app.services.auth import SignedIn
from app.services.common import authorize, local_today
from app.services.compliance import load_policy, person_gaps
from app.services.staff.people import masked_contact, state_label
from app.storage.models import Department, StaffPerson, UserAccount

DATA_ROLES = frozenset({Role.ARCHIVIST.value, Role.APPROVER.value})


@dataclass(frozen=True)
class PersonRow:
    """A member of staff as the staff page lists them."""

    id: int
    name: str
    department_id: int | None
    department: str
    post: str
    contact: str  # masked
    state: str
    state_label: str
    user_id: int | None
    username: str
    joined_on: date
    version: int
    gaps: tuple[Gap, ...]

    @property
    def blocked(self) -> bool:
        """Customer data is withheld from this person now."""
        return any(g.blocking for g in self.gaps)

    @property
    def status_text(self) -> str:
        """正常, or what is missing (blocking first)."""
        if not self.gaps:
            return "正常"
        ordered = sorted(self.gaps, key=lambda g: not g.blocking)
        return "；".join(g.text for g in ordered)


@dataclass(frozen=True)
class ComplianceNote:
    """A line of the administrator's card: whose, what, and whether data is withheld."""

    name: str
    username: str
    text: str
    blocking: bool


def list_people(*, session: SignedIn, clock: Clock, include_left: bool = True) -> list[PersonRow]:
    """Every person with department, masked contact, state and compliance, by name."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        policy = load_policy(uow.session)
        deps = dict(uow.session.execute(select(Department.id, Department.name)).all())
        users = dict(uow.session.execute(select(UserAccount.id, UserAccount.username)).all())
        query = select(StaffPerson).order_by(StaffPerson.name, StaffPerson.id)
        if not include_left:
            query = query.where(StaffPerson.state != StaffState.LEFT.value)
        out = []
        for p in uow.session.scalars(query):
            gaps = (
                ()
                if p.state == StaffState.LEFT.value
                else tuple(person_gaps(uow.session, p, today, policy))
            )
            out.append(
                PersonRow(
                    p.id,
                    p.name,
                    p.department_id,
                    deps.get(p.department_id or -1, ""),
                    p.post,
                    masked_contact(uow, p),
                    p.state,
                    state_label(p.state),
                    p.user_id,
                    users.get(p.user_id or -1, ""),
                    p.joined_on,
                    p.version,
                    gaps,
                )
            )
        return out


def get_person(*, session: SignedIn, person_id: int, clock: Clock) -> PersonRow:
    """One person as listed."""
    for row in list_people(session=session, clock=clock):
        if row.id == person_id:
            return row
    from app.services.staff.people import NotFound

    raise NotFound("person")


def list_compliance_notes(*, session: SignedIn, clock: Clock) -> list[ComplianceNote]:
    """Data accounts lacking an agreement or training, now or soon (the administrator's card)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        policy = load_policy(uow.session)
        people = {
            p.user_id: p
            for p in uow.session.scalars(
                select(StaffPerson).where(StaffPerson.user_id.is_not(None))
            )
        }
        notes = []
        for user in uow.session.scalars(
            select(UserAccount)
            .where(UserAccount.disabled.is_(False))
            .order_by(UserAccount.username)
        ):
            if not {r.role for r in user.roles} & DATA_ROLES:
                continue
            for gap in person_gaps(
                uow.session, people.get(user.id), today, policy, user_id=user.id
            ):
                notes.append(
                    ComplianceNote(user.display_name, user.username, gap.text, gap.blocking)
                )
        notes.sort(key=lambda n: (not n.blocking, n.username))
        return notes
