"""Customer ledger rows checked, and made ready to insert: keys, ciphertexts, index entries.

Pure computation on plain data, no database. :func:`check_block` puts rows through the
customer form's rules and keeps each accepted one as a :class:`CustomerRow`; the import hands
those to a :class:`Preparer` and gets back, chunk by chunk, the parameter tuples of every
table it writes (:class:`Prepared`). A small ledger is done in the importing process, a large
one partly in a worker process (``customer_worker``).

Each customer's own key is made and used here and leaves only wrapped for the vault (R8): the
keys a worker process makes never reach the importing process (which makes the first chunk's
itself, while the worker starts).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from app.domain import identity
from app.domain import privacy as privacy_rules
from app.security.crypto import KEY_BYTES, BlindIndex, FieldCipher, NoncePool
from app.security.vault import KeyWrapper
from app.services.customers import CleanDraft, validate_draft
from app.services.imports.kinds.base import ParsedRow, RowOutcome
from app.services.imports.kinds.customer_rows import customer_draft
from app.storage.search_sqlite import IndexBatch, IndexRow, NameEntries

_ENTROPY = 32 + KEY_BYTES  # random bytes per customer: key id, row key, its key
DEFAULT_CONSENT_NOTE = "导入时的默认处理依据"

Rows = list[Any]  # parameter tuples


@dataclass(frozen=True)
class Protection:
    """The keys a preparer needs: the vault's key wrapper and the blind index (picklable)."""

    wrapper: KeyWrapper
    blind_index: BlindIndex


@dataclass(frozen=True)
class Plan:
    """What is fixed for the whole import: first ids, numbers, the time, the consent defaults."""

    count: int  # customers to prepare
    first_id: int  # the first customer's id (consecutive after it)
    last_number: int  # the 客户编号 counter before the import
    first_consent: int  # the first consent row's id
    now: datetime
    actor_id: int | None
    import_basis: str  # R4: the legal basis of customers without a consent date
    consent_purposes: tuple[str, ...]  # purposes of a dated consent (those configured)
    embedded: bool  # SQLite: search-index entries computed here (else index rows only)
    # SQLite: times and dates as the driver stores them (``now``'s text, ISO dates), so the
    # rows go to the driver as they are; None: as Python objects (converted when inserted)
    stamp: str | None = None


@dataclass
class Prepared:
    """One chunk's parameter tuples, in the column orders of ``customers._*_COLUMNS``."""

    wrapped: list[tuple[str, bytes]] = field(default_factory=list)  # (key id, wrapped key)
    customers: Rows = field(default_factory=list)
    phones: Rows = field(default_factory=list)
    addresses: Rows = field(default_factory=list)
    banks: Rows = field(default_factory=list)
    history: Rows = field(default_factory=list)
    consents: Rows = field(default_factory=list)
    purposes: Rows = field(default_factory=list)
    index_rows: list[IndexRow] = field(default_factory=list)  # server databases
    fts: Rows = field(default_factory=list)  # SQLite search index, in key order
    grams: Rows = field(default_factory=list)
    keys: Rows = field(default_factory=list)


class CustomerRow(NamedTuple):
    """A checked customer as plain values: what the check keeps and the import writes.

    Cheap to send between processes (a tuple of strings, dates and tuples): a large ledger is
    checked and prepared partly in a worker process.
    """

    party: str
    kind: str
    category: str
    status: str
    importance: str
    name: str  # normalized when the row was read (cells.text)
    gender: str | None
    birth_date: str | None  # ISO date, as encrypted
    id_type: str | None
    id_number: str | None
    email: str | None
    consent_date: date | None
    consent_purpose: str  # trimmed, at most 200 characters
    remarks: str  # trimmed
    phones: tuple[tuple[str, str, str], ...]  # (stored form, E.164, label)
    addresses: tuple[str, ...]
    bank_accounts: tuple[tuple[str, str], ...]  # (account, bank name)


def row_of(clean: CleanDraft) -> CustomerRow:
    """The plain values of a draft the customer form's rules accepted."""
    draft = clean.draft
    return CustomerRow(
        str(draft.party),  # enum members as their values (what the database stores)
        str(draft.kind),
        str(draft.category),
        str(draft.status),
        str(draft.importance),
        draft.name,
        clean.gender,
        clean.birth_date.isoformat() if clean.birth_date else None,
        None if draft.id_type is None else str(draft.id_type),
        clean.id_number,
        clean.email,
        draft.consent_date,
        draft.consent_purpose.strip()[:200],
        draft.remarks.strip(),
        tuple((phone.stored, phone.e164, label) for phone, label in clean.phones),
        tuple(a.address for a in draft.addresses),
        clean.bank_accounts,
    )


Digests = dict[str, dict[str, bytes]]  # blind index per column and value


def block_digests(outcomes: Sequence[RowOutcome], blind_index: BlindIndex) -> Digests:
    """The blind indexes the duplicate checks look up for accepted rows.

    ID numbers, phones (E.164) and bank accounts, per column as ``KindContext.digests``
    keeps them: computed beside the rows' check (in the worker for its blocks), not after.
    """
    ids: dict[str, bytes] = {}
    phones: dict[str, bytes] = {}
    accounts: dict[str, bytes] = {}
    digest = blind_index.digest
    for o in outcomes:
        clean: CustomerRow | None = o.clean
        if clean is None:
            continue
        if clean.id_number:
            ids[clean.id_number] = digest("customer.id_number", clean.id_number)
        for _stored, e164, _label in clean.phones:
            phones[e164] = digest("customer.phone", e164)
        for account, _bank in clean.bank_accounts:
            accounts[account] = digest("customer.bank_account", account)
    return {
        "customer.id_number": ids,
        "customer.phone": phones,
        "customer.bank_account": accounts,
    }


def check_block(rows: Sequence[ParsedRow], today: date) -> list[RowOutcome]:
    """Each row through the customer form's rules (``validate_draft``): its verdict.

    Row by row, nothing shared between rows (the duplicate checks come after, over all of
    them), so blocks of a large ledger can be checked in different processes.
    """
    outcomes = []
    for row in rows:
        draft, errors = customer_draft(row)
        clean, more, warnings = validate_draft(draft, today=today)
        kept = None if clean is None else row_of(clean)
        outcomes.append(RowOutcome(row.number, errors + more, warnings, kept))
    return outcomes


def new_keys(count: int) -> list[tuple[str, str, bytes]]:
    """``count`` new customers' ``(key id, row key, key)``, made but not stored yet.

    Random ids as ``register_customer`` makes them (uuid4 hex), without the UUID objects,
    from one ``os.urandom`` call; the key ids and row keys are handed out in sorted order, so
    the vault's and the customer table's B-trees over them are appended to, not split at
    random places (chunk after chunk).
    """
    entropy = os.urandom(_ENTROPY * count)
    parts = [entropy[_ENTROPY * i : _ENTROPY * (i + 1)] for i in range(count)]
    key_ids = sorted(p[:16].hex() for p in parts)
    row_keys = sorted(p[16:32].hex() for p in parts)
    return list(zip(key_ids, row_keys, [p[32:] for p in parts], strict=True))


class Preparer:
    """Prepares the import's customers chunk by chunk (in order), from one set of new keys."""

    def __init__(self, protection: Protection, plan: Plan, *, keys_per_chunk: bool = False) -> None:
        """A preparer with the import's keys made (``keys_per_chunk``: made chunk by chunk).

        ``keys_per_chunk`` is for a chunk or two of a large import; else every key of the
        import is made at once, in sorted order.
        """
        self._protection = protection
        self._plan = plan
        self._keys = [] if keys_per_chunk else new_keys(plan.count)
        self._nonces = NoncePool()  # AES-GCM nonces: one system call per 4,096 values
        self._names: dict[str, NameEntries] = {}  # search-index entries per name (names repeat)
        self._digests: dict[tuple[str, str], bytes] = {}
        self._default_day: Any = self._day(plan.now.astimezone().date())

    def _day(self, value: date | None) -> Any:
        """A date as it is inserted (text when the plan has a ``stamp``)."""
        return value.isoformat() if value is not None and self._plan.stamp is not None else value

    def _digest(self, column: str, value: str) -> bytes:
        found = self._digests.get((column, value))
        if found is None:
            found = self._digests[column, value] = self._protection.blind_index.digest(
                column, value
            )
        return found

    def chunk(self, start: int, specs: Sequence[tuple[Any, ...]]) -> Prepared:
        """The rows of customers ``start`` … ``start + len(specs) - 1`` (0-based in the import)."""
        plan, out = self._plan, Prepared()
        part_keys = self._keys[start : start + len(specs)] if self._keys else new_keys(len(specs))
        out.wrapped = self._protection.wrapper.wrap_many((k, key) for k, _r, key in part_keys)
        digest, nonces, actor_id = self._digest, self._nonces, plan.actor_id
        now: Any = plan.now if plan.stamp is None else plan.stamp
        day = self._day
        customers, phones, addresses, banks = out.customers, out.phones, out.addresses, out.banks
        history, consents, purposes = out.history, out.consents, out.purposes
        index = out.index_rows
        for offset, spec in enumerate(specs):
            (
                party,
                kind,
                category,
                status,
                importance,
                name,
                gender,
                birth,
                id_type,
                id_number,
                email,
                consent_date,
                consent_purpose,
                remarks,
                phone_list,
                address_list,
                bank_list,
            ) = spec
            at = start + offset
            cid = plan.first_id + at
            number = f"KH{plan.last_number + at + 1:08d}"
            key_id, row_key, key = part_keys[offset]
            enc = FieldCipher(key).for_row(row_key, nonces)
            customers.append(
                (
                    cid,
                    number,
                    row_key,
                    key_id,
                    party,
                    kind,
                    category,
                    status,
                    importance,
                    name,
                    gender,
                    enc("customer", "birth_date", birth) if birth else None,
                    id_type if id_number else None,
                    enc("customer", "id_number", id_number) if id_number else None,
                    digest("customer.id_number", id_number) if id_number else None,
                    identity.region_code(id_type, id_number),  # province, for the statistics
                    enc("customer", "email", email) if email else None,
                    None,  # 负责人员
                    day(consent_date),
                    consent_purpose,
                    None,  # consent until
                    "",  # consent method
                    remarks,
                    "",  # index remarks
                    False,  # suspected duplicate: flagged after the inserts
                    now,
                    now,
                    1,  # version
                )
            )
            for pos, (stored, e164, label) in enumerate(phone_list):
                phones.append(
                    (
                        cid,
                        pos,
                        label,
                        enc("customer_phone", f"phone.{pos}", stored),
                        digest("customer.phone", e164),
                        digest("customer.phone_tail", e164[-4:]),
                    )
                )
            for pos, address in enumerate(address_list):
                addresses.append((cid, pos, "", enc("customer_address", f"address.{pos}", address)))
            for pos, (account, bank_name) in enumerate(bank_list):
                banks.append(
                    (
                        cid,
                        pos,
                        bank_name,
                        enc("customer_bank_account", f"bank_account.{pos}", account),
                        digest("customer.bank_account", account),
                    )
                )
            history.append((cid, None, status, now, actor_id, "导入"))
            index.append(IndexRow(cid, name, number, remarks))
            consent_id = plan.first_consent + at
            consents.append(self._consent(consent_id, cid, consent_date, consent_purpose, now))
            if consent_date is not None:
                purposes.extend((consent_id, p, None) for p in plan.consent_purposes)
        if plan.embedded:
            batch = IndexBatch.of(index, self._names)
            out.fts = batch.fts
            out.grams = sorted(batch.grams)  # key order: neighbouring inserts share pages
            out.keys = sorted(batch.keys, key=itemgetter(0, 1))
            out.index_rows = []
        return out

    def _consent(
        self, consent_id: int, customer_id: int, given: date | None, purpose: str, now: Any
    ) -> tuple[Any, ...]:
        """The customer's consent (the ledger's 同意日期) or default legal basis (R4).

        In ``customers._CONSENT_COLUMNS`` order.
        """
        plan = self._plan
        dated = given is not None
        return (
            consent_id,
            customer_id,
            "consent" if dated else "basis",
            "" if dated else plan.import_basis,
            "written" if dated else "",
            self._day(given) if dated else self._default_day,
            None,
            purpose if dated else DEFAULT_CONSENT_NOTE,
            None,
            None,
            "",
            now,
            plan.actor_id,
        )


def consent_purposes(configured: Sequence[str]) -> tuple[str, ...]:
    """The purposes a dated ledger consent covers: 合同 and 服务, where configured."""
    return tuple(p for p in (privacy_rules.CONTRACT, privacy_rules.SERVICE) if p in configured)
