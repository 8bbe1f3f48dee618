"""Archive catalogue use cases (R10–R17): volumes with 档号, items, secrecy terms and markings.

Every read goes through :mod:`app.security.access`: rows above the actor's clearance come back
as "受限" with their 档号 only. Every write validates, runs in one transaction and audits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import reference_code as refs
from app.domain.catalogue import (
    CARRIER_LABELS,
    MARKED_LEVELS,
    RETENTION_LABELS,
    SECRECY_LABELS,
    Carrier,
    Retention,
    Secrecy,
    SecrecyLevel,
    VolumeState,
    parse_retention,
    rank,
    retention_expiry,
    strongest,
    update_marking,
)
from app.domain.roles import may
from app.errors import FieldError, ValidationFailed
from app.security import access, trusted_time
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.storage import catalogue_search
from app.storage.models import ArchiveItem, Customer, ReferenceCounter, UserAccount, Volume
from app.storage.store import UnitOfWork

PATTERN_SETTING = "reference_pattern"
CATEGORY_SETTING = "reference_category"
DEFAULT_CATEGORY = "KH"  # 客户档案
MAX_TERM_YEARS = 50


# --- settings ----------------------------------------------------------------------------------
def reference_pattern(uow: UnitOfWork) -> str:
    """The configured 档号 pattern (the DA/T 13-2022 style by default)."""
    value = uow.settings.raw().get(PATTERN_SETTING)
    return str(value) if value else refs.DEFAULT_PATTERN


def set_reference_pattern(*, session: SignedIn, pattern: str, clock: Clock) -> None:
    """Change the pattern for volumes created from now on (existing 档号 never change)."""
    errors = refs.check_pattern(pattern.strip())
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        old = reference_pattern(uow)
        uow.settings.put(PATTERN_SETTING, pattern.strip())
        uow.audit.record(
            "settings.reference_pattern",
            object_type="setting",
            object_id=PATTERN_SETTING,
            details={"before": old, "after": pattern.strip()},
        )
        uow.commit()


# --- input -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VolumeDraft:
    """A new volume as typed."""

    customer_id: int
    year: int
    title: str
    retention: str  # Y / D30 / D10, or a legacy word (永久, 长期, 短期)
    org_code: str = ""
    compiled_by: str = ""
    checked_by: str = ""
    compiled_on: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class ItemDraft:
    """A new item as typed."""

    title: str
    doc_number: str = ""
    author: str = ""
    doc_date: date | None = None
    page_from: int | None = None
    page_to: int | None = None
    carrier: str = Carrier.PAPER.value
    secrecy_level: str | None = None
    secrecy_term_years: int | None = None
    secrecy_since: date | None = None
    remarks: str = ""


def _text(errors: list[FieldError], name: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors.append(FieldError(name, "required"))
    elif len(value) > limit:
        errors.append(FieldError(name, "too_long", {"max": limit}))
    return value


def _level(errors: list[FieldError], value: str | None) -> SecrecyLevel | None:
    if value in (None, ""):
        return None
    try:
        return SecrecyLevel(str(value))
    except ValueError:
        errors.append(FieldError("secrecy_level", "format", {"expected": "秘密、机密或绝密"}))
        return None


def _secrecy(errors: list[FieldError], draft: ItemDraft, today: date) -> Secrecy:
    level = _level(errors, draft.secrecy_level)
    term = draft.secrecy_term_years
    if level is None:
        return Secrecy()
    if term is not None and not 1 <= term <= MAX_TERM_YEARS:
        errors.append(FieldError("secrecy_term_years", "range", {"min": 1, "max": MAX_TERM_YEARS}))
    since = draft.secrecy_since or today
    if since > today:
        errors.append(FieldError("secrecy_since", "future"))
    return Secrecy(level, term, since)


# --- volumes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VolumeSaved:
    """What a caller needs after creating a volume."""

    volume_id: int
    reference_code: str


def allocate_reference(
    uow: UnitOfWork, pattern: str, values: refs.ReferenceValues
) -> tuple[str, int]:
    """The next free 档号 in the scope of ``values`` (also for imported volumes without one)."""
    return _allocate(uow, pattern, values)


def reference_values(uow: UnitOfWork, year: int, retention: str, org: str) -> refs.ReferenceValues:
    """The 档号 parts of a new volume from the settings (全宗号, 门类) and its own values."""
    settings = uow.settings.load()
    return refs.ReferenceValues(
        fonds=settings.organisation.fonds_code,
        category=str(uow.settings.raw().get(CATEGORY_SETTING) or DEFAULT_CATEGORY),
        year=year,
        retention=retention,
        org=org,
    )


def _allocate(uow: UnitOfWork, pattern: str, values: refs.ReferenceValues) -> tuple[str, int]:
    """The next free 档号 in the values' scope (numbers only go up; a taken code is skipped)."""
    key = refs.scope(pattern, values)
    counter = uow.session.get(ReferenceCounter, key)
    number = counter.last if counter is not None else 0
    while True:
        number += 1
        if number > refs.max_number(pattern):
            raise ValidationFailed([FieldError("reference_code", "exhausted", {"scope": key})])
        code = refs.render(pattern, values, number)
        taken = uow.session.scalar(select(Volume.id).where(Volume.reference_code == code))
        if taken is None:
            break
    if counter is None:
        uow.session.add(ReferenceCounter(scope=key, last=number))
    else:
        counter.last = number
    return code, number


@dataclass(frozen=True)
class CleanVolume:
    """A checked volume draft: trimmed texts and the retention code."""

    title: str
    retention: Retention | None
    org: str
    compiled_by: str
    checked_by: str
    notes: str


def check_volume_draft(draft: VolumeDraft, *, today: date, errors: list[FieldError]) -> CleanVolume:
    """The form's rules for a new volume (also used by the ledger import); appends errors."""
    title = _text(errors, "title", draft.title, 300, required=True)
    retention = parse_retention(draft.retention)
    if retention is None:
        errors.append(FieldError("retention", "format", {"expected": "永久、定期30年或定期10年"}))
    if not 1900 <= draft.year <= today.year + 1:
        errors.append(FieldError("year", "range", {"min": 1900, "max": today.year + 1}))
    org = _text(errors, "org_code", draft.org_code, 16, required=False).upper()
    compiled_by = _text(errors, "compiled_by", draft.compiled_by, 64, required=False)
    checked_by = _text(errors, "checked_by", draft.checked_by, 64, required=False)
    notes = _text(errors, "notes", draft.notes, 2000, required=False)
    if draft.compiled_on is not None and draft.compiled_on > today:
        errors.append(FieldError("compiled_on", "future"))
    return CleanVolume(title, retention, org, compiled_by, checked_by, notes)


def create_volume(*, session: SignedIn, draft: VolumeDraft, clock: Clock) -> VolumeSaved:
    """File a new volume for a customer with the next 档号 of its scope (R10, R11)."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    clean = check_volume_draft(draft, today=today, errors=errors)
    title, retention, org = clean.title, clean.retention, clean.org
    compiled_by, checked_by, notes = clean.compiled_by, clean.checked_by, clean.notes
    with session.uow(clock) as uow:
        uow.claim_writes()  # the 档号 counter is read, then written: wait for the lock first
        authorize(uow, session.actor, "catalogue.write")
        customer = uow.session.get(Customer, draft.customer_id)
        if customer is None:
            errors.append(FieldError("customer", "not_found"))
        pattern = reference_pattern(uow)
        if "{org}" in pattern and not org:
            errors.append(FieldError("org_code", "required"))
        if errors or retention is None:
            raise ValidationFailed(errors)
        settings = uow.settings.load()
        values = refs.ReferenceValues(
            fonds=settings.organisation.fonds_code,
            category=str(uow.settings.raw().get(CATEGORY_SETTING) or DEFAULT_CATEGORY),
            year=draft.year,
            retention=retention.value,
            org=org,
        )
        code, number = _allocate(uow, pattern, values)
        now = clock.now()
        volume = Volume(
            reference_code=code,
            customer_id=draft.customer_id,
            year=draft.year,
            title=title,
            retention=retention.value,
            secrecy_level=None,
            created_at=now,
            fonds_code=values.fonds,
            category_code=values.category,
            org_code=org,
            number=number,
            compiled_by=compiled_by,
            checked_by=checked_by,
            compiled_on=draft.compiled_on,
            notes=notes,
            state=VolumeState.ON_SHELF.value,
            index_remarks="",
            item_count=0,
            page_count=0,
            updated_at=now,
            version=1,
        )
        uow.session.add(volume)
        uow.session.flush()
        _reindex(uow, volumes=[volume])
        uow.audit.record(
            "volume.create",
            object_type="volume",
            object_id=volume.id,
            details={"reference_code": code, "customer": customer.number if customer else None},
        )
        uow.commit()
        return VolumeSaved(volume.id, code)


# --- items -------------------------------------------------------------------------------------
def _item_secrecy(item: ArchiveItem) -> Secrecy:
    level = SecrecyLevel(item.secrecy_level) if item.secrecy_level else None
    return Secrecy(level, item.secrecy_term_years, item.secrecy_since)


def _volume_secrecy(volume: Volume) -> Secrecy:
    level = SecrecyLevel(volume.secrecy_level) if volume.secrecy_level else None
    return Secrecy(level, volume.secrecy_term_years, volume.secrecy_since)


def _marking_for_index(secrecy: Secrecy) -> str:
    """The marking that goes into the 备注栏: only 机密/绝密 (R15)."""
    return secrecy.marking() if secrecy.level in MARKED_LEVELS else ""


def _refresh_volume(
    uow: UnitOfWork, volume: Volume, clock: Clock, *, declassified_on: date | None = None
) -> None:
    """Counts, pages, the volume's secrecy (highest level, longest term) and its marking.

    The level only goes down through declassification (``declassified_on``): a volume
    classified before it had items (an older ledger) keeps its level when items are added.
    """
    items = list(uow.session.scalars(select(ArchiveItem).where(ArchiveItem.volume_id == volume.id)))
    before = _volume_secrecy(volume)
    after = strongest([_item_secrecy(i) for i in items])
    if declassified_on is None and (
        rank(after.level) < rank(before.level)
        or (after.level == before.level and (after.term or 0) < (before.term or 0))
    ):
        after = before
    volume.item_count = len(items)
    volume.page_count = max((i.page_to or i.page_from or 0 for i in items), default=0)
    volume.secrecy_level = after.level.value if after.level else None
    volume.secrecy_term_years = after.term if after.level else None
    volume.secrecy_since = after.since
    if declassified_on is not None and after.level is None and before.level is not None:
        volume.index_remarks = update_marking(
            volume.index_remarks,
            _marking_for_index(before),
            "",
            declassified_on=declassified_on,
            was=before.marking(),
        )
    else:
        volume.index_remarks = update_marking(
            volume.index_remarks, _marking_for_index(before), _marking_for_index(after)
        )
    volume.updated_at = clock.now()
    volume.version += 1


def _check_separation(
    uow: UnitOfWork, volume: Volume, level: SecrecyLevel | None, errors: list[FieldError]
) -> None:
    """绝密 material forms a volume of its own (R10): never mixed with other items."""
    others = list(
        uow.session.scalars(
            select(ArchiveItem.secrecy_level).where(ArchiveItem.volume_id == volume.id)
        )
    )
    top = SecrecyLevel.TOP_SECRET.value
    if level == SecrecyLevel.TOP_SECRET and any(o != top for o in others):
        errors.append(FieldError("secrecy_level", "top_secret_alone"))
    if level != SecrecyLevel.TOP_SECRET and (
        any(o == top for o in others) or volume.secrecy_level == top
    ):
        errors.append(FieldError("secrecy_level", "top_secret_volume"))


@dataclass(frozen=True)
class CleanItem:
    """A checked item draft."""

    title: str
    doc_number: str
    author: str
    remarks: str
    carrier: Carrier
    secrecy: Secrecy


def check_item_draft(draft: ItemDraft, *, today: date, errors: list[FieldError]) -> CleanItem:
    """The form's rules for a new item (also used by the ledger import); appends errors."""
    title = _text(errors, "title", draft.title, 300, required=True)
    doc_number = _text(errors, "doc_number", draft.doc_number, 64, required=False)
    author = _text(errors, "author", draft.author, 100, required=False)
    remarks = _text(errors, "remarks", draft.remarks, 2000, required=False)
    try:
        carrier = Carrier(draft.carrier)
    except ValueError:
        errors.append(FieldError("carrier", "format", {"expected": "纸质、光盘、磁盘或电子文件"}))
        carrier = Carrier.PAPER
    if draft.page_from is not None and not 1 <= draft.page_from <= 99999:
        errors.append(FieldError("page_from", "range", {"min": 1, "max": 99999}))
    if draft.page_to is not None and (draft.page_from is None or draft.page_to < draft.page_from):
        errors.append(FieldError("page_to", "before_start"))
    if draft.doc_date is not None and draft.doc_date > today:
        errors.append(FieldError("doc_date", "future"))
    secrecy = _secrecy(errors, draft, today)
    return CleanItem(title, doc_number, author, remarks, carrier, secrecy)


def marking_for_index(secrecy: Secrecy) -> str:
    """The marking that goes into the 备注栏: only 机密/绝密 (R15)."""
    return _marking_for_index(secrecy)


def add_item(*, session: SignedIn, volume_id: int, draft: ItemDraft, clock: Clock) -> int:
    """Add an item (件) to a volume; the volume takes on its secrecy (R15). Returns its id."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    clean = check_item_draft(draft, today=today, errors=errors)
    title, doc_number, author = clean.title, clean.doc_number, clean.author
    remarks, carrier, secrecy = clean.remarks, clean.carrier, clean.secrecy
    with session.uow(clock) as uow:
        uow.claim_writes()  # 序号 is read, then written
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        volume = uow.session.get(Volume, volume_id)
        if volume is None:
            raise ValidationFailed([FieldError("volume", "not_found")])
        if volume.state == VolumeState.DESTROYED.value:
            errors.append(FieldError("volume", "destroyed"))
        if not access.may_see(reader, volume.secrecy_level) or (
            secrecy.level is not None and not access.may_see(reader, secrecy.level.value)
        ):
            errors.append(FieldError("secrecy_level", "no_clearance"))
        _check_separation(uow, volume, secrecy.level, errors)
        if errors:
            raise ValidationFailed(errors)
        seq = (
            uow.session.scalar(
                select(func.max(ArchiveItem.seq)).where(ArchiveItem.volume_id == volume_id)
            )
            or 0
        ) + 1
        now = clock.now()
        item = ArchiveItem(
            volume_id=volume_id,
            seq=seq,
            doc_number=doc_number,
            author=author,
            title=title,
            doc_date=draft.doc_date,
            page_from=draft.page_from,
            page_to=draft.page_to,
            carrier=carrier.value,
            secrecy_level=secrecy.level.value if secrecy.level else None,
            secrecy_term_years=secrecy.term,
            secrecy_since=secrecy.since,
            remarks=remarks,
            index_remarks=_marking_for_index(secrecy),
            created_at=now,
            updated_at=now,
            version=1,
        )
        uow.session.add(item)
        uow.session.flush()
        _refresh_volume(uow, volume, clock)
        _reindex(uow, volumes=[volume], items=[item])
        uow.audit.record(
            "item.create",
            object_type="item",
            object_id=item.id,
            details={
                "reference_code": volume.reference_code,
                "seq": seq,
                "secrecy": secrecy.marking() or None,
            },
        )
        uow.commit()
        return item.id


def extend_secrecy(
    *, session: SignedIn, item_id: int, term_years: int, note: str, clock: Clock
) -> None:
    """Lengthen an item's term before it ends (R16): by a named approver, with a reason."""
    errors: list[FieldError] = []
    note = _text(errors, "note", note, 500, required=True)
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
        before = _item_secrecy(item)
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
            item.index_remarks, _marking_for_index(before), _marking_for_index(after)
        )
        item.updated_at = clock.now()
        item.version += 1
        volume = uow.session.get(Volume, item.volume_id)
        assert volume is not None
        _refresh_volume(uow, volume, clock)
        _reindex(uow, volumes=[volume], items=[item])
        uow.audit.record(
            "secrecy.extend",
            object_type="item",
            object_id=item.id,
            details={
                "reference_code": volume.reference_code,
                "before": before.marking(),
                "after": after.marking(),
                "approver": session.actor.display_name,
                "note": note,
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
                DueDeclassification(item.id, volume.reference_code, _item_secrecy(item).marking())
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
        if _item_secrecy(item).expired(today) and access.may_see(session.actor, item.secrecy_level)
    ]


def _declassify(
    uow: UnitOfWork, clock: Clock, items: list[ArchiveItem], today: date, *, automatic: bool
) -> int:
    done = 0
    touched: dict[int, Volume] = {}
    for item in items:
        secrecy = _item_secrecy(item)
        old_marking = secrecy.marking()
        item.index_remarks = update_marking(
            item.index_remarks,
            _marking_for_index(secrecy),
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
        _refresh_volume(uow, volume, clock, declassified_on=today)
        if volume.secrecy_level is None:
            volume.declassified_on = today
    _reindex(uow, volumes=list(touched.values()), items=[i for i in items if i.declassified_on])
    return done


def _reindex(
    uow: UnitOfWork,
    *,
    volumes: Sequence[Volume] = (),
    items: Sequence[ArchiveItem] = (),
) -> None:
    """Keep the catalogue search index in step, in the same transaction (SQLite)."""
    if not uow.store.location.is_sqlite:
        return
    conn = uow.session.connection()
    catalogue_search.index_volumes(
        conn, [(v.id, v.reference_code, v.title, v.index_remarks) for v in volumes]
    )
    catalogue_search.index_items(
        conn, [(i.id, i.title, i.doc_number, i.author, i.index_remarks) for i in items]
    )


# --- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemRow:
    """An item as the actor may see it."""

    id: int
    seq: int
    doc_number: str
    author: str
    title: str
    doc_date: date | None
    pages: str
    carrier: str
    secrecy: str  # marking, or ""
    remarks: str
    restricted: bool


@dataclass(frozen=True)
class VolumeRow:
    """A volume as the actor may see it ("受限": 档号 only)."""

    id: int
    reference_code: str
    customer_id: int
    year: int
    title: str
    retention: str  # label
    expires: date | None
    secrecy: str  # marking (秘密, 机密★20年 …) or ""
    state: str
    item_count: int
    page_count: int
    remarks: str
    restricted: bool
    items: list[ItemRow] = field(default_factory=list)
    carriers: str = ""  # the carrier mix of the items, e.g. "纸质 2、光盘 1" (with items only)


def _volume_row(actor: Any, v: Volume, items: list[ArchiveItem] | None = None) -> VolumeRow:
    visible = access.may_see(actor, v.secrecy_level)
    retention = Retention(v.retention) if v.retention in Retention._value2member_map_ else None
    return VolumeRow(
        id=v.id,
        reference_code=v.reference_code,
        customer_id=v.customer_id if visible else 0,
        year=v.year,
        title=v.title if visible else access.RESTRICTED,
        retention=RETENTION_LABELS[retention] if retention else v.retention,
        expires=retention_expiry(v.year, retention) if retention else None,
        secrecy=_volume_secrecy(v).marking() if visible else access.RESTRICTED,
        state=v.state if visible else "",
        item_count=v.item_count if visible else 0,
        page_count=v.page_count if visible else 0,
        remarks=v.index_remarks if visible else "",
        restricted=not visible,
        items=[_item_row(actor, i) for i in items or []] if visible else [],
        carriers=_carrier_mix(items or []) if visible else "",
    )


def _carrier_mix(items: list[ArchiveItem]) -> str:
    counts: dict[str, int] = {}
    for i in items:
        try:
            label = CARRIER_LABELS[Carrier(i.carrier)]
        except ValueError:
            label = i.carrier
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{label} {n}" for label, n in counts.items())


def _item_row(actor: Any, i: ArchiveItem) -> ItemRow:
    visible = access.may_see(actor, i.secrecy_level)
    pages = ""
    if i.page_from is not None:
        pages = (
            str(i.page_from) if i.page_to in (None, i.page_from) else f"{i.page_from}-{i.page_to}"
        )
    return ItemRow(
        id=i.id,
        seq=i.seq,
        doc_number=i.doc_number if visible else "",
        author=i.author if visible else "",
        title=i.title if visible else access.RESTRICTED,
        doc_date=i.doc_date if visible else None,
        pages=pages if visible else "",
        carrier=CARRIER_LABELS.get(Carrier(i.carrier), i.carrier) if visible else "",
        secrecy=_item_secrecy(i).marking() if visible else access.RESTRICTED,
        remarks=i.index_remarks if visible else "",
        restricted=not visible,
    )


def list_volumes(
    *, session: SignedIn, clock: Clock, customer_id: int | None = None, limit: int = 500
) -> list[VolumeRow]:
    """Volumes (of one customer, or all), newest year first; classified ones as clearance allows."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        stmt = select(Volume).order_by(Volume.year.desc(), Volume.id).limit(limit)
        if customer_id is not None:  # a customer's volumes: only those the reader may see
            stmt = stmt.where(
                Volume.customer_id == customer_id,
                access.secrecy_clause(reader, Volume.secrecy_level),
            )
        return [_volume_row(reader, v) for v in uow.session.scalars(stmt)]


CLASSIFIED_VIEW_LEVELS = frozenset({"confidential", "top_secret"})  # 机密, 绝密


def get_volume(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeRow:
    """One volume with its items (each as clearance allows)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        volume = uow.session.get(Volume, volume_id)
        if volume is None:
            raise ValidationFailed([FieldError("volume", "not_found")])
        items = list(
            uow.session.scalars(
                select(ArchiveItem)
                .where(ArchiveItem.volume_id == volume_id)
                .order_by(ArchiveItem.seq)
            )
        )
        row = _volume_row(reader, volume, items)
        # every view of 机密/绝密 content is recorded, once per session (R40, issue 9)
        classified = [
            i.id
            for i in items
            if i.secrecy_level in CLASSIFIED_VIEW_LEVELS and access.may_see(reader, i.secrecy_level)
        ]
        shows = bool(classified) or (
            volume.secrecy_level in CLASSIFIED_VIEW_LEVELS
            and access.may_see(reader, volume.secrecy_level)
        )
        entry = (
            uow.audit.record_view(
                "catalogue.view_classified",
                object_type="volume",
                object_id=volume.id,
                details={"reference_code": volume.reference_code, "items": classified},
            )
            if shows
            else None
        )
        if entry is not None:
            uow.commit()
        return row


def find_by_reference(
    *, session: SignedIn, prefix: str, clock: Clock, limit: int = 50
) -> list[VolumeRow]:
    """Volumes whose 档号 starts with ``prefix`` (an index range read; scanners type full codes)."""
    text = "".join(prefix.split()).upper()
    if not text:
        return []
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        stmt = (
            select(Volume)
            .where(Volume.reference_code >= text, Volume.reference_code < text + "\U0010ffff")
            .order_by(Volume.reference_code)
            .limit(limit)
        )
        return [_volume_row(reader, v) for v in uow.session.scalars(stmt)]


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
            secrecy = _item_secrecy(item)
            if secrecy.ending_within(today, days) and secrecy.ends is not None:
                out.append(
                    ReviewRow(item.id, code, item.seq, item.title, secrecy.marking(), secrecy.ends)
                )
    return sorted(out, key=lambda r: (r.ends, r.reference_code, r.seq))


SECRECY_CHOICES = [(None, "无")] + [(level.value, SECRECY_LABELS[level]) for level in SecrecyLevel]


def customer_for_filing(*, session: SignedIn, number: str, clock: Clock) -> tuple[int, str]:
    """The customer a new volume is filed under, by 客户编号: ``(id, name)``."""
    text = "".join(number.split()).upper()
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.write")
        row = uow.session.execute(
            select(Customer.id, Customer.name).where(Customer.number == text)
        ).first()
        if row is None:
            raise ValidationFailed([FieldError("customer", "not_found")])
        return int(row[0]), str(row[1])


SEARCH_LIMIT = 200


def search_catalogue(
    *, session: SignedIn, query: str, clock: Clock, limit: int = SEARCH_LIMIT
) -> list[VolumeRow]:
    """The catalogue index (R14): 档号 prefix first, then title, pinyin or 备注栏 matches.

    Volumes that hold a matching item count as matches too; newest filed first.

    A 档号 prefix may list volumes above the reader's clearance as "受限" rows (the code is
    what they hold in hand); a title or item match never does.
    """
    text = " ".join(query.split())
    if not text:
        return list_volumes(session=session, clock=clock, limit=limit)
    by_code = find_by_reference(session=session, prefix=text, clock=clock, limit=limit)
    found = {v.id for v in by_code}
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        if not uow.store.location.is_sqlite:
            return by_code
        conn = uow.session.connection()
        volume_ids = catalogue_search.match_volumes(conn, text, 2_000)
        item_ids = catalogue_search.match_items(conn, text, 2_000)
        if item_ids:
            volume_ids += list(
                uow.session.scalars(
                    select(ArchiveItem.volume_id).where(
                        ArchiveItem.id.in_(item_ids),
                        access.secrecy_clause(reader, ArchiveItem.secrecy_level),
                    )
                )
            )
        # newest filed first (ids descend); read candidates a slice at a time and stop once
        # the page is full, so a common word does not load two thousand volumes
        wanted = sorted({i for i in volume_ids if i not in found}, reverse=True)
        room = max(0, limit - len(by_code))
        more: list[VolumeRow] = []
        for start in range(0, len(wanted), 250):
            if len(more) >= room:
                break
            chunk = wanted[start : start + 250]
            visible = uow.session.scalars(
                select(Volume)
                .where(
                    Volume.id.in_(chunk),
                    access.secrecy_clause(reader, Volume.secrecy_level),
                )
                .order_by(Volume.id.desc())
            )
            more += [_volume_row(reader, v) for v in visible]
        more = more[:room]
    return by_code + more


def get_reference_pattern(*, session: SignedIn, clock: Clock) -> str:
    """The 档号 pattern in force (for the settings page)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        return reference_pattern(uow)


def preview_reference(pattern: str, fonds: str = "Z001") -> str:
    """An example code for ``pattern`` (the settings page shows it while typing); ``""`` if bad."""
    if refs.check_pattern(pattern):
        return ""
    values = refs.ReferenceValues(fonds, DEFAULT_CATEGORY, date.today().year, "Y", "BGS")
    return refs.render(pattern, values, 1)


@dataclass(frozen=True)
class VolumeDetails:
    """What may change after filing: the title and the 立卷 details of the 备考表.

    The 档号, year and retention never change once issued.
    """

    title: str
    compiled_by: str
    checked_by: str
    compiled_on: date | None
    notes: str


@dataclass(frozen=True)
class VolumeDetailsView:
    """The current details of a volume, with its version for the edit."""

    details: VolumeDetails
    version: int


def visible_volume(uow: UnitOfWork, reader: Any, volume_id: int) -> Volume:
    """The volume ``volume_id``; refused when missing or above ``reader``'s clearance."""
    volume = uow.session.get(Volume, volume_id)
    if volume is None:
        raise ValidationFailed([FieldError("volume", "not_found")])
    if not access.may_see(reader, volume.secrecy_level):
        raise ValidationFailed([FieldError("volume", "no_clearance")])
    return volume


def _details_record(v: Volume) -> dict[str, str | None]:
    """The editable details as the audit trail records them."""
    return {
        "title": v.title,
        "compiled_by": v.compiled_by,
        "checked_by": v.checked_by,
        "compiled_on": v.compiled_on.isoformat() if v.compiled_on else None,
        "notes": v.notes,
    }


def get_volume_details(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeDetailsView:
    """The editable details of a volume (within clearance)."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        v = visible_volume(uow, reader, volume_id)
        details = VolumeDetails(v.title, v.compiled_by, v.checked_by, v.compiled_on, v.notes)
        return VolumeDetailsView(details, v.version)


def update_volume_details(
    *,
    session: SignedIn,
    volume_id: int,
    details: VolumeDetails,
    expected_version: int,
    clock: Clock,
) -> None:
    """Change a volume's title and 立卷 details (audited before/after, optimistic version)."""
    errors: list[FieldError] = []
    today = clock.now().astimezone().date()
    title = _text(errors, "title", details.title, 300, required=True)
    compiled_by = _text(errors, "compiled_by", details.compiled_by, 64, required=False)
    checked_by = _text(errors, "checked_by", details.checked_by, 64, required=False)
    notes = _text(errors, "notes", details.notes, 2000, required=False)
    if details.compiled_on is not None and details.compiled_on > today:
        errors.append(FieldError("compiled_on", "future"))
    with session.uow(clock) as uow:
        uow.claim_writes()
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.write"))
        v = visible_volume(uow, reader, volume_id)
        if v.state == VolumeState.DESTROYED.value:
            errors.append(FieldError("volume", "destroyed"))
        if v.version != expected_version:
            errors.append(FieldError("volume", "changed"))
        if errors:
            raise ValidationFailed(errors)
        before = _details_record(v)
        v.title, v.compiled_by, v.checked_by = title, compiled_by, checked_by
        v.compiled_on, v.notes = details.compiled_on, notes
        after = _details_record(v)
        v.updated_at = clock.now()
        v.version += 1
        _reindex(uow, volumes=[v])
        uow.audit.record(
            "volume.update",
            object_type="volume",
            object_id=v.id,
            details={
                "reference_code": v.reference_code,
                "changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]},
            },
        )
        uow.commit()
