"""Secrecy terms (R15, R16): extension by an approver, declassification, and the review queue.

Declassification runs once a day at the first sign-in, acting as the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain.catalogue import (
    SECRECY_LABELS,
    Secrecy,
    SecrecyLevel,
    update_marking,
)
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.security import access
from app.services.auth import SignedIn
from app.services.catalogue.drafts import MAX_TERM_YEARS, check_text
from app.services.catalogue.upkeep import item_secrecy, marking_for_index, refresh_volume, reindex
from app.services.common import actor_from_row, authorize
from app.storage.models import (
    ArchiveItem,
    Volume,
)
from app.storage.store import UnitOfWork


def extend_secrecy(
    *, session: SignedIn, item_id: int, term_years: int, note: str, clock: Clock
) -> None:
    """Lengthen an item's term before it ends (R16): by a named approver, with a reason."""
    errors: list[FieldError] = []
    note = check_text(errors, "note", note, 500, required=True)
    today = clock.now().astimezone().date()
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "secrecy.extend"))
        item = uow.session.get(ArchiveItem, item_id)
        if item is None or item.secrecy_level is None:
            raise ValidationFailed([FieldError("item", "not_found")])
        holder = uow.session.get(Volume, item.volume_id)
        if not access.may_see(reader, item.secrecy_level) or (
            holder is None or not access.may_see(reader, holder.secrecy_level)
        ):
            raise ValidationFailed([FieldError("item", "no_clearance")])
        before = item_secrecy(item)
        if before.ends is not None and before.ends < today:
            errors.append(FieldError("secrecy_term_years", "already_ended"))
        if not (before.term or 0) < term_years <= MAX_TERM_YEARS:
            errors.append(
                FieldError(
                    "secrecy_term_years", "range", {"min": (before.term or 0) + 1, "max": 50}
                )
            )
        if errors:
            raise ValidationFailed(errors)
        after = Secrecy(before.level, term_years, before.since)
        item.secrecy_term_years = term_years
        item.index_remarks = update_marking(
            item.index_remarks, marking_for_index(before), marking_for_index(after)
        )
        item.updated_at = clock.now()
        item.version += 1
        volume = uow.session.get(Volume, item.volume_id)
        assert volume is not None
        refresh_volume(uow, volume)
        reindex(uow, volumes=[volume], items=[item])
        uow.audit.record(
            "secrecy.extend",
            object_type="item",
            object_id=item.id,
            details={
                "reference_code": volume.reference_code,
                "before": before.marking(),
                "after": after.marking(),
                "approver": session.actor.display_name,
                "note_chars": len(note),  # the note may quote the content: 档号 only (issue 23)
            },
        )
        uow.commit()


def declassify_expired(*, session: SignedIn, clock: Clock) -> int:
    """Declassify every item whose term has ended (R16); return how many.

    Each item gets an audit entry by the system, its level is cleared, and its 备注栏 keeps
    the old marking struck through with the date.
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "catalogue.write")
        done = _declassify(uow, clock)
        uow.commit()
    return done


DAILY_CHECK_SETTING = "secrecy_check_day"


def run_daily_checks(*, session: SignedIn, clock: Clock) -> int:
    """The once-a-day secrecy check, run at the first sign-in of each day by whoever signs in.

    It acts as the system (no catalogue permission needed: nothing is shown to the user);
    returns how many items were declassified.
    """
    today = clock.now().astimezone().date().isoformat()
    with session.uow(clock) as uow:
        uow.claim_writes()
        if uow.settings.raw().get(DAILY_CHECK_SETTING) == today:
            return 0
        done = _declassify(uow, clock)
        uow.settings.put(DAILY_CHECK_SETTING, today)
        uow.commit()
    return done


def _declassify(uow: UnitOfWork, clock: Clock) -> int:
    today = clock.now().astimezone().date()
    done = 0
    items = list(
        uow.session.scalars(
            select(ArchiveItem).where(
                ArchiveItem.secrecy_level.is_not(None), ArchiveItem.secrecy_since.is_not(None)
            )
        )
    )
    touched: dict[int, Volume] = {}
    for item in items:
        secrecy = item_secrecy(item)
        if not secrecy.expired(today):
            continue
        old_marking = secrecy.marking()
        item.index_remarks = update_marking(
            item.index_remarks,
            marking_for_index(secrecy),
            "",
            declassified_on=today,
            was=old_marking,
        )
        item.secrecy_level = None
        item.declassified_on = today
        item.updated_at = clock.now()
        item.version += 1
        volume = uow.session.get(Volume, item.volume_id)
        assert volume is not None
        touched[volume.id] = volume
        uow.audit.record(
            "secrecy.declassify",
            object_type="item",
            object_id=item.id,
            actor_name="系统",
            details={"reference_code": volume.reference_code, "was": old_marking},
        )
        done += 1
    for volume in touched.values():
        refresh_volume(uow, volume, declassified_on=today)
        if volume.secrecy_level is None:
            volume.declassified_on = today
    reindex(uow, volumes=list(touched.values()), items=[i for i in items if i.declassified_on])
    return done


@dataclass(frozen=True)
class ReviewRow:
    """An item whose term ends soon (R16 review queue)."""

    item_id: int
    reference_code: str
    seq: int
    title: str
    marking: str
    ends: date


def secrecy_review_queue(*, session: SignedIn, clock: Clock, days: int = 90) -> list[ReviewRow]:
    """Items (within the actor's clearance) whose term ends in the next ``days`` days."""
    today = clock.now().astimezone().date()
    out: list[ReviewRow] = []
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        rows = uow.session.execute(
            select(ArchiveItem, Volume.reference_code)
            .join(Volume, Volume.id == ArchiveItem.volume_id)
            .where(
                ArchiveItem.secrecy_level.is_not(None),
                access.secrecy_clause(reader, ArchiveItem.secrecy_level),
                access.secrecy_clause(reader, Volume.secrecy_level),
            )
        ).all()
        for item, code in rows:
            secrecy = item_secrecy(item)
            if secrecy.ending_within(today, days) and secrecy.ends is not None:
                out.append(
                    ReviewRow(item.id, code, item.seq, item.title, secrecy.marking(), secrecy.ends)
                )
    return sorted(out, key=lambda r: (r.ends, r.reference_code, r.seq))


SECRECY_CHOICES = [(None, "无")] + [(level.value, SECRECY_LABELS[level]) for level in SecrecyLevel]
