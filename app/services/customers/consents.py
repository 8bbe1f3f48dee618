"""Consent entries and purpose binding (R4, R5, R36): what every use of customer data checks.

A customer holds consent entries (purposes, method, dates, the signed form encrypted under the
customer's key) or a stated legal basis. Registration needs one (``check_entry``); a reveal,
export, report or 对外提供 names a purpose from the configured list and ``require_purpose``
refuses it, naming why, when no entry covers it that day. The privacy package
(``app.services.privacy``) manages the entries afterwards; it imports this module, never the
reverse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.domain import privacy as rules
from app.errors import FieldError, PurposeRefused
from app.storage.models import ConsentPurpose, Customer, CustomerConsent
from app.storage.store import Store, UnitOfWork

PURPOSES_SETTING = "privacy_purposes"
BASES_SETTING = "privacy_legal_bases"
IMPORT_BASIS_SETTING = "privacy_import_basis"
FORM_MAX_BYTES = 10 * 1024 * 1024

REFUSAL_TEXTS = {
    "withdrawn": "客户已撤回该用途的同意",
    "expired": "同意或处理依据已过期",
    "consent_only": "该用途须经客户明示同意，处理依据不能代替",
    "none": "没有涵盖该用途的同意或处理依据",
    "anonymised": "客户信息已匿名化",
}


@dataclass(frozen=True)
class ConsentInput:
    """A consent (``kind`` consent: purposes, method) or a legal basis (``basis``) as entered."""

    kind: str = rules.EntryKind.CONSENT.value
    purposes: tuple[str, ...] = ()
    method: str = rules.Method.WRITTEN.value
    given_on: date | None = None
    valid_until: date | None = None
    basis: str = ""
    note: str = ""
    form: bytes | None = None  # the signed form (scan), stored encrypted
    form_name: str = ""


@dataclass(frozen=True)
class PurposeSettings:
    """The configured purpose list and what each legal basis covers."""

    purposes: tuple[str, ...]
    bases: dict[str, tuple[str, ...]]
    import_basis: str


def purpose_settings(uow: UnitOfWork) -> PurposeSettings:
    """The purposes and legal bases in force (defaults for anything not stored)."""
    raw = uow.settings.raw()
    purposes = raw.get(PURPOSES_SETTING)
    if not isinstance(purposes, list) or not purposes:
        purposes = list(rules.DEFAULT_PURPOSES)
    bases_raw = raw.get(BASES_SETTING)
    bases: dict[str, tuple[str, ...]] = {}
    if isinstance(bases_raw, dict) and bases_raw:
        for name, covered in bases_raw.items():
            if isinstance(covered, list):
                bases[str(name)] = tuple(str(p) for p in covered)
    else:
        bases = dict(rules.DEFAULT_BASES)
    import_basis = str(raw.get(IMPORT_BASIS_SETTING) or rules.BASIS_CONTRACT)
    return PurposeSettings(tuple(str(p) for p in purposes), bases, import_basis)


def check_entry(
    entry: ConsentInput, settings: PurposeSettings, today: date, *, field: str = "consent"
) -> list[FieldError]:
    """Field errors of one consent or basis entry (empty when it may be stored)."""
    errors: list[FieldError] = []
    if entry.kind == rules.EntryKind.BASIS:
        if entry.basis not in settings.bases:
            errors.append(FieldError(f"{field}.basis", "unknown_basis"))
    elif entry.kind == rules.EntryKind.CONSENT:
        if not entry.purposes:
            errors.append(FieldError(f"{field}.purposes", "required"))
        unknown = [p for p in entry.purposes if p not in settings.purposes]
        if unknown:
            errors.append(FieldError(f"{field}.purposes", "unknown_purpose"))
        if entry.method not in {m.value for m in rules.Method}:
            errors.append(FieldError(f"{field}.method", "required"))
    else:
        errors.append(FieldError(field, "required"))
    if entry.given_on is None:
        errors.append(FieldError(f"{field}.given_on", "required"))
    elif entry.given_on > today:
        errors.append(FieldError(f"{field}.given_on", "future"))
    elif entry.valid_until is not None and entry.valid_until < entry.given_on:
        errors.append(FieldError(f"{field}.valid_until", "before_consent"))
    if len(entry.note.strip()) > 200:
        errors.append(FieldError(f"{field}.note", "too_long", {"max": 200}))
    if entry.form is not None and len(entry.form) > FORM_MAX_BYTES:
        errors.append(FieldError(f"{field}.form", "too_large", {"max_mib": 10}))
    return errors


def write_entry(
    uow: UnitOfWork,
    store: Store,
    customer: Customer,
    entry: ConsentInput,
    *,
    by: int | None,
) -> CustomerConsent:
    """Insert a checked entry and its purposes (the signed form encrypted, customer key)."""
    now = uow.clock.now()
    row = CustomerConsent(
        customer_id=customer.id,
        kind=entry.kind,
        basis=entry.basis if entry.kind == rules.EntryKind.BASIS else "",
        method=entry.method if entry.kind == rules.EntryKind.CONSENT else "",
        given_on=entry.given_on,
        valid_until=entry.valid_until,
        note=entry.note.strip()[:200],
        form_sha256="",
        created_at=now,
        created_by=by,
    )
    uow.session.add(row)
    uow.session.flush()
    if entry.form is not None:
        attach_form(store, customer, row, entry.form, entry.form_name)
    if entry.kind == rules.EntryKind.CONSENT:
        for purpose in dict.fromkeys(entry.purposes):
            uow.session.add(ConsentPurpose(consent_id=row.id, purpose=purpose))
    uow.session.flush()
    return row


def attach_form(
    store: Store, customer: Customer, row: CustomerConsent, content: bytes, name: str
) -> None:
    """Store the signed consent form encrypted under the customer's own key (erased with it)."""
    cipher = store.vault.cipher(customer.key_id)
    bound = f"{customer.row_key}:{row.id}"
    # a field cipher takes text: the form travels as latin-1 (one byte, one character)
    row.form_enc = cipher.encrypt(
        content.decode("latin-1"), table="customer_consent", column="form", row_key=bound
    )
    row.form_name_enc = cipher.encrypt(
        name.strip()[:200] or "form", table="customer_consent", column="form_name", row_key=bound
    )
    row.form_sha256 = hashlib.sha256(content).hexdigest()


def read_form(store: Store, customer: Customer, row: CustomerConsent) -> tuple[str, bytes]:
    """The signed form's name and content (raises when the key is gone)."""
    if row.form_enc is None or row.form_name_enc is None:
        return "", b""
    cipher = store.vault.cipher(customer.key_id)
    bound = f"{customer.row_key}:{row.id}"
    content = cipher.decrypt(
        row.form_enc, table="customer_consent", column="form", row_key=bound
    ).encode("latin-1")
    name = cipher.decrypt(
        row.form_name_enc, table="customer_consent", column="form_name", row_key=bound
    )
    return name, content


def load_entries(uow: UnitOfWork, customer_id: int) -> list[tuple[CustomerConsent, rules.Entry]]:
    """The customer's entries (oldest first), each with its plain rule row."""
    rows = list(
        uow.session.scalars(
            select(CustomerConsent)
            .where(CustomerConsent.customer_id == customer_id)
            .order_by(CustomerConsent.id)
        )
    )
    purposes: dict[int, dict[str, date | None]] = {r.id: {} for r in rows}
    if rows:
        for p in uow.session.scalars(
            select(ConsentPurpose).where(ConsentPurpose.consent_id.in_(list(purposes)))
        ):
            purposes[p.consent_id][p.purpose] = p.withdrawn_on
    return [
        (
            r,
            rules.Entry(
                kind=r.kind,
                basis=r.basis,
                given_on=r.given_on,
                valid_until=r.valid_until,
                purposes=purposes[r.id],
            ),
        )
        for r in rows
    ]


def require_purpose(
    uow: UnitOfWork, customer: Customer, purpose: str, today: date
) -> CustomerConsent | None:
    """The entry that allows ``purpose`` for ``customer`` today; refuse naming why (R4, R36).

    A customer's own request (客户查询) needs no consent: it is their right.
    """
    if purpose == rules.SUBJECT_REQUEST:
        return None
    settings = purpose_settings(uow)
    if customer.anonymised_at is not None:
        raise PurposeRefused(purpose=purpose, why=REFUSAL_TEXTS["anonymised"])
    if purpose not in settings.purposes:
        raise PurposeRefused(purpose=purpose, why=REFUSAL_TEXTS["none"])
    entries = load_entries(uow, customer.id)
    plain = [e for _, e in entries]
    found = rules.covering(plain, purpose, today, settings.bases)
    if found is None:
        reason = rules.refusal_reason(plain, purpose, today, settings.bases) or "none"
        raise PurposeRefused(purpose=purpose, why=REFUSAL_TEXTS[reason])
    return next(row for row, e in entries if e is found)


def allowed_ids(uow: UnitOfWork, ids: Sequence[int], purpose: str, today: date) -> set[int]:
    """Which of the customers ``ids`` may be used for ``purpose`` today (lists, exports).

    Three queries per 500 customers, whatever the number of entries.
    """
    if purpose == rules.SUBJECT_REQUEST:
        return set(ids)
    settings = purpose_settings(uow)
    if purpose not in settings.purposes:
        return set()
    ok: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        live = set(
            uow.session.scalars(
                select(Customer.id).where(Customer.id.in_(chunk), Customer.anonymised_at.is_(None))
            )
        )
        rows = list(
            uow.session.scalars(
                select(CustomerConsent).where(CustomerConsent.customer_id.in_(list(live)))
            )
        )
        purposes: dict[int, dict[str, date | None]] = {r.id: {} for r in rows}
        if rows:
            for p in uow.session.scalars(
                select(ConsentPurpose).where(ConsentPurpose.consent_id.in_(list(purposes)))
            ):
                purposes[p.consent_id][p.purpose] = p.withdrawn_on
        entries: dict[int, list[rules.Entry]] = {}
        for r in rows:
            entries.setdefault(r.customer_id, []).append(
                rules.Entry(r.kind, r.basis, r.given_on, r.valid_until, purposes[r.id])
            )
        for cid, found in entries.items():
            if rules.covering(found, purpose, today, settings.bases) is not None:
                ok.add(cid)
    return ok


def initial_entry(
    *,
    consent: ConsentInput | None,
    legal_basis: str,
    legacy_date: date | None,
    legacy_purpose: str,
    legacy_until: date | None,
    legacy_method: str,
    settings: PurposeSettings,
    today: date,
) -> tuple[ConsentInput | None, list[FieldError]]:
    """The entry a registration stores (R4): a consent, else a legal basis, else an error.

    The old consent fields (date, purpose text, until, method) still make a consent: covering
    合同履行 and 客户服务, the old purpose text kept as its note.
    """
    if consent is not None:
        entry = consent
    elif legal_basis.strip():
        entry = ConsentInput(
            kind=rules.EntryKind.BASIS.value, basis=legal_basis.strip(), given_on=today
        )
    elif legacy_date is not None:
        entry = ConsentInput(
            kind=rules.EntryKind.CONSENT.value,
            purposes=tuple(p for p in (rules.CONTRACT, rules.SERVICE) if p in settings.purposes),
            method=(
                rules.Method.ELECTRONIC.value
                if "电子" in legacy_method
                else rules.Method.WRITTEN.value
            ),
            given_on=legacy_date,
            valid_until=legacy_until,
            note=legacy_purpose.strip()[:200],
        )
    else:
        return None, [FieldError("consent", "consent_or_basis")]
    return entry, check_entry(entry, settings, today)
