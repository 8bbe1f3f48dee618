"""Customers (客户) as an import kind: checked like the form, written in bulk, undone whole.

Each imported customer gets its own key (committed to the vault before the rows that use it,
R8), its contacts, its first status entry and its search-index entries; customers sharing a
phone or bank account with anyone are flagged 疑似重复 (R3) in one pass at the end.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, insert, select, update

from app.domain import identity
from app.domain import privacy as privacy_rules
from app.errors import FieldError
from app.security.crypto import KEY_BYTES, FieldCipher, NoncePool
from app.services.customers import (
    NUMBER_SETTING,
    CleanDraft,
    refresh_duplicate_mark,
    validate_draft,
)
from app.services.customers.consents import PurposeSettings, purpose_settings
from app.services.imports.duplicates import customer_groups
from app.services.imports.kinds.base import (
    CHUNK,
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    Written,
    check_cancel,
    settle,
)
from app.services.imports.kinds.bulk import (
    ChunkWriter,
    advance_sequence,
    chunks,
    insert_tuples,
    next_id,
    quick_delete,
    span,
)
from app.services.imports.kinds.customer_rows import CUSTOMER_FIELDS, customer_draft
from app.storage import search as search_index
from app.storage.models import (
    ConsentPurpose,
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerConsent,
    CustomerPhone,
    CustomerStatusChange,
    DuplicateFlag,
    Volume,
)
from app.storage.store import UnitOfWork

_ENTROPY = 32 + KEY_BYTES  # random bytes per customer: key id, row key, its key


class CustomerImport:
    """Customers (客户): one row per customer."""

    key = "customers"
    label = "客户"
    permission = "customer.write"
    fields = CUSTOMER_FIELDS
    masked_fields = frozenset({"name", "id_number", "phone", "phone2", "bank_account", "address"})

    def mapping_errors(self, keys: set[str]) -> list[FieldError]:
        """Nothing beyond the required 客户名称."""
        return []

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Form rules per row; the same ID twice (in the file or registered) is refused (R3)."""
        outcomes = []
        for n, row in enumerate(rows):
            ctx.tick(n, len(rows))
            draft, errors = customer_draft(row)
            clean, more, warnings = validate_draft(draft, today=ctx.today)
            outcomes.append(RowOutcome(row.number, errors + more, warnings, clean))
        first_row: dict[str, int] = {}
        by_digest: dict[bytes, RowOutcome] = {}
        for o in outcomes:
            clean_draft: CleanDraft | None = o.clean
            if clean_draft is None or not clean_draft.id_number:
                continue
            seen = first_row.get(clean_draft.id_number)
            if seen is not None:
                o.errors.append(FieldError("id_number", "duplicate_in_file", {"row": seen}))
                continue
            first_row[clean_draft.id_number] = o.row
            by_digest[ctx.digest("customer.id_number", clean_draft.id_number)] = o
        _registered(ctx, by_digest)
        customer_groups(ctx, outcomes)  # duplicates flagged and shown for a decision
        return settle(outcomes)

    def recheck(self, ctx: KindContext, outcomes: list[RowOutcome]) -> list[RowOutcome]:
        """The preview's verdicts, the ID numbers looked up again (registered since?)."""
        by_digest: dict[bytes, RowOutcome] = {}
        for o in outcomes:
            clean_draft: CleanDraft | None = o.clean
            if o.ok and clean_draft is not None and clean_draft.id_number:
                by_digest[ctx.digest("customer.id_number", clean_draft.id_number)] = o
        _registered(ctx, by_digest)
        return settle(outcomes)

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Customers with their own keys (committed to the vault first), contacts, index."""
        uow, store = ctx.uow, ctx.uow.store
        valid = [o for o in outcomes if o.ok and o.clean is not None]
        first = next_id(uow, Customer)
        last_number = int(uow.settings.raw().get(NUMBER_SETTING, 0))
        keys = _new_keys(len(valid))
        wrapper = store.vault.wrapper()
        digest = ctx.digest
        conn = uow.session.connection()
        actor_id, now = ctx.reader.user_id, ctx.now
        names_seen: dict[str, Any] = {}  # search-index entries per name (names repeat)
        nonces = NoncePool()  # AES-GCM nonces: one system call per 4,096 values
        # R4 (issue 18): each imported customer gets a consent (when the ledger dates one) or
        # the configured default legal basis (setting privacy_import_basis, 合同必需 by default)
        consent_settings = purpose_settings(uow)
        next_consent = next_id(uow, CustomerConsent)
        with ChunkWriter() as writer:  # a chunk is inserted while the next one is prepared
            for start in range(0, len(valid), CHUNK):
                check_cancel(progress)
                part_keys = keys[start : start + CHUNK]
                wrapped = wrapper.wrap_many((key_id, key) for key_id, _row_key, key in part_keys)
                store.vault.store_wrapped(wrapped, now)  # durable before the rows using them (R8)
                ctx.new_keys.extend(key_id for key_id, _w in wrapped)
                customers: list[tuple[Any, ...]] = []
                phones: list[tuple[Any, ...]] = []
                addresses: list[tuple[Any, ...]] = []
                banks: list[tuple[Any, ...]] = []
                history: list[tuple[Any, ...]] = []
                consents: list[tuple[Any, ...]] = []
                purposes: list[tuple[Any, ...]] = []
                index: list[search_index.IndexRow] = []
                for offset, o in enumerate(valid[start : start + CHUNK]):
                    clean: CleanDraft = o.clean
                    draft = clean.draft
                    cid = first + start + offset
                    number = f"KH{last_number + start + offset + 1:08d}"
                    key_id, row_key, key = part_keys[offset]
                    enc = FieldCipher(key).for_row(row_key, nonces)
                    name = draft.name  # normalized when the row was read (cells.text)
                    id_number = clean.id_number
                    remarks = draft.remarks.strip()
                    customers.append(
                        (
                            cid,
                            number,
                            row_key,
                            key_id,
                            draft.party,
                            draft.kind,
                            draft.category,
                            draft.status,
                            draft.importance,
                            name,
                            clean.gender,
                            enc("customer", "birth_date", clean.birth_date.isoformat())
                            if clean.birth_date
                            else None,
                            draft.id_type if id_number else None,
                            enc("customer", "id_number", id_number) if id_number else None,
                            digest("customer.id_number", id_number) if id_number else None,
                            identity.region_code(draft.id_type, id_number),
                            enc("customer", "email", clean.email) if clean.email else None,
                            None,  # 负责人员
                            draft.consent_date,
                            draft.consent_purpose.strip()[:200],
                            None,  # consent until
                            "",  # consent method
                            remarks,
                            "",  # index remarks
                            False,  # suspected duplicate: flagged below
                            now,
                            now,
                            1,  # version
                        )
                    )
                    for pos, (phone, label) in enumerate(clean.phones):
                        phones.append(
                            (
                                cid,
                                pos,
                                label,
                                enc("customer_phone", f"phone.{pos}", phone.stored),
                                digest("customer.phone", phone.e164),
                                digest("customer.phone_tail", phone.e164[-4:]),
                            )
                        )
                    for pos, a in enumerate(draft.addresses):
                        addresses.append(
                            (cid, pos, "", enc("customer_address", f"address.{pos}", a.address))
                        )
                    for pos, (account, bank_name) in enumerate(clean.bank_accounts):
                        banks.append(
                            (
                                cid,
                                pos,
                                bank_name,
                                enc("customer_bank_account", f"bank_account.{pos}", account),
                                digest("customer.bank_account", account),
                            )
                        )
                    history.append((cid, None, draft.status, now, actor_id, "导入"))
                    index.append(search_index.IndexRow(cid, name, number, remarks))
                    consents.append(
                        _consent_row(next_consent, cid, draft, consent_settings, now, actor_id)
                    )
                    if draft.consent_date is not None:
                        purposes.extend(
                            (next_consent, p, None)
                            for p in (privacy_rules.CONTRACT, privacy_rules.SERVICE)
                            if p in consent_settings.purposes
                        )
                    next_consent += 1
                tables = (
                    (Customer, _CUSTOMER_COLUMNS, customers),
                    (CustomerPhone, _PHONE_COLUMNS, phones),
                    (CustomerAddress, _ADDRESS_COLUMNS, addresses),
                    (CustomerBankAccount, _BANK_COLUMNS, banks),
                    (CustomerStatusChange, _HISTORY_COLUMNS, history),
                    (CustomerConsent, _CONSENT_COLUMNS, consents),
                    (ConsentPurpose, _PURPOSE_COLUMNS, purposes),
                )
                indexed = search_index.prepare_customers_fresh(conn, index, names_seen)
                writer.submit(partial(_insert_chunk, conn, tables, indexed))
                if progress is not None:
                    progress.report(start + len(customers), len(valid))
        uow.settings.put(NUMBER_SETTING, last_number + len(valid))
        advance_sequence(uow, "customer")
        advance_sequence(uow, "customer_consent")
        flagged = flag_duplicates(uow, first, ctx.now) if valid else set()
        for o, cid in zip(valid, range(first, first + len(valid)), strict=True):
            o.flagged = cid in flagged
        spans = {"customer": span(first, len(valid))} if valid else {}
        numbers = {}
        if valid:
            numbers = {
                "first_number": f"KH{last_number + 1:08d}",
                "last_number": f"KH{last_number + len(valid):08d}",
            }
        return Written(spans, len(flagged), numbers)

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Delete the imported customers (keys destroyed, R8) unless anything changed them."""
        ids = spans.get("customer")
        if not ids:
            return True
        first, last, count = ids
        in_span = Customer.id.between(first, last)
        if uow.session.scalar(select(func.count()).where(in_span)) != count:
            return False
        changed = uow.session.scalar(
            select(func.count()).where(
                in_span, (Customer.version != 1) | (Customer.updated_at != Customer.created_at)
            )
        )
        used = uow.session.scalar(
            select(func.count()).select_from(Volume).where(Volume.customer_id.between(first, last))
        )
        cleared = uow.session.scalar(
            select(func.count())
            .select_from(DuplicateFlag)
            .where(
                DuplicateFlag.cleared_at.is_not(None),
                DuplicateFlag.customer_id.between(first, last)
                | DuplicateFlag.other_customer_id.between(first, last),
            )
        )
        if changed or used or cleared:
            return False
        partners = set(
            uow.session.scalars(
                select(DuplicateFlag.other_customer_id).where(
                    DuplicateFlag.customer_id.between(first, last)
                )
            )
        ) | set(
            uow.session.scalars(
                select(DuplicateFlag.customer_id).where(
                    DuplicateFlag.other_customer_id.between(first, last)
                )
            )
        )
        partners = {p for p in partners if not first <= p <= last}
        key_ids = list(uow.session.scalars(select(Customer.key_id).where(in_span)))
        conn = uow.session.connection()
        search_index.remove_customers(conn, list(range(first, last + 1)))
        uow.session.execute(
            quick_delete(DuplicateFlag).where(
                DuplicateFlag.customer_id.between(first, last)
                | DuplicateFlag.other_customer_id.between(first, last)
            )
        )
        consent_ids = select(CustomerConsent.id).where(
            CustomerConsent.customer_id.between(first, last)
        )
        uow.session.execute(
            quick_delete(ConsentPurpose).where(ConsentPurpose.consent_id.in_(consent_ids))
        )
        for child in (
            CustomerPhone,
            CustomerAddress,
            CustomerBankAccount,
            CustomerStatusChange,
            CustomerConsent,
        ):
            uow.session.execute(quick_delete(child).where(child.customer_id.between(first, last)))
        uow.session.execute(quick_delete(Customer).where(in_span))
        uow.session.expire_all()
        for other in partners:
            refresh_duplicate_mark(uow, other)
        # erase first (R8), as delete_customer does: a failed commit leaves unreadable rows
        uow.store.vault.destroy(key_ids)
        return True


def _registered(ctx: KindContext, by_digest: dict[bytes, RowOutcome]) -> None:
    """Refuse the rows whose ID number is already registered (R3)."""
    for chunk in chunks(list(by_digest)):
        for digest, number in ctx.uow.session.execute(
            select(Customer.id_number_bidx, Customer.number).where(
                Customer.id_number_bidx.in_(chunk)
            )
        ):
            by_digest[digest or b""].errors.append(
                FieldError("id_number", "duplicate_id", {"number": number})
            )


_CUSTOMER_COLUMNS = (
    "id",
    "number",
    "row_key",
    "key_id",
    "party",
    "kind",
    "category",
    "status",
    "importance",
    "name",
    "gender",
    "birth_date_enc",
    "id_type",
    "id_number_enc",
    "id_number_bidx",
    "region",
    "email_enc",
    "responsible_user_id",
    "consent_date",
    "consent_purpose",
    "consent_until",
    "consent_method",
    "remarks",
    "index_remarks",
    "suspected_duplicate",
    "created_at",
    "updated_at",
    "version",
)
_PHONE_COLUMNS = ("customer_id", "position", "label", "phone_enc", "phone_bidx", "tail_bidx")
_ADDRESS_COLUMNS = ("customer_id", "position", "label", "address_enc")
_BANK_COLUMNS = ("customer_id", "position", "bank_name", "account_enc", "account_bidx")
_HISTORY_COLUMNS = ("customer_id", "old_status", "new_status", "changed_at", "changed_by", "note")
_CONSENT_COLUMNS = (
    "id",
    "customer_id",
    "kind",
    "basis",
    "method",
    "given_on",
    "valid_until",
    "note",
    "form_enc",
    "form_name_enc",
    "form_sha256",
    "created_at",
    "created_by",
)
_PURPOSE_COLUMNS = ("consent_id", "purpose", "withdrawn_on")


def _insert_chunk(
    conn: Any, tables: Sequence[tuple[Any, Sequence[str], list[tuple[Any, ...]]]], index: Any
) -> None:
    """One chunk's rows into their tables, then its search-index entries (writer thread)."""
    for model, names, rows in tables:
        insert_tuples(conn, model.__table__, names, rows)
    index()


def _new_keys(count: int) -> list[tuple[str, str, bytes]]:
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


def flag_duplicates(uow: UnitOfWork, first: int, now: datetime) -> set[int]:
    """疑似重复 (R3) for new customers sharing a phone or bank account with anyone; return ids.

    One join per kind over the blind indexes instead of three queries per customer. Pairs are
    unordered and flagged once per reason (the newer customer first).
    """
    involved: set[int] = set()
    flags: list[dict[str, Any]] = []
    for model, column, reason in (
        (CustomerPhone, "phone_bidx", "phone"),
        (CustomerBankAccount, "account_bidx", "bank_account"),
    ):
        table = model.__table__
        a, b = table.alias("a"), table.alias("b")
        pairs = uow.session.execute(
            select(a.c.customer_id, b.c.customer_id)
            .join(b, b.c[column] == a.c[column])
            .where(a.c.customer_id >= first, b.c.customer_id < a.c.customer_id)
            .distinct()
        ).all()
        for new, other in pairs:
            flags.append(
                {
                    "customer_id": new,
                    "other_customer_id": other,
                    "reason": reason,
                    "created_at": now,
                    "cleared_at": None,
                    "cleared_by": None,
                    "note": "",
                }
            )
            involved.update((new, other))
    if flags:
        uow.session.execute(insert(DuplicateFlag), flags)
        for chunk in chunks(sorted(involved)):
            uow.session.execute(
                update(Customer).where(Customer.id.in_(chunk)).values(suspected_duplicate=True)
            )
    return {i for i in involved if i >= first}


def _consent_row(
    consent_id: int,
    customer_id: int,
    draft: Any,
    settings: PurposeSettings,
    now: datetime,
    actor_id: int | None,
) -> tuple[Any, ...]:
    """The imported customer's consent (the ledger's 同意日期) or default legal basis (R4).

    In ``_CONSENT_COLUMNS`` order.
    """
    given = draft.consent_date
    note = draft.consent_purpose.strip()[:200] if given is not None else "导入时的默认处理依据"
    return (
        consent_id,
        customer_id,
        "consent" if given is not None else "basis",
        "" if given is not None else settings.import_basis,
        "written" if given is not None else "",
        given if given is not None else now.astimezone().date(),
        None,
        note,
        None,
        None,
        "",
        now,
        actor_id,
    )
