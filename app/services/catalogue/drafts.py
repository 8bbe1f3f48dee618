"""Volume and item drafts as typed, and the form rules that check them (also for ledger imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.domain.catalogue import (
    Carrier,
    Retention,
    Secrecy,
    SecrecyLevel,
    parse_retention,
)
from app.errors import (
    FieldError,
)
from app.services.common import clean_text, member_of

MAX_TERM_YEARS = 50


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


check_text = clean_text  # a trimmed text; ``required`` / ``too_long`` added to the errors


def _level(errors: list[FieldError], value: str | None) -> SecrecyLevel | None:
    if value in (None, ""):
        return None
    error = FieldError("secrecy_level", "format", {"expected": "秘密、机密或绝密"})
    return member_of(errors, SecrecyLevel, str(value), error)


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


@dataclass(frozen=True)
class CleanVolume:
    """A checked volume draft: trimmed texts and the retention code."""

    title: str
    retention: Retention | None
    org: str
    compiled_by: str
    checked_by: str
    notes: str


def check_volume_draft(
    draft: VolumeDraft, *, today: date, errors: list[FieldError], note_rules: bool = False
) -> CleanVolume:
    """The form's rules for a new volume (also used by the ledger import); appends errors.

    ``note_rules``: the volume form's save: the 备考表's rules apply (see :func:`check_filing`).
    """
    title = check_text(errors, "title", draft.title, 300, required=True)
    retention = parse_retention(draft.retention)
    if retention is None:
        errors.append(FieldError("retention", "format", {"expected": "永久、定期30年或定期10年"}))
    if not 1900 <= draft.year <= today.year + 1:
        errors.append(FieldError("year", "range", {"min": 1900, "max": today.year + 1}))
    org = check_text(errors, "org_code", draft.org_code, 16, required=False).upper()
    compiled_by, checked_by, notes = check_filing(errors, draft, today=today, note_rules=note_rules)
    return CleanVolume(title, retention, org, compiled_by, checked_by, notes)


class Filing(Protocol):
    """The 立卷 details a volume form carries (a new volume's draft, a volume's edit)."""

    @property
    def compiled_by(self) -> str:
        """立卷人 as typed."""

    @property
    def checked_by(self) -> str:
        """检查人 as typed."""

    @property
    def notes(self) -> str:
        """本卷情况说明 as typed."""

    @property
    def compiled_on(self) -> date | None:
        """立卷时间."""


def check_filing(
    errors: list[FieldError],
    filing: Filing,
    *,
    today: date,
    note_rules: bool = False,
    latest_item_date: date | None = None,
) -> tuple[str, str, str]:
    """The 立卷 details of the 备考表 (new volume or edit): trimmed 立卷人, 检查人 and notes.

    With ``note_rules`` (the volume forms' saves) the 卷内备考表's own rules — the ones printing
    checks, :func:`app.printing.catalogue_forms.check_note_sheet` — apply as soon as any of
    立卷人, 检查人 or 本卷情况说明 is filled in: a volume is filed bare (its 备考表 completed
    later) or with a 备考表 that prints, never with one that 打印备考表 would refuse.
    """
    from app.printing.catalogue_forms import check_note_sheet  # no ReportLab: plain rules

    compiled_by = check_text(errors, "compiled_by", filing.compiled_by, 64, required=False)
    checked_by = check_text(errors, "checked_by", filing.checked_by, 64, required=False)
    notes = check_text(errors, "notes", filing.notes, 2000, required=False)
    compiled_on = filing.compiled_on
    if compiled_on is not None and compiled_on > today:
        errors.append(FieldError("compiled_on", "future"))
    elif note_rules and filing_started(compiled_by, checked_by, notes):
        named = {e.field for e in errors}
        errors.extend(
            e
            for e in check_note_sheet(
                notes=notes,
                compiled_by=compiled_by,
                checked_by=checked_by,
                compiled_on=compiled_on,
                latest_item_date=latest_item_date,
            )
            if e.field not in named
        )
    return compiled_by, checked_by, notes


def filing_started(compiled_by: str, checked_by: str, notes: str) -> bool:
    """Whether any 备考表 detail is filled in (then the whole 备考表 must be right)."""
    return any(text.strip() for text in (compiled_by, checked_by, notes))


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
    title = check_text(errors, "title", draft.title, 300, required=True)
    doc_number = check_text(errors, "doc_number", draft.doc_number, 64, required=False)
    author = check_text(errors, "author", draft.author, 100, required=False)
    remarks = check_text(errors, "remarks", draft.remarks, 2000, required=False)
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
