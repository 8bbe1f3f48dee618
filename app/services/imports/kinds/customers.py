"""Customers (客户) as an import kind: checked like the form, written in bulk, undone whole.

Each imported customer gets its own key (committed to the vault before the rows that use it,
R8), its contacts, its first status entry and its search-index entries; customers sharing a
phone or bank account with anyone are flagged 疑似重复 (R3) in one pass at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from app.errors import FieldError
from app.services.customers import NUMBER_SETTING, refresh_duplicate_mark
from app.services.customers.consents import purpose_settings
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
    advance_sequence,
    chunks,
    insert_tuples,
    next_id,
    pairs_where_in,
    quick_delete,
    span,
    stored_forms,
)
from app.services.imports.kinds.customer_prep import (
    CustomerRow,
    Plan,
    Prepared,
    Protection,
    consent_purposes,
)
from app.services.imports.kinds.customer_rows import CUSTOMER_FIELDS
from app.services.imports.kinds.customer_worker import (
    checked_rows,
    prepared_chunks,
    use_worker,
    warm_up,
)
from app.storage import search as search_index
from app.storage.bulk import indexes_built_after, worth_rebuilding
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
from app.storage.stat_counters import customers_counted_after
from app.storage.store import UnitOfWork


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

    def warm_up(self, rows: int) -> None:
        """A preview of a ledger of ``rows`` rows: start the worker process for its check."""
        warm_up(rows)

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Form rules per row; the same ID twice (in the file or registered) is refused (R3).

        A large ledger's rows are checked partly in a worker process (``customer_worker``).
        """
        outcomes = checked_rows(rows, ctx)
        first_row: dict[str, int] = {}
        by_digest: dict[bytes, RowOutcome] = {}
        for o in outcomes:
            clean: CustomerRow | None = o.clean
            if clean is None or not clean.id_number:
                continue
            seen = first_row.get(clean.id_number)
            if seen is not None:
                o.errors.append(FieldError("id_number", "duplicate_in_file", {"row": seen}))
                continue
            first_row[clean.id_number] = o.row
            by_digest[ctx.digest("customer.id_number", clean.id_number)] = o
        _registered(ctx, by_digest)
        customer_groups(ctx, outcomes)  # duplicates flagged and shown for a decision
        return settle(outcomes)

    def recheck(self, ctx: KindContext, outcomes: list[RowOutcome]) -> list[RowOutcome]:
        """The preview's verdicts, the ID numbers looked up again (registered since?)."""
        by_digest: dict[bytes, RowOutcome] = {}
        known = ctx.digests.get("customer.id_number", {})  # the check's (usually all of them)
        for o in outcomes:
            clean: CustomerRow | None = o.clean
            if not o.errors and clean is not None and clean.id_number:
                found = known.get(clean.id_number)
                if found is None:
                    found = ctx.digest("customer.id_number", clean.id_number)
                by_digest[found] = o
        _registered(ctx, by_digest)
        return settle(outcomes)

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Customers with their own keys (committed to the vault first), contacts, index.

        The rows are prepared chunk by chunk (``customer_prep``), for a large ledger in a
        worker process while the chunk before is inserted (``customer_worker``).
        """
        uow, store = ctx.uow, ctx.uow.store
        valid = [o for o in outcomes if not o.errors and o.clean is not None]
        conn = uow.session.connection()
        embedded = conn.dialect.name != "postgresql"  # the search index computed ahead
        # R4 (issue 18): each imported customer gets a consent (when the ledger dates one) or
        # the configured default legal basis (setting privacy_import_basis, 合同必需 by default)
        consent_settings = purpose_settings(uow)
        plan = Plan(
            count=len(valid),
            first_id=next_id(uow, Customer),
            last_number=int(uow.settings.raw().get(NUMBER_SETTING, 0)),
            first_consent=next_id(uow, CustomerConsent),
            now=ctx.now,
            actor_id=ctx.reader.user_id,
            import_basis=consent_settings.import_basis,
            consent_purposes=consent_purposes(consent_settings.purposes),
            embedded=embedded,
            stamp=stored_forms(conn, ctx.now),
        )
        first, last_number = plan.first_id, plan.last_number
        specs: list[CustomerRow] = [o.clean for o in valid]
        protection = Protection(store.vault.wrapper(), store.blind_index)
        names_seen: dict[str, Any] = {}  # search-index entries per name (server databases)
        chunks_of = prepared_chunks(
            protection, plan, specs, CHUNK, worker=use_worker(len(valid), embedded)
        )
        wrapped: list[tuple[str, bytes]] = []
        with ThreadPoolExecutor(1, thread_name_prefix="import-vault") as beside:
            with closing(chunks_of), _upkeep_after(conn, plan):
                for start, rows in chunks_of:
                    check_cancel(progress)
                    wrapped.extend(rows.wrapped)
                    _insert_chunk(conn, rows, names_seen, bound=plan.stamp is not None)
                    if progress is not None:
                        progress.report(start + len(rows.customers), len(valid))
                # the keys durable before the rows are (R8): committed before the import is,
                # in one vault transaction (one sync to disk), on a thread of its own while
                # this one builds the indexes (both mostly inside SQLite, which lets go of
                # the interpreter); a failure below destroys them (ctx.new_keys)
                ctx.new_keys.extend(key_id for key_id, _w in wrapped)
                stored = beside.submit(store.vault.store_wrapped, wrapped, ctx.now)
            stored.result()
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
    conn = ctx.uow.session.connection()
    table = Customer.__table__
    for digest, number in pairs_where_in(conn, table, "id_number_bidx", "number", list(by_digest)):
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


_TABLES = tuple(
    m.__tablename__
    for m in (
        Customer,
        CustomerPhone,
        CustomerAddress,
        CustomerBankAccount,
        CustomerStatusChange,
        CustomerConsent,
        ConsentPurpose,
    )
)


@contextmanager
def _upkeep_after(conn: Any, plan: Plan) -> Iterator[None]:
    """Indexes and the customer count brought up to date after the inserts, not row by row.

    Only for a ledger large against the customers there are (SQLite).
    """
    if not worth_rebuilding(conn, plan.count, plan.first_id - 1):
        yield
        return
    with indexes_built_after(conn, _TABLES), customers_counted_after(conn, plan.first_id):
        yield


def _insert_chunk(conn: Any, rows: Prepared, names_seen: dict[str, Any], *, bound: bool) -> None:
    """One chunk's rows into their tables, then its search-index entries."""
    for model, names, values in (
        (Customer, _CUSTOMER_COLUMNS, rows.customers),
        (CustomerPhone, _PHONE_COLUMNS, rows.phones),
        (CustomerAddress, _ADDRESS_COLUMNS, rows.addresses),
        (CustomerBankAccount, _BANK_COLUMNS, rows.banks),
        (CustomerStatusChange, _HISTORY_COLUMNS, rows.history),
        (CustomerConsent, _CONSENT_COLUMNS, rows.consents),
        (ConsentPurpose, _PURPOSE_COLUMNS, rows.purposes),
    ):
        insert_tuples(conn, model.__table__, names, values, bound=bound)
    if rows.index_rows:  # a server database indexes them its own way
        search_index.prepare_customers_fresh(conn, rows.index_rows, names_seen)()
    else:
        search_index.insert_prepared(conn, rows.fts, rows.grams, rows.keys)


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
