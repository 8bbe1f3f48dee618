"""Leaving and transfer hand-over (离职/调岗交接, R26): everything a person holds, to a successor.

The archivist runs it at the desk with the leaver, the successor and a supervisor (监交人).
Each chosen kind of holding goes to the named successor, who confirms with their password at
the same desk; secure places go through the custody hand-over of 库位 (its own item-by-item
list and entry). The record keeps the list item by item for the printed 交接清单 (three
signatures). When nothing is left the person becomes 离职 or 调岗; only then can an account be
disabled (``users.disable_user`` refuses while anything is open).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.clock import Clock, as_utc
from app.domain.roles import Role
from app.domain.staff import (
    HOLDING_LABELS,
    STATE_LABELS,
    HoldingKind,
    StaffHandoverLine,
    StaffState,
)
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, clean_text, fetch, local_today, next_yearly_number
from app.services.locations import transfer_custody
from app.services.staff.filing import confirm_at_desk
from app.services.staff.holdings import Holding, holdings_of
from app.services.staff.people import set_person_state
from app.storage.models import (
    Customer,
    Department,
    InspectionSession,
    Loan,
    RepairTask,
    StaffDepartment,
    StaffHandover,
    StaffPerson,
    UseApplication,
    UserAccount,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class StaffHandoverSheet:
    """A recorded leaving or transfer hand-over."""

    id: int
    number: str
    person_name: str
    department: str
    post: str
    kind_label: str  # 离职 / 调岗
    supervisor: str
    occurred_at: datetime
    recorded_by: str
    note: str
    lines: tuple[StaffHandoverLine, ...]
    remaining: int  # holdings left with the person after this hand-over


def _successor_checks(
    uow: UnitOfWork, successor: UserAccount, kinds: set[HoldingKind], holdings: list[Holding]
) -> list[FieldError]:
    roles = {r.role for r in successor.roles}
    errors: list[FieldError] = []
    if HoldingKind.CUSTODY in kinds and Role.ARCHIVIST.value not in roles:
        errors.append(FieldError("successor", "not_archivist"))
    if kinds & {HoldingKind.CUSTOMER, HoldingKind.REPAIR, HoldingKind.INSPECTION} and not roles & {
        Role.ARCHIVIST.value,
        Role.APPROVER.value,
    }:
        errors.append(FieldError("successor", "not_staff"))
    held = {h.kind for h in holdings} & kinds
    if HoldingKind.APPROVAL in held and (
        Role.APPROVER.value not in roles or not successor.approver_title
    ):
        errors.append(FieldError("successor", "no_title"))
    heir = uow.session.scalar(select(StaffPerson.id).where(StaffPerson.user_id == successor.id))
    if HoldingKind.FILING_CLERK in held and heir is None:
        errors.append(FieldError("successor", "no_person"))
    return errors


def _move(
    uow: UnitOfWork,
    holdings: list[Holding],
    leaver_id: int | None,
    successor: UserAccount,
    supervisor: str,
    now: datetime,
    recorded_by: int,
) -> None:
    """Give every holding in ``holdings`` to ``successor`` (custody through 库位's hand-over)."""
    by_kind: dict[HoldingKind, list[int]] = {}
    for h in holdings:
        by_kind.setdefault(h.kind, []).append(h.ref_id)
    if HoldingKind.CUSTODY in by_kind:
        transfer_custody(
            uow,
            location_ids=by_kind[HoldingKind.CUSTODY],
            to_user_id=successor.id,
            witness=supervisor,
            note="离职/调岗交接",
            recorded_by=recorded_by,
            now=now,
        )
    app_ids = list(by_kind.get(HoldingKind.APPLICATION, []))
    if HoldingKind.LOAN in by_kind:
        app_ids += list(
            uow.session.scalars(
                select(Loan.application_id).where(Loan.id.in_(by_kind[HoldingKind.LOAN]))
            )
        )
    if app_ids:
        dep = uow.session.get(StaffDepartment, successor.id)
        values: dict[str, object] = {
            "applicant_user_id": successor.id,
            "applicant_name": successor.display_name,
        }
        if dep is not None:
            values["department"] = dep.department
        uow.session.execute(
            update(UseApplication)
            .where(
                UseApplication.id.in_(set(app_ids)), UseApplication.applicant_user_id == leaver_id
            )
            .values(**values)
        )
    if HoldingKind.CUSTOMER in by_kind:
        uow.session.execute(
            update(Customer)
            .where(Customer.id.in_(by_kind[HoldingKind.CUSTOMER]))
            .values(responsible_user_id=successor.id, version=Customer.version + 1)
        )
    if HoldingKind.REPAIR in by_kind:
        uow.session.execute(
            update(RepairTask)
            .where(RepairTask.id.in_(by_kind[HoldingKind.REPAIR]))
            .values(
                responsible_user_id=successor.id,
                responsible_name=successor.display_name,
                version=RepairTask.version + 1,
            )
        )
    for sid in by_kind.get(HoldingKind.INSPECTION, []):
        session_row = uow.session.get(InspectionSession, sid)
        assert session_row is not None
        people = json.loads(session_row.inspectors)
        names = {p.get("user_id") for p in people}
        moved = (
            []
            if successor.id in names
            else [{"user_id": successor.id, "name": successor.display_name}]
        )
        session_row.inspectors = json.dumps(
            [p for p in people if p.get("user_id") != leaver_id] + moved, ensure_ascii=False
        )
        session_row.version += 1
    if HoldingKind.FILING_CLERK in by_kind:
        heir = uow.session.scalar(select(StaffPerson.id).where(StaffPerson.user_id == successor.id))
        for dep_id in by_kind[HoldingKind.FILING_CLERK]:
            department = uow.session.get(Department, dep_id)
            assert department is not None
            department.filing_clerk_id = heir
            department.version += 1
    # APPROVAL: nothing moves; the successor holds the post (checked) and signs from now on


def hand_over_holdings(
    *,
    session: SignedIn,
    person_id: int,
    leaving: StaffState,
    successor_user_id: int,
    successor_username: str,
    successor_password: str,
    supervisor: str,
    clock: Clock,
    kinds: Collection[HoldingKind] | None = None,
    note: str = "",
) -> StaffHandoverSheet:
    """Hand what ``person_id`` holds (``kinds``, default all) to the successor (R26).

    The successor confirms with their password here. When nothing is left, the person becomes
    ``leaving`` (离职 or 调岗). Raises ValidationFailed for a successor who cannot take a kind
    (not an archivist for safes, no approver post for approvals, no staff record for filing).
    """
    errors: list[FieldError] = []
    supervisor = clean_text(errors, "supervisor", supervisor, 64, required=True)
    note = clean_text(errors, "note", note, 500, required=False)
    try:
        leaving = StaffState(leaving)
    except ValueError:
        errors.append(FieldError("leaving", "required"))
    if leaving not in (StaffState.LEFT, StaffState.TRANSFERRED):
        errors.append(FieldError("leaving", "required"))
    if errors:
        raise ValidationFailed(errors)
    wanted = set(kinds) if kinds is not None else set(HoldingKind)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.handover")
        person = fetch(uow, StaffPerson, person_id, "person")
        if person.state == StaffState.LEFT.value:
            raise ValidationFailed([FieldError("person", "left")])
        successor = uow.session.get(UserAccount, successor_user_id)
        if successor is None or successor.disabled:
            raise ValidationFailed([FieldError("successor", "not_found")])
        if successor.id == person.user_id:
            raise ValidationFailed([FieldError("successor", "same_person")])
        holdings = [h for h in holdings_of(uow, person.user_id, person.id) if h.kind in wanted]
        errors = _successor_checks(uow, successor, wanted, holdings)
        if errors:
            raise ValidationFailed(errors)
    confirm_at_desk(
        session.store,
        session.actor,
        user_id=successor_user_id,
        username=successor_username,
        password=successor_password,
        clock=clock,
        who="接办人",
    )
    with session.uow(clock) as uow:
        uow.claim_writes()
        operator = authorize(uow, session.actor, "staff.handover")
        person = fetch(uow, StaffPerson, person_id, "person")
        successor = uow.session.get(UserAccount, successor_user_id)
        assert successor is not None
        holdings = [h for h in holdings_of(uow, person.user_id, person.id) if h.kind in wanted]
        now = clock.now()
        _move(uow, holdings, person.user_id, successor, supervisor, now, operator.id)
        left = holdings_of(uow, person.user_id, person.id)
        lines = [
            {
                "kind": h.kind.value,
                "kind_label": h.kind_label,
                "what": h.what,
                "detail": h.detail,
                "successor": successor.display_name,
            }
            for h in holdings
        ]
        record = StaffHandover(
            number=next_yearly_number(uow, "JJ", local_today(clock).year, digits=4),
            person_id=person.id,
            kind=leaving.value,
            supervisor=supervisor,
            occurred_at=now,
            recorded_by=operator.id,
            confirmed_by=successor.username,
            listing=json.dumps({"lines": lines, "remaining": len(left)}, ensure_ascii=False),
            note=note,
        )
        uow.session.add(record)
        if not left:
            set_person_state(uow, person, leaving, local_today(clock))
        uow.session.flush()
        counts = dict(Counter(h.kind.value for h in holdings))
        uow.audit.record(
            "staff.handover",
            object_type="staff_person",
            object_id=person.id,
            details={
                "number": record.number,
                "to": successor.id,
                "kinds": counts,
                "remaining": len(left),
                "state": person.state,
            },
        )
        uow.commit()
        return _sheet(uow, record)


def _sheet(uow: UnitOfWork, record: StaffHandover) -> StaffHandoverSheet:
    person = uow.session.get(StaffPerson, record.person_id)
    assert person is not None
    dep = uow.session.get(Department, person.department_id) if person.department_id else None
    who = uow.session.get(UserAccount, record.recorded_by) if record.recorded_by else None
    listing = json.loads(record.listing)
    lines = tuple(
        StaffHandoverLine(n, line["kind_label"], line["what"], line["detail"], line["successor"])
        for n, line in enumerate(listing["lines"], start=1)
    )
    return StaffHandoverSheet(
        record.id,
        record.number,
        person.name,
        dep.name if dep else "",
        person.post,
        STATE_LABELS[StaffState(record.kind)],
        record.supervisor,
        as_utc(record.occurred_at),
        who.display_name if who else "",
        record.note,
        lines,
        int(listing.get("remaining", 0)),
    )


def get_staff_handover(*, session: SignedIn, handover_id: int, clock: Clock) -> StaffHandoverSheet:
    """A recorded hand-over (to print its 交接清单 again)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        record = fetch(uow, StaffHandover, handover_id, "handover")
        return _sheet(uow, record)


def list_staff_handovers(
    *, session: SignedIn, clock: Clock, person_id: int | None = None
) -> list[StaffHandoverSheet]:
    """Recorded hand-overs, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        query = select(StaffHandover).order_by(StaffHandover.id.desc())
        if person_id is not None:
            query = query.where(StaffHandover.person_id == person_id)
        return [_sheet(uow, r) for r in uow.session.scalars(query)]


def kind_label(kind: HoldingKind) -> str:
    """The label of a kind of holding."""
    return HOLDING_LABELS[kind]
