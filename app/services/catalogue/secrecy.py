"""Secrecy terms (R15, R16): extension by an approver, declassification, and the review queue.

Declassification runs at a cleared user's sign-in when the clock agrees with the recorded time,
or on a cleared user's confirmation of the due list (issue 23, trusted time).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from app.domain.roles import may
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.security import access, trusted_time
from app.services.auth import SignedIn
from app.services.catalogue.drafts import MAX_TERM_YEARS, check_text
from app.services.catalogue.upkeep import item_secrecy, marking_for_index, refresh_volume, reindex
from app.services.common import actor_from_row, authorize
from app.storage.models import (
    ArchiveItem,
    UserAccount,
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


@dataclass(frozen=True)
class DueDeclassification:
    """An item whose secrecy term has ended, waiting for a cleared user's confirmation."""

    item_id: int
    reference_code: str
    marking: str


def _declassification_day(uow: UnitOfWork, clock: Clock) -> date:
    """The day the terms are judged at: this clock, but never past the recorded time + 1 day.

    A workstation's clock alone cannot make terms end early (issue 23, trusted time).
    """
    now = clock.now()
    mark = trusted_time.high_water_mark(uow.session)
    if mark is not None and now > mark + trusted_time.AGREES_WITHIN:
        now = mark + trusted_time.AGREES_WITHIN
    return now.astimezone().date()


def list_due_declassifications(*, session: SignedIn, clock: Clock) -> list[DueDeclassification]:
    """Items within the user's clearance whose term has ended (cleared users only)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.write")
        today = _declassification_day(uow, clock)
        out = []
        for item in _due_items(uow, session, today):
            volume = uow.session.get(Volume, item.volume_id)
            assert volume is not None
            out.append(
                DueDeclassification(item.id, volume.reference_code, item_secrecy(item).marking())
            )
        return out


def declassify_expired(
    *, session: SignedIn, clock: Clock, item_ids: Sequence[int] | None = None
) -> int:
    """Declassify the due items (all, or ``item_ids``) on a cleared user's confirmation (R16).

    Each item gets an audit entry by that user, its level is cleared, and its 备注栏 keeps the
    old marking struck through with the date. Only items within the user's clearance.
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "catalogue.write")
        today = _declassification_day(uow, clock)
        items = _due_items(uow, session, today)
        if item_ids is not None:
            wanted = set(item_ids)
            items = [i for i in items if i.id in wanted]
        done = _declassify(uow, clock, items, today, automatic=False)
        uow.commit()
    return done


DAILY_CHECK_SETTING = "secrecy_check_day"


def run_daily_checks(*, session: SignedIn, clock: Clock) -> int:
    """The once-a-day secrecy check at a sign-in; returns how many items were declassified.

    Declassification is irreversible, so it never rests on one workstation's word: it runs
    here only for a cleared user (who could confirm it by hand) and only when the clock agrees
    with the recorded time within a day. Otherwise nothing happens and the due items wait in
    :func:`list_due_declassifications` for a cleared user's confirmation (issue 23).
    """
    today = clock.now().astimezone().date().isoformat()
    with session.uow(clock) as uow:
        user = uow.session.get(UserAccount, session.actor.user_id)
        if user is None or user.disabled:
            return 0
        if not may(actor_from_row(user).roles, "catalogue.write"):
            return 0  # not cleared: a sign-in is never a way to declassify
        uow.claim_writes()
        if uow.settings.raw().get(DAILY_CHECK_SETTING) == today:
            return 0
        if not trusted_time.agrees(clock.now(), trusted_time.high_water_mark(uow.session)):
            return 0  # the clock and the recorded time disagree: wait for a confirmation
        day = clock.now().astimezone().date()
        done = _declassify(uow, clock, _due_items(uow, session, day), day, automatic=True)
        uow.settings.put(DAILY_CHECK_SETTING, today)
        uow.commit()
    return done


def _due_items(uow: UnitOfWork, session: SignedIn, today: date) -> list[ArchiveItem]:
    """Items whose term has ended by ``today`` and which ``session``'s user may see."""
    items = uow.session.scalars(
        select(ArchiveItem).where(
            ArchiveItem.secrecy_level.is_not(None), ArchiveItem.secrecy_since.is_not(None)
        )
    )
    return [
        item
        for item in items
        if item_secrecy(item).expired(today) and access.may_see(session.actor, item.secrecy_level)
    ]


def _declassify(
    uow: UnitOfWork, clock: Clock, items: list[ArchiveItem], today: date, *, automatic: bool
) -> int:
    done = 0
    touched: dict[int, Volume] = {}
    for item in items:
        secrecy = item_secrecy(item)
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
            actor_name="系统" if automatic else None,
            details={
                "reference_code": volume.reference_code,
                "was": old_marking,
                "mode": "automatic" if automatic else "confirmed",
            },
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
