"""The incident register (R45): suspected leaks and losses, measures, report, follow-up.

An incident names the customers (客户编号) and volumes (档号) it affects; those records show
it (:func:`list_incidents_for`), and their audit history includes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.clock import Clock, as_utc
from app.domain.incidents import IncidentFacts, IncidentRow
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, clean_text, fetch, record_numbered
from app.services.keys import request_rotation
from app.storage.models import Customer, Incident, IncidentLink, UserAccount, Volume
from app.storage.store import UnitOfWork

KINDS = {"leak": "泄密", "loss": "丢失", "other": "其他"}
STATUSES = {"open": "处理中", "closed": "已结案"}


@dataclass(frozen=True, kw_only=True)
class IncidentDraft(IncidentFacts):
    """An incident as typed (``affected``: 客户编号 and 档号, one per entry)."""

    kind: str
    affected: tuple[str, ...] = ()
    follow_up: str = ""
    status: str = "open"


def _validate(draft: IncidentDraft, now: datetime) -> tuple[dict[str, object], list[FieldError]]:
    errors: list[FieldError] = []
    clean: dict[str, object] = {
        "title": clean_text(errors, "incident_title", draft.title, 200, required=True),
        "found_by": clean_text(errors, "found_by", draft.found_by, 64, required=True),
        "description": clean_text(errors, "description", draft.description, 4000, required=True),
        "measures": clean_text(errors, "measures", draft.measures, 4000, required=True),
        "reported_to": clean_text(errors, "reported_to", draft.reported_to, 200, required=True),
        "follow_up": clean_text(errors, "follow_up", draft.follow_up, 4000, required=False),
    }
    if draft.kind not in KINDS:
        errors.append(FieldError("kind", "required"))
    if draft.status not in STATUSES:
        errors.append(FieldError("status", "required"))
    if as_utc(draft.found_at) > now:
        errors.append(FieldError("found_at", "future"))
    if draft.status == "closed" and not clean["follow_up"]:
        errors.append(FieldError("follow_up", "required"))
    return clean, errors


def _resolve(
    uow: UnitOfWork, codes: tuple[str, ...], errors: list[FieldError]
) -> list[IncidentLink]:
    """客户编号 or 档号 → links (unknown codes are named in the error)."""
    links: dict[tuple[str, int], IncidentLink] = {}
    for raw in codes:
        code = "".join(raw.split())
        if not code:
            continue
        cid = uow.session.scalar(select(Customer.id).where(Customer.number == code.upper()))
        if cid is not None:
            links[("customer", cid)] = IncidentLink(
                object_type="customer", object_id=cid, label=code.upper()
            )
            continue
        vid = uow.session.scalar(select(Volume.id).where(Volume.reference_code == code))
        if vid is None:
            vid = uow.session.scalar(select(Volume.id).where(Volume.reference_code == code.upper()))
        if vid is not None:
            links[("volume", vid)] = IncidentLink(object_type="volume", object_id=vid, label=code)
            continue
        errors.append(FieldError("affected", "unknown_code", {"code": code[:32]}))
    return list(links.values())


def _next_number(uow: UnitOfWork, year: int) -> str:
    prefix = f"SJ-{year}-"
    last = uow.session.scalar(
        select(func.max(Incident.number)).where(Incident.number.startswith(prefix))
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


def _fields(i: Incident) -> dict[str, object]:
    return {
        "kind": i.kind,
        "title": i.title,
        "found_at": as_utc(i.found_at).isoformat(),
        "found_by": i.found_by,
        "description": i.description,
        "measures": i.measures,
        "reported_to": i.reported_to,
        "follow_up": i.follow_up,
        "status": i.status,
    }


def record_incident(*, session: SignedIn, draft: IncidentDraft, clock: Clock) -> IncidentRow:
    """Register an incident and link the affected records; audited (R45)."""
    now = clock.now()
    clean, errors = _validate(draft, now)
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "incident.record")
        links = _resolve(uow, draft.affected, errors)
        if errors:
            raise ValidationFailed(errors)
        uow.claim_writes()
        incident = Incident(
            number=_next_number(uow, as_utc(now).astimezone().year),
            kind=draft.kind,
            found_at=as_utc(draft.found_at),
            status=draft.status,
            recorded_by=user.id,
            created_at=now,
            updated_at=now,
            **clean,
        )
        uow.session.add(incident)
        uow.session.flush()
        for link in links:
            link.incident_id = incident.id
            uow.session.add(link)
        record_numbered(
            uow,
            "incident.record",
            "incident",
            incident,
            kind=incident.kind,
            affected=sorted(link.label for link in links),
        )
        uow.commit()
        row = _row(uow, incident)
    if incident.kind == "leak":  # a suspected leak: the data key is replaced (issue 23)
        request_rotation(session=session, clock=clock, reason="incident.leak")
    return row


def update_incident(
    *,
    session: SignedIn,
    incident_id: int,
    draft: IncidentDraft,
    expected_version: int,
    clock: Clock,
) -> IncidentRow:
    """Change an incident (measures, report, follow-up, closing); audited before/after."""
    clean, errors = _validate(draft, clock.now())
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "incident.record")
        incident = fetch(uow, Incident, incident_id, "incident_title")
        if incident.version != expected_version:
            raise ValidationFailed([FieldError("incident_title", "stale_record")])
        links = _resolve(uow, draft.affected, errors)
        if errors:
            raise ValidationFailed(errors)
        before = _fields(incident)
        old_links = sorted(
            uow.session.scalars(
                select(IncidentLink.label).where(IncidentLink.incident_id == incident.id)
            )
        )
        for key, value in clean.items():
            setattr(incident, key, value)
        incident.kind = draft.kind
        incident.status = draft.status
        incident.found_at = as_utc(draft.found_at)
        incident.updated_at = clock.now()
        incident.version += 1
        for old in uow.session.scalars(
            select(IncidentLink).where(IncidentLink.incident_id == incident.id)
        ):
            uow.session.delete(old)
        uow.session.flush()
        for link in links:
            link.incident_id = incident.id
            uow.session.add(link)
        after = _fields(incident)
        changes = {
            k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]
        }
        new_links = sorted(link.label for link in links)
        if new_links != old_links:
            changes["affected"] = {"before": old_links, "after": new_links}
        uow.audit.record(
            "incident.update", object_type="incident", object_id=incident.id, details=changes
        )
        uow.commit()
        return _row(uow, incident)


def _row(uow: UnitOfWork, i: Incident) -> IncidentRow:
    labels = tuple(
        sorted(
            uow.session.scalars(select(IncidentLink.label).where(IncidentLink.incident_id == i.id))
        )
    )
    who = uow.session.get(UserAccount, i.recorded_by) if i.recorded_by else None
    return IncidentRow(
        id=i.id,
        number=i.number,
        kind=KINDS.get(i.kind, i.kind),
        title=i.title,
        found_at=as_utc(i.found_at),
        found_by=i.found_by,
        description=i.description,
        measures=i.measures,
        reported_to=i.reported_to,
        follow_up=i.follow_up,
        status=STATUSES.get(i.status, i.status),
        status_code=i.status,
        affected=labels,
        recorded_by=f"{who.display_name}（{who.username}）" if who else "",
        created_at=as_utc(i.created_at),
        version=i.version,
    )


def list_incidents(*, session: SignedIn, clock: Clock) -> list[IncidentRow]:
    """Every incident, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "incident.read")
        rows = uow.session.scalars(select(Incident).order_by(Incident.id.desc())).all()
        return [_row(uow, i) for i in rows]


def list_incidents_for(
    *, session: SignedIn, object_type: str, object_id: int, clock: Clock
) -> list[IncidentRow]:
    """Incidents that affect a customer or a volume (shown with the record)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "incident.read")
        ids = select(IncidentLink.incident_id).where(
            IncidentLink.object_type == object_type, IncidentLink.object_id == object_id
        )
        rows = uow.session.scalars(
            select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id.desc())
        ).all()
        return [_row(uow, i) for i in rows]


def print_incident_report(*, session: SignedIn, incident_id: int, clock: Clock) -> bytes:
    """The printable incident report (A4 PDF); the print is recorded (R40)."""
    from app.printing.incident_report import render_incident_report

    with session.uow(clock) as uow:
        authorize(uow, session.actor, "incident.read", releases=True)
        incident = fetch(uow, Incident, incident_id, "incident_title")
        row = _row(uow, incident)
        org = uow.settings.load().organisation.organisation_name
        uow.audit.record(
            "print.incident",
            object_type="incident",
            object_id=incident.id,
            purpose="事件报告",
            details={"number": incident.number},
        )
        uow.commit()
    return render_incident_report(
        row,
        organisation=org,
        printed_by=session.actor.display_name,
        username=session.actor.username,
        printed_at=clock.now(),
    )
