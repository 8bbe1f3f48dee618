"""What can be imported: each target kind is a column map, a row validator and a writer.

A kind lists its :class:`~app.imports.layout.FieldSpec` s (the columns it takes, with the
headers ledgers use for them), turns parsed rows into :class:`RowOutcome` s with the same rules
as its form (customers: ``services.customers.validate_draft``; volumes and items:
``services.catalogue.check_volume_draft`` / ``check_item_draft``), writes the valid ones in the
import's transaction and can undo them. A new kind (locations) plugs in by adding one class and
one entry in :data:`KINDS`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Date, DateTime, delete, func, insert, select, update

from app.domain import identity, scan_codes
from app.domain.accounts import Actor
from app.domain.catalogue import (
    MARKED_LEVELS,
    SECRECY_LABELS,
    Carrier,
    Secrecy,
    SecrecyLevel,
    VolumeState,
    rank,
    strongest,
)
from app.domain.customers import GENERAL_CATEGORIES, LABELS, Category, IdType, Kind, Party, Status
from app.errors import FieldError, ImportCancelled
from app.imports import cells
from app.imports.layout import FieldSpec
from app.imports.source import Cell
from app.security import access
from app.security.crypto import FieldCipher, random_key
from app.services import catalogue
from app.services.customers import (
    NUMBER_SETTING,
    AddressInput,
    BankAccountInput,
    CleanDraft,
    CustomerDraft,
    PhoneInput,
    refresh_duplicate_mark,
    validate_draft,
)
from app.storage import catalogue_search
from app.storage import search_sqlite as search_index
from app.storage.models import (
    ArchiveBox,
    ArchiveItem,
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
    CustomerStatusChange,
    DuplicateFlag,
    ItemFile,
    LocationMove,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

CHUNK = 2_000


class Progress(Protocol):
    """A progress sink (``ui.tasks.ProgressSink`` is one)."""

    def report(self, done: int, total: int) -> None:
        """How far the work is."""

    def is_cancelled(self) -> bool:
        """True once the operator asked to stop."""


@dataclass(frozen=True)
class ParsedRow:
    """One data row of the ledger: its sheet row number and the mapped cells."""

    number: int
    values: dict[str, Cell]


@dataclass
class RowOutcome:
    """The verdict on one row: errors (rejected), warnings, and the checked values."""

    row: int
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    clean: Any = None
    flagged: bool = False  # shares a phone or bank account with another customer (疑似重复)

    @property
    def ok(self) -> bool:
        """True when the row will be imported."""
        return not self.errors


@dataclass
class KindContext:
    """What a kind needs inside the import's unit of work."""

    uow: UnitOfWork
    reader: Actor
    today: date
    now: datetime
    new_keys: list[str] = field(default_factory=list)  # vault keys made (destroyed on failure)
    progress: Progress | None = None

    def tick(self, done: int, total: int) -> None:
        """Report checking progress every thousand rows; stop when cancelled."""
        if self.progress is not None and done % 1000 == 0:
            _check_cancel(self.progress)
            self.progress.report(done, total)


@dataclass
class Written:
    """What a kind wrote: id spans per table, and counts for the summary and the audit."""

    spans: dict[str, list[int]]
    flagged: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class ImportKind(Protocol):
    """The interface of an import target."""

    key: str
    label: str
    permission: str
    fields: tuple[FieldSpec, ...]
    masked_fields: frozenset[str]

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Validate every row (same rules as the form), duplicates included."""

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Insert the valid rows (consecutive ids); raise ImportCancelled when asked to stop."""

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Remove what ``spans`` holds; False (nothing done) when anything changed since."""


# --- parsing helpers -------------------------------------------------------------------------
def _choice(
    row: ParsedRow,
    key: str,
    table: dict[str, str],
    errors: list[FieldError],
    default: str | None = None,
) -> str | None:
    raw = row.values.get(key)
    text = cells.folded(raw)
    if not text:
        return default
    found = table.get(text)
    if found is None:
        expected = "、".join(dict.fromkeys(k for k in table if not k.isascii()))
        errors.append(
            FieldError(key, "choice", {"value": cells.text(raw)[:20], "expected": expected})
        )
        return default
    return found


def _date(row: ParsedRow, key: str, errors: list[FieldError]) -> date | None:
    found, error = cells.as_date(row.values.get(key))
    if error:
        errors.append(FieldError(key, error))
    return found


def _int(row: ParsedRow, key: str, errors: list[FieldError], *, year: bool = False) -> int | None:
    found, error = (cells.as_year if year else cells.as_int)(row.values.get(key))
    if error:
        errors.append(FieldError(key, error))
    return found


def _text(row: ParsedRow, key: str) -> str:
    return cells.text(row.values.get(key))


def _fold_table(pairs: dict[str, Sequence[str]]) -> dict[str, str]:
    return {cells.folded(word): value for value, words in pairs.items() for word in words}


PARTIES = _fold_table(
    {
        Party.PERSON: ("个人", "自然人", "person"),
        Party.ORG: ("单位", "企业", "公司", "组织", "法人", "机构", "org"),
    }
)
KINDS_OF_CUSTOMER = _fold_table(
    {Kind.GENERAL: ("一般客户", "一般", "general"), Kind.SPECIAL: ("特殊客户", "特殊", "special")}
)
CATEGORIES = _fold_table(
    {
        **{c.value: (LABELS[c], c.value) for c in Category},
        Category.DEALER: ("经销单位", "经销商", "经销", "dealer"),
        Category.LAWYER: ("律师", "律师事务所", "律所", "lawyer"),
    }
)
STATUSES = _fold_table(
    {
        Status.POTENTIAL: ("潜在", "潜在客户", "potential"),
        Status.REGISTERED: ("在册", "正式", "在册客户", "有效", "registered"),
        Status.LOST: ("流失", "已流失", "lost"),
    }
)
IMPORTANCE = _fold_table(
    {"important": ("重要", "重点", "是", "important"), "normal": ("一般", "普通", "否", "normal")}
)
GENDERS = _fold_table(
    {"male": ("男", "男性", "m", "male"), "female": ("女", "女性", "f", "female")}
)
ID_TYPES = _fold_table(
    {
        IdType.RESIDENT_ID: ("居民身份证", "身份证", "二代身份证"),
        IdType.PASSPORT: ("护照",),
        IdType.HK_MACAO_PERMIT: ("港澳居民来往内地通行证", "港澳通行证", "回乡证"),
        IdType.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "台胞证", "台湾通行证"),
        IdType.USCC: ("统一社会信用代码", "信用代码", "营业执照"),
    }
)
ORG_MARKERS = ("公司", "有限", "集团", "厂", "事务所", "银行", "中心", "合作社", "商行", "经营部")


def _split_numbers(text: str) -> list[str]:
    """Several numbers in one cell (``138…/139…``, ``138…、0571-…``)."""
    for sep in ("/", "、", ";", "；", ",", "，"):
        text = text.replace(sep, "\n")
    return [p.strip() for p in text.split("\n") if p.strip()]


# --- customers -------------------------------------------------------------------------------
CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        "客户名称",
        ("客户名称", "姓名", "名称", "客户姓名", "单位名称", "户名"),
        required=True,
    ),
    FieldSpec("party", "客户性质（个人/单位）", ("客户性质", "个人/单位", "主体类型", "性质")),
    FieldSpec("kind", "客户类型", ("客户类型", "类型")),
    FieldSpec("category", "客户类别", ("客户类别", "类别", "行业")),
    FieldSpec("status", "状态", ("状态", "客户状态")),
    FieldSpec("importance", "重要程度", ("重要程度", "重要性", "是否重要")),
    FieldSpec("id_type", "证件类型", ("证件类型", "证件种类")),
    FieldSpec(
        "id_number",
        "证件号码",
        ("身份证号", "证件号码", "身份证号码", "证件号", "统一社会信用代码", "信用代码", "身份证"),
    ),
    FieldSpec("gender", "性别", ("性别",)),
    FieldSpec("birth_date", "出生日期", ("出生日期", "出生年月日", "生日")),
    FieldSpec("phone", "联系电话", ("联系电话", "手机", "手机号", "手机号码", "电话", "移动电话")),
    FieldSpec("phone2", "其他电话", ("固定电话", "座机", "办公电话", "其他电话", "电话2")),
    FieldSpec("address", "地址", ("地址", "联系地址", "通讯地址", "住址", "家庭住址", "单位地址")),
    FieldSpec("bank_account", "银行账号", ("银行账号", "账号", "银行卡号", "卡号", "银行账户")),
    FieldSpec("bank_name", "开户银行", ("开户银行", "开户行", "开户行名称")),
    FieldSpec("email", "电子邮箱", ("电子邮箱", "邮箱", "电子邮件", "email")),
    FieldSpec("consent_date", "同意日期", ("同意日期", "授权日期", "签署同意日期")),
    FieldSpec("consent_purpose", "同意用途", ("同意用途", "授权用途", "使用目的")),
    FieldSpec("remarks", "备注", ("备注", "说明")),
    FieldSpec("location", "存放位置（暂不导入）", ("存放位置", "存放地点", "库位"), imported=False),
)


def _looks_like_org(name: str, id_text: str) -> bool:
    compact = identity.compact(id_text).upper()
    if len(compact) == 18 and not compact[:17].isdigit():
        return True  # a credit code has letters where an ID number has digits
    return any(marker in name for marker in ORG_MARKERS)


def _pick(
    texts: dict[str, str],
    key: str,
    table: dict[str, str],
    errors: list[FieldError],
    default: str | None = None,
) -> str | None:
    """:func:`_choice` over texts already normalized (a customer row's cells are read once)."""
    text = texts.get(key, "")
    found = table.get("".join(text.split()).casefold()) if text else None
    if found is None and text:
        expected = "、".join(dict.fromkeys(k for k in table if not k.isascii()))
        errors.append(FieldError(key, "choice", {"value": text[:20], "expected": expected}))
    return found or default


def customer_draft(row: ParsedRow) -> tuple[CustomerDraft, list[FieldError]]:
    """A form draft from a ledger row, with what could not be read; defaults as the form's."""
    errors: list[FieldError] = []
    texts = {k: cells.text(v) for k, v in row.values.items()}
    get = texts.get
    name = get("name", "")
    id_text = get("id_number", "")
    party = _pick(texts, "party", PARTIES, errors) or (
        Party.ORG.value if _looks_like_org(name, id_text) else Party.PERSON.value
    )
    category = _pick(texts, "category", CATEGORIES, errors)
    kind = _pick(texts, "kind", KINDS_OF_CUSTOMER, errors)
    if kind is None:
        special = category is not None and category not in GENERAL_CATEGORIES
        kind = Kind.SPECIAL.value if special else Kind.GENERAL.value
    if category is None:
        if kind == Kind.SPECIAL:
            category = Category.OTHER.value
        else:
            person = party == Party.PERSON
            category = Category.INDIVIDUAL.value if person else Category.DEALER.value
    id_type = _pick(texts, "id_type", ID_TYPES, errors)
    if id_type is None and id_text:
        id_type = IdType.USCC.value if party == Party.ORG else IdType.RESIDENT_ID.value
    status = _pick(texts, "status", STATUSES, errors) or (
        Status.REGISTERED.value if id_text else Status.POTENTIAL.value
    )
    phones = [
        PhoneInput(n, "手机" if i == 0 and key == "phone" else "")
        for key in ("phone", "phone2")
        for i, n in enumerate(_split_numbers(get(key, "")))
    ]
    bank, address = get("bank_account", ""), get("address", "")
    draft = CustomerDraft(
        party=party,
        kind=kind,
        category=category,
        name=name,
        status=status,
        importance=_pick(texts, "importance", IMPORTANCE, errors, "normal") or "normal",
        gender=_pick(texts, "gender", GENDERS, errors),
        birth_date=_date(row, "birth_date", errors),
        id_type=id_type,
        id_number=id_text,
        phones=tuple(phones),
        addresses=(AddressInput(address),) if address else (),
        bank_accounts=(BankAccountInput(bank, get("bank_name", "")),) if bank else (),
        email=get("email", ""),
        consent_date=_date(row, "consent_date", errors),
        consent_purpose=get("consent_purpose", ""),
        remarks=get("remarks", ""),
    )
    return draft, errors


def _chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _next_id(uow: UnitOfWork, model: Any) -> int:
    return int(uow.session.scalar(select(func.max(model.id))) or 0) + 1


def _advance_sequence(uow: UnitOfWork, table: str) -> None:
    """PostgreSQL: move the table's id sequence past the ids the import gave explicitly."""
    conn = uow.session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def _span(first: int, count: int) -> list[int]:
    return [first, first + count - 1, count]


def _check_cancel(progress: Progress | None) -> None:
    if progress is not None and progress.is_cancelled():
        raise ImportCancelled()


class CustomerImport:
    """Customers (客户): one row per customer."""

    key = "customers"
    label = "客户"
    permission = "customer.write"
    fields = CUSTOMER_FIELDS
    masked_fields = frozenset({"name", "id_number", "phone", "phone2", "bank_account", "address"})

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Form rules per row; the same ID twice (in the file or registered) is refused (R3)."""
        outcomes = []
        for n, row in enumerate(rows):
            ctx.tick(n, len(rows))
            draft, errors = customer_draft(row)
            clean, more, warnings = validate_draft(draft, today=ctx.today)
            outcomes.append(RowOutcome(row.number, errors + more, warnings, clean))
        bidx = ctx.uow.store.blind_index
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
            by_digest[bidx.digest("customer.id_number", clean_draft.id_number)] = o
        for chunk in _chunks(list(by_digest)):
            for digest, number in ctx.uow.session.execute(
                select(Customer.id_number_bidx, Customer.number).where(
                    Customer.id_number_bidx.in_(chunk)
                )
            ):
                by_digest[digest or b""].errors.append(
                    FieldError("id_number", "duplicate_id", {"number": number})
                )
        for o in outcomes:
            if o.errors:
                o.clean = None
        return outcomes

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Customers with their own keys (committed to the vault first), contacts, index."""
        uow, store = ctx.uow, ctx.uow.store
        valid = [o for o in outcomes if o.ok and o.clean is not None]
        first = _next_id(uow, Customer)
        last_number = int(uow.settings.raw().get(NUMBER_SETTING, 0))
        wrapper = store.vault.wrapper()
        bidx = store.blind_index
        conn = uow.session.connection()
        index_on = store.location.is_sqlite
        memo: dict[str, search_index.NameEntries] = {}
        actor_id = ctx.reader.user_id
        for start in range(0, len(valid), CHUNK):
            _check_cancel(progress)
            keys: list[tuple[str, bytes]] = []
            customers: list[dict[str, Any]] = []
            phones: list[dict[str, Any]] = []
            addresses: list[dict[str, Any]] = []
            banks: list[dict[str, Any]] = []
            history: list[dict[str, Any]] = []
            index = search_index.IndexBatch([], [], [])
            for offset, o in enumerate(valid[start : start + CHUNK]):
                clean: CleanDraft = o.clean
                draft = clean.draft
                cid = first + start + offset
                number = f"KH{last_number + start + offset + 1:08d}"
                # random ids as register_customer makes them (uuid4 hex), without the UUID objects
                key_id, row_key, key = os.urandom(16).hex(), os.urandom(16).hex(), random_key()
                keys.append((key_id, wrapper.wrap(key_id, key)))
                enc = _encryptor(FieldCipher(key), row_key)
                name = identity.normalize(draft.name)
                customers.append(
                    {
                        "id": cid,
                        "number": number,
                        "row_key": row_key,
                        "key_id": key_id,
                        "party": draft.party,
                        "kind": draft.kind,
                        "category": draft.category,
                        "status": draft.status,
                        "importance": draft.importance,
                        "name": name,
                        "gender": clean.gender,
                        "birth_date_enc": enc(
                            "customer", "birth_date", clean.birth_date.isoformat()
                        )
                        if clean.birth_date
                        else None,
                        "id_type": draft.id_type if clean.id_number else None,
                        "id_number_enc": enc("customer", "id_number", clean.id_number)
                        if clean.id_number
                        else None,
                        "id_number_bidx": bidx.digest("customer.id_number", clean.id_number)
                        if clean.id_number
                        else None,
                        "email_enc": enc("customer", "email", clean.email) if clean.email else None,
                        "responsible_user_id": None,
                        "consent_date": draft.consent_date,
                        "consent_purpose": draft.consent_purpose.strip()[:200],
                        "consent_until": None,
                        "consent_method": "",
                        "remarks": draft.remarks.strip(),
                        "index_remarks": "",
                        "suspected_duplicate": False,
                        "created_at": ctx.now,
                        "updated_at": ctx.now,
                        "version": 1,
                    }
                )
                for pos, (phone, label) in enumerate(clean.phones):
                    phones.append(
                        {
                            "customer_id": cid,
                            "position": pos,
                            "label": label,
                            "phone_enc": enc("customer_phone", f"phone.{pos}", phone.stored),
                            "phone_bidx": bidx.digest("customer.phone", phone.e164),
                            "tail_bidx": bidx.digest("customer.phone_tail", phone.e164[-4:]),
                        }
                    )
                for pos, a in enumerate(draft.addresses):
                    addresses.append(
                        {
                            "customer_id": cid,
                            "position": pos,
                            "label": "",
                            "address_enc": enc(
                                "customer_address", f"address.{pos}", identity.normalize(a.address)
                            ),
                        }
                    )
                for pos, (account, bank_name) in enumerate(clean.bank_accounts):
                    banks.append(
                        {
                            "customer_id": cid,
                            "position": pos,
                            "bank_name": bank_name,
                            "account_enc": enc(
                                "customer_bank_account", f"bank_account.{pos}", account
                            ),
                            "account_bidx": bidx.digest("customer.bank_account", account),
                        }
                    )
                history.append(
                    {
                        "customer_id": cid,
                        "old_status": None,
                        "new_status": draft.status,
                        "changed_at": ctx.now,
                        "changed_by": actor_id,
                        "note": "导入",
                    }
                )
                if index_on:
                    index.add(search_index.IndexRow(cid, name, number, draft.remarks.strip()), memo)
            store.vault.store_wrapped(keys, ctx.now)  # durable before the rows using them (R8)
            ctx.new_keys.extend(k for k, _w in keys)
            for model, rows in (
                (Customer, customers),
                (CustomerPhone, phones),
                (CustomerAddress, addresses),
                (CustomerBankAccount, banks),
                (CustomerStatusChange, history),
            ):
                _insert_rows(conn, model.__table__, rows)
            if index_on:
                index.write(_Executor(conn))
            if progress is not None:
                progress.report(start + len(customers), len(valid))
        uow.settings.put(NUMBER_SETTING, last_number + len(valid))
        _advance_sequence(uow, "customer")
        flagged = _flag_duplicates(uow, first, ctx.now) if valid else set()
        for o, cid in zip(valid, range(first, first + len(valid)), strict=True):
            o.flagged = cid in flagged
        spans = {"customer": _span(first, len(valid))} if valid else {}
        numbers = {}
        if valid:
            numbers = {
                "first_number": f"KH{last_number + 1:08d}",
                "last_number": f"KH{last_number + len(valid):08d}",
            }
        return Written(spans, len(flagged), numbers)

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Delete the imported customers (keys destroyed, R8) unless anything changed them."""
        span = spans.get("customer")
        if not span:
            return True
        first, last, count = span
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
        if uow.store.location.is_sqlite:
            ids = list(range(first, last + 1))
            search_index.remove_customers(conn, ids)
        uow.session.execute(
            _quick_delete(DuplicateFlag).where(
                DuplicateFlag.customer_id.between(first, last)
                | DuplicateFlag.other_customer_id.between(first, last)
            )
        )
        for child in (CustomerPhone, CustomerAddress, CustomerBankAccount, CustomerStatusChange):
            uow.session.execute(_quick_delete(child).where(child.customer_id.between(first, last)))
        uow.session.execute(_quick_delete(Customer).where(in_span))
        uow.session.expire_all()
        for other in partners:
            refresh_duplicate_mark(uow, other)
        # erase first (R8), as delete_customer does: a failed commit leaves unreadable rows
        uow.store.vault.destroy(key_ids)
        return True


def _quick_delete(model: Any) -> Any:
    """A bulk DELETE that leaves the session's objects alone (nothing of them is loaded)."""
    return delete(model).execution_options(synchronize_session=False)


def _encryptor(cipher: FieldCipher, row_key: str) -> Callable[[str, str, str], bytes]:
    def enc(table: str, column: str, value: str) -> bytes:
        return cipher.encrypt(value, table=table, column=column, row_key=row_key)

    return enc


def _insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column) with one ``executemany``.

    On SQLite the statement goes straight to the driver with tuples, only dates and times
    converted by their column types: several times less Python work per row than a Core
    insert, which matters for a 100,000-row ledger. Elsewhere a Core insert.
    """
    if not rows:
        return
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    processors = []
    for name in names:
        kind = table.c[name].type
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        processors.append(proc if isinstance(kind, DateTime | Date) else None)
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    if not any(processors):
        conn.exec_driver_sql(sql, [tuple(r.values()) for r in rows])
        return
    pairs = list(enumerate(processors))
    out = []
    for r in rows:
        values = list(r.values())
        for i, proc in pairs:
            if proc is not None and values[i] is not None:
                values[i] = proc(values[i])
        out.append(tuple(values))
    conn.exec_driver_sql(sql, out)


class _Executor:
    """``executemany`` on a SQLAlchemy connection (the search index's batch writer wants one)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._conn.exec_driver_sql(sql, rows)


def _flag_duplicates(uow: UnitOfWork, first: int, now: datetime) -> set[int]:
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
        for chunk in _chunks(sorted(involved)):
            uow.session.execute(
                update(Customer).where(Customer.id.in_(chunk)).values(suspected_duplicate=True)
            )
    return {i for i in involved if i >= first}


# --- volumes and items -----------------------------------------------------------------------
VOLUME_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference_code", "档号", ("档号", "档案号")),
    FieldSpec("customer_number", "客户编号", ("客户编号", "客户号")),
    FieldSpec(
        "customer_id_number",
        "客户证件号码",
        ("身份证号", "证件号码", "身份证号码", "证件号", "统一社会信用代码"),
    ),
    FieldSpec("customer_name", "客户名称", ("客户名称", "姓名", "户名", "客户姓名", "单位名称")),
    FieldSpec(
        "volume_title", "案卷题名", ("案卷题名", "案卷名称", "案卷标题", "卷名"), required=True
    ),
    FieldSpec("year", "年度", ("年度", "归档年度", "年份"), required=True),
    FieldSpec("retention", "保管期限", ("保管期限", "保存期限"), required=True),
    FieldSpec("org_code", "机构（问题）代码", ("机构代码", "机构（问题）代码", "问题代码")),
    FieldSpec("compiled_by", "立卷人", ("立卷人",)),
    FieldSpec("checked_by", "检查人", ("检查人",)),
    FieldSpec("compiled_on", "立卷时间", ("立卷时间", "立卷日期")),
    FieldSpec("notes", "本卷情况说明", ("本卷情况说明", "备考", "情况说明")),
    FieldSpec("seq", "件号", ("件号", "顺序号", "件序号")),
    FieldSpec("doc_number", "文号", ("文号", "文件编号")),
    FieldSpec("author", "责任者", ("责任者", "责任人", "形成单位")),
    FieldSpec("title", "题名（卷内文件）", ("题名", "文件题名", "文件名称", "件题名")),
    FieldSpec("doc_date", "日期", ("日期", "文件日期", "成文日期", "形成日期")),
    FieldSpec("pages", "页号", ("页号", "页码", "页次")),
    FieldSpec("carrier", "载体", ("载体", "载体类型")),
    FieldSpec("secrecy_level", "密级", ("密级",)),
    FieldSpec("secrecy_term_years", "保密期限（年）", ("保密期限", "保密期限年")),
    FieldSpec("secrecy_since", "定密日期", ("定密日期", "定密时间")),
    FieldSpec("remarks", "备注", ("备注", "附注")),
    FieldSpec("location", "存放位置", ("存放位置", "存放地点", "库位", "位置编码")),
)
CARRIERS = _fold_table(
    {
        Carrier.PAPER: ("纸质", "纸", "纸张", "paper"),
        Carrier.DISC: ("光盘", "disc"),
        Carrier.DISK: ("磁盘", "硬盘", "u盘", "移动硬盘", "disk"),
        Carrier.ELECTRONIC: ("电子文件", "电子", "electronic"),
    }
)
LEVELS = _fold_table(
    {
        SecrecyLevel.SECRET: ("秘密",),
        SecrecyLevel.CONFIDENTIAL: ("机密",),
        SecrecyLevel.TOP_SECRET: ("绝密",),
        "": ("无", "公开", "非密", "普通", "内部", "-", "—"),
    }
)


def _pages(row: ParsedRow, errors: list[FieldError]) -> tuple[int | None, int | None]:
    raw = row.values.get("pages")
    text = cells.text(raw).replace(" ", "")
    if not text:
        return None, None
    for sep in ("-", "~", "～", "至", "—", "–"):
        if sep in text:
            a, _, b = text.partition(sep)
            first, e1 = cells.as_int(a)
            last, e2 = cells.as_int(b)
            if e1 or e2 or first is None:
                errors.append(FieldError("pages", "number_format"))
                return None, None
            return first, last
    number, error = cells.as_int(raw)
    if error:
        errors.append(FieldError("pages", error))
    return number, None


def _secrecy_cell(row: ParsedRow, errors: list[FieldError]) -> tuple[str | None, int | None]:
    """``机密``, or ``机密★20年`` (level and term in one cell, as markings are written)."""
    text = cells.folded(row.values.get("secrecy_level"))
    term: int | None = None
    if "★" in text:
        text, _, rest = text.partition("★")
        term, error = cells.as_int(rest)
        if error:
            errors.append(FieldError("secrecy_term_years", error))
    if not text:
        return None, term
    found = LEVELS.get(text)
    if found is None:
        errors.append(
            FieldError(
                "secrecy_level", "choice", {"value": text[:20], "expected": "秘密、机密、绝密"}
            )
        )
        return None, term
    return (found or None), term


@dataclass
class VolumeRowClean:
    """A checked ledger row: the volume it belongs to, and its item (if the row has one)."""

    group: tuple[Any, ...]
    customer_id: int
    year: int
    volume: catalogue.CleanVolume
    compiled_on: date | None
    reference_code: str
    volume_secrecy: Secrecy
    item: catalogue.CleanItem | None
    seq: int | None
    doc_date: date | None
    page_from: int | None
    page_to: int | None
    location_code: str = ""  # scan form of the 存放位置 cell ("" when empty)
    location_id: int | None = None  # set by the place check


class VolumeImport:
    """Volumes (案卷) and their items (件): one row per item, its volume's columns repeated.

    Rows sharing a 档号 (or, without one, customer, year, title and retention) form one
    volume; a volume is imported whole or not at all, so a corrected ledger imports cleanly.
    """

    key = "volumes"
    label = "案卷和卷内文件"
    permission = "catalogue.write"
    fields = VOLUME_FIELDS
    masked_fields = frozenset({"customer_id_number", "customer_name"})

    def _customers(
        self, ctx: KindContext, rows: Sequence[ParsedRow]
    ) -> tuple[dict[str, int], dict[bytes, int], dict[str, list[int]]]:
        session, bidx = ctx.uow.session, ctx.uow.store.blind_index
        numbers = {identity.compact(_text(r, "customer_number")).upper() for r in rows} - {""}
        digests = {
            bidx.digest(
                "customer.id_number", identity.compact(_text(r, "customer_id_number")).upper()
            )
            for r in rows
            if _text(r, "customer_id_number")
        }
        names = {_text(r, "customer_name") for r in rows} - {""}
        by_number: dict[str, int] = {}
        by_digest: dict[bytes, int] = {}
        by_name: dict[str, list[int]] = {}
        for chunk in _chunks(sorted(numbers)):
            for number, cid in session.execute(
                select(Customer.number, Customer.id).where(Customer.number.in_(chunk))
            ):
                by_number[number] = cid
        for chunk in _chunks(sorted(digests)):
            for digest, cid in session.execute(
                select(Customer.id_number_bidx, Customer.id).where(
                    Customer.id_number_bidx.in_(chunk)
                )
            ):
                by_digest[digest or b""] = cid
        for chunk in _chunks(sorted(names)):
            for name, cid in session.execute(
                select(Customer.name, Customer.id).where(Customer.name.in_(chunk))
            ):
                by_name.setdefault(name, []).append(cid)
        return by_number, by_digest, by_name

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Form rules per row and per volume; 档号 unique; 绝密 alone; within clearance."""
        by_number, by_digest, by_name = self._customers(ctx, rows)
        bidx = ctx.uow.store.blind_index
        outcomes: list[RowOutcome] = []
        for n, row in enumerate(rows):
            ctx.tick(n, len(rows))
            errors: list[FieldError] = []
            customer_id = self._customer(row, by_number, by_digest, by_name, bidx, errors)
            year = _int(row, "year", errors, year=True)
            draft = catalogue.VolumeDraft(
                customer_id=customer_id or 0,
                year=year or 0,
                title=_text(row, "volume_title"),
                retention=_text(row, "retention"),
                org_code=_text(row, "org_code"),
                compiled_by=_text(row, "compiled_by"),
                checked_by=_text(row, "checked_by"),
                compiled_on=_date(row, "compiled_on", errors),
                notes=_text(row, "notes"),
            )
            volume_errors: list[FieldError] = []
            volume = catalogue.check_volume_draft(draft, today=ctx.today, errors=volume_errors)
            if year is None:  # unreadable (already reported) or empty
                volume_errors = [e for e in volume_errors if e.field != "year"]
                if not any(e.field == "year" for e in errors):
                    errors.append(FieldError("year", "required"))
            errors += volume_errors
            code = "".join(_text(row, "reference_code").split()).upper()
            level, term = _secrecy_cell(row, errors)
            term_cell = _int(row, "secrecy_term_years", errors)
            since = _date(row, "secrecy_since", errors)
            item = None
            seq = page_from = page_to = doc_date = None
            volume_secrecy = Secrecy()
            if _text(row, "title"):
                page_from, page_to = _pages(row, errors)
                doc_date = _date(row, "doc_date", errors)
                seq = _int(row, "seq", errors)
                item = catalogue.check_item_draft(
                    catalogue.ItemDraft(
                        title=_text(row, "title"),
                        doc_number=_text(row, "doc_number"),
                        author=_text(row, "author"),
                        doc_date=doc_date,
                        page_from=page_from,
                        page_to=page_to,
                        carrier=_choice(row, "carrier", CARRIERS, errors, "paper") or "paper",
                        secrecy_level=level,
                        secrecy_term_years=term_cell if term_cell is not None else term,
                        secrecy_since=since,
                        remarks=_text(row, "remarks"),
                    ),
                    today=ctx.today,
                    errors=errors,
                )
            elif level:
                volume_secrecy = Secrecy(
                    SecrecyLevel(level),
                    term_cell if term_cell is not None else term,
                    since or ctx.today,
                )
            shown = item.secrecy.level if item else volume_secrecy.level
            if shown is not None and not access.may_see(ctx.reader, shown.value):
                errors.append(FieldError("secrecy_level", "no_clearance"))
            retention = volume.retention.value if volume.retention else ""
            group = ("code", code) if code else ("auto", customer_id, year, volume.title, retention)
            clean = VolumeRowClean(
                group,
                customer_id or 0,
                year or 0,
                volume,
                draft.compiled_on,
                code,
                volume_secrecy,
                item,
                seq,
                doc_date,
                page_from,
                page_to,
                _location_cell(row, errors),
            )
            outcomes.append(RowOutcome(row.number, errors, [], clean))
        self._check_groups(ctx, outcomes)
        self._check_places(ctx, outcomes)
        for o in outcomes:
            if o.errors:
                o.clean = None
        return outcomes

    def _customer(
        self,
        row: ParsedRow,
        by_number: dict[str, int],
        by_digest: dict[bytes, int],
        by_name: dict[str, list[int]],
        bidx: Any,
        errors: list[FieldError],
    ) -> int | None:
        number = identity.compact(_text(row, "customer_number")).upper()
        if number:
            found = by_number.get(number)
            if found is None:
                errors.append(FieldError("customer_number", "not_found"))
            return found
        id_text = identity.compact(_text(row, "customer_id_number")).upper()
        if id_text:
            cid = by_digest.get(bidx.digest("customer.id_number", id_text))
            if cid is None:
                errors.append(FieldError("customer_id_number", "not_found"))
            return cid
        name = _text(row, "customer_name")
        if name:
            ids = by_name.get(name, [])
            if len(ids) != 1:
                errors.append(
                    FieldError("customer_name", "customer_ambiguous" if ids else "not_found")
                )
                return None
            return ids[0]
        errors.append(FieldError("customer", "customer_required"))
        return None

    def _check_places(self, ctx: KindContext, outcomes: list[RowOutcome]) -> None:
        """存放位置: an existing 层/位 with room; 机密/绝密 only in a secure place (R22).

        The same rule as placing by hand (``services.locations``): the volume goes straight
        into the place named, counted against its capacity together with the file's other rows.
        """
        groups: dict[tuple[Any, ...], list[RowOutcome]] = {}
        for o in outcomes:
            groups.setdefault(o.clean.group, []).append(o)
        codes = {o.clean.location_code for o in outcomes} - {""}
        places: dict[str, StorageLocation] = {}
        for chunk in _chunks(sorted(codes)):
            for found in ctx.uow.session.scalars(
                select(StorageLocation).where(StorageLocation.code.in_(chunk))
            ):
                places[found.code] = found
        used = _places_used(ctx.uow, [p.id for p in places.values()])
        for members in groups.values():
            named = [o for o in members if o.clean.location_code]
            if not named or any(o.errors for o in members):
                continue  # no place named, or the volume is refused already
            self._check_place(members, named, places, used)

    def _check_place(
        self,
        members: list[RowOutcome],
        named: list[RowOutcome],
        places: dict[str, StorageLocation],
        used: dict[int, int],
    ) -> None:
        """Check one volume's place; a refusal rejects all its rows (imported whole or not)."""
        error = self._place_error(members, named, places, used)
        if error is not None:
            named[0].errors.append(error)
            for o in members:
                if not o.errors:
                    o.errors.append(FieldError("volume", "volume_rejected", {"row": named[0].row}))

    def _place_error(
        self,
        members: list[RowOutcome],
        named: list[RowOutcome],
        places: dict[str, StorageLocation],
        used: dict[int, int],
    ) -> FieldError | None:
        head = named[0]
        code = head.clean.location_code
        other = next((o for o in named[1:] if o.clean.location_code != code), None)
        if other is not None:
            return FieldError("location", "place_in_file", {"row": other.row})
        place = places.get(code)
        if place is None:
            return FieldError("location", "not_found")
        if place.capacity is None:
            return FieldError("location", "not_slot", {"code": code})
        levels = [o.clean.item.secrecy.level for o in members if o.clean.item is not None]
        levels += [o.clean.volume_secrecy.level for o in members]
        marked = [lv for lv in levels if lv in MARKED_LEVELS]
        if marked and not place.secure_effective:
            top = max(marked, key=rank)
            return FieldError("location", "secure_required", {"level": SECRECY_LABELS[top]})
        if used.get(place.id, 0) >= place.capacity:
            return FieldError("location", "full", {"code": code})
        used[place.id] = used.get(place.id, 0) + 1
        for o in members:
            o.clean.location_id = place.id
        return None

    def _check_groups(self, ctx: KindContext, outcomes: list[RowOutcome]) -> None:
        groups: dict[tuple[Any, ...], list[RowOutcome]] = {}
        for o in outcomes:
            groups.setdefault(o.clean.group, []).append(o)
        codes = [g[1] for g in groups if g[0] == "code"]
        taken: set[str] = set()
        for chunk in _chunks(codes):
            taken.update(
                ctx.uow.session.scalars(
                    select(Volume.reference_code).where(Volume.reference_code.in_(chunk))
                )
            )
        for key, members in groups.items():
            head = members[0]
            if key[0] == "code" and key[1] in taken:
                head.errors.append(FieldError("reference_code", "code_taken"))
            h: VolumeRowClean = head.clean
            seqs: dict[int, int] = {}
            levels = [o.clean.item.secrecy.level for o in members if o.clean.item is not None]
            top = SecrecyLevel.TOP_SECRET
            mixed = top in levels and any(level != top for level in levels)
            for o in members:
                c: VolumeRowClean = o.clean
                if o is not head and (
                    (c.customer_id, c.year, c.volume.retention)
                    != (h.customer_id, h.year, h.volume.retention)
                    or (c.volume.title and c.volume.title != h.volume.title)
                ):
                    o.errors.append(FieldError("reference_code", "code_in_file", {"row": head.row}))
                if c.seq is not None:
                    if c.seq in seqs:
                        o.errors.append(FieldError("seq", "seq_in_file", {"row": seqs[c.seq]}))
                    else:
                        seqs[c.seq] = o.row
                if mixed and c.item is not None and c.item.secrecy.level != top:
                    o.errors.append(FieldError("secrecy_level", "top_secret_volume"))
            bad = next((o.row for o in members if o.errors), None)
            if bad is not None:  # a volume is imported whole or not at all
                for o in members:
                    if not o.errors:
                        o.errors.append(FieldError("volume", "volume_rejected", {"row": bad}))

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Volumes (given 档号 kept, missing ones issued from the pattern) and their items."""
        uow = ctx.uow
        groups: dict[tuple[Any, ...], list[VolumeRowClean]] = {}
        for o in outcomes:
            if o.ok and o.clean is not None:
                groups.setdefault(o.clean.group, []).append(o.clean)
        first_volume, first_item = _next_id(uow, Volume), _next_id(uow, ArchiveItem)
        pattern = catalogue.reference_pattern(uow)
        scopes: dict[tuple[int, str, str], Any] = {}
        volumes: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for n, members in enumerate(groups.values()):
            if n % 500 == 0:
                _check_cancel(progress)
                if progress is not None:
                    progress.report(n, len(groups))
            head = members[0]
            vid = first_volume + n
            retention = head.volume.retention.value if head.volume.retention else ""
            scope = (head.year, retention, head.volume.org)
            values = scopes.get(scope)
            if values is None:  # the settings are read once per 档号 scope, not per volume
                values = scopes[scope] = catalogue.reference_values(uow, *scope)
            if head.reference_code:
                code, number = head.reference_code, None
            else:
                code, issued = catalogue.allocate_reference(uow, pattern, values)
                number = issued
                uow.session.flush()  # the counter, before the next volume reads it
            item_secrecies = []
            next_seq = max((m.seq or 0 for m in members), default=0)
            used = {m.seq for m in members if m.seq is not None}
            seq_counter = 0
            pages = 0
            for m in members:
                if m.item is None:
                    continue
                seq = m.seq
                if seq is None:
                    seq_counter += 1
                    while seq_counter in used:
                        seq_counter += 1
                    seq = seq_counter
                    next_seq = max(next_seq, seq)
                item_secrecies.append(m.item.secrecy)
                pages = max(pages, m.page_to or m.page_from or 0)
                marking = catalogue.marking_for_index(m.item.secrecy)
                items.append(
                    {
                        "id": first_item + len(items),
                        "volume_id": vid,
                        "seq": seq,
                        "doc_number": m.item.doc_number,
                        "author": m.item.author,
                        "title": m.item.title,
                        "doc_date": m.doc_date,
                        "page_from": m.page_from,
                        "page_to": m.page_to,
                        "carrier": m.item.carrier.value,
                        "secrecy_level": m.item.secrecy.level.value
                        if m.item.secrecy.level
                        else None,
                        "secrecy_term_years": m.item.secrecy.term,
                        "secrecy_since": m.item.secrecy.since,
                        "declassified_on": None,
                        "remarks": m.item.remarks,
                        "index_remarks": marking,
                        "created_at": ctx.now,
                        "updated_at": ctx.now,
                        "version": 1,
                    }
                )
            secrecy = strongest([*item_secrecies, *(m.volume_secrecy for m in members)])
            volumes.append(
                {
                    "id": vid,
                    "reference_code": code,
                    "customer_id": head.customer_id,
                    "year": head.year,
                    "title": head.volume.title,
                    "retention": retention,
                    "secrecy_level": secrecy.level.value if secrecy.level else None,
                    "secrecy_term_years": secrecy.term if secrecy.level else None,
                    "secrecy_since": secrecy.since,
                    "declassified_on": None,
                    "created_at": ctx.now,
                    "fonds_code": values.fonds,
                    "category_code": values.category,
                    "org_code": head.volume.org,
                    "number": number,
                    "item_count": len(item_secrecies),
                    "page_count": pages,
                    "compiled_by": head.volume.compiled_by,
                    "checked_by": head.volume.checked_by,
                    "compiled_on": head.compiled_on,
                    "notes": head.volume.notes,
                    "state": VolumeState.ON_SHELF.value,
                    "index_remarks": catalogue.marking_for_index(secrecy),
                    "updated_at": ctx.now,
                    "version": 1,
                }
            )
        conn = uow.session.connection()
        for start in range(0, len(volumes), CHUNK):
            _insert_rows(conn, Volume.__table__, volumes[start : start + CHUNK])
        for start in range(0, len(items), CHUNK):
            _check_cancel(progress)
            _insert_rows(conn, ArchiveItem.__table__, items[start : start + CHUNK])
        if uow.store.location.is_sqlite:
            conn.exec_driver_sql(
                catalogue_search.INSERT_VOLUME,
                [
                    catalogue_search.volume_entry(
                        v["id"], v["reference_code"], v["title"], v["index_remarks"]
                    )
                    for v in volumes
                ],
            ) if volumes else None
            if items:
                conn.exec_driver_sql(
                    catalogue_search.INSERT_ITEM,
                    [
                        catalogue_search.item_entry(
                            i["id"], i["title"], i["doc_number"], i["author"], i["index_remarks"]
                        )
                        for i in items
                    ],
                )
        placed = [
            (first_volume + n, members[0].location_id)
            for n, members in enumerate(groups.values())
            if members[0].location_id is not None
        ]
        if placed:
            actor = uow.actor
            _insert_rows(
                conn,
                VolumePlace.__table__,
                [
                    {"volume_id": vid, "box_id": None, "location_id": lid, "placed_at": ctx.now}
                    for vid, lid in placed
                ],
            )
            _insert_rows(
                conn,
                LocationMove.__table__,
                [
                    {
                        "occurred_at": ctx.now,
                        "actor_id": actor.user_id if actor else None,
                        "actor_name": actor.username if actor else "system",
                        "object_type": "volume",
                        "object_id": vid,
                        "from_location_id": None,
                        "to_location_id": lid,
                        "from_box_id": None,
                        "to_box_id": None,
                        "reason": "上架",
                        "batch_id": None,
                        "note": IMPORT_MOVE_NOTE,
                    }
                    for vid, lid in placed
                ],
            )
        _advance_sequence(uow, "volume")
        _advance_sequence(uow, "archive_item")
        spans: dict[str, list[int]] = {}
        if volumes:
            spans["volume"] = _span(first_volume, len(volumes))
        if items:
            spans["archive_item"] = _span(first_item, len(items))
        return Written(spans, 0, {"volumes": len(volumes), "items": len(items)})

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Delete the imported volumes and items unless anything changed or was added since."""
        vspan, ispan = spans.get("volume"), spans.get("archive_item")
        session = uow.session
        if vspan:
            v_in = Volume.id.between(vspan[0], vspan[1])
            if session.scalar(select(func.count()).where(v_in)) != vspan[2]:
                return False
            if session.scalar(
                select(func.count()).where(
                    v_in, (Volume.version != 1) | (Volume.state != VolumeState.ON_SHELF.value)
                )
            ):
                return False
            moved: Any = (
                (LocationMove.object_type == "volume")
                & LocationMove.object_id.between(vspan[0], vspan[1])
                & (LocationMove.note != IMPORT_MOVE_NOTE)
            )
            if session.scalar(select(func.count()).select_from(LocationMove).where(moved)):
                return False  # a volume was moved, lent or boxed since: undo would lose that
            outside: Any = ArchiveItem.volume_id.between(vspan[0], vspan[1])
            if ispan:
                outside = outside & ~ArchiveItem.id.between(ispan[0], ispan[1])
            if session.scalar(select(func.count()).select_from(ArchiveItem).where(outside)):
                return False
        if ispan:
            i_in = ArchiveItem.id.between(ispan[0], ispan[1])
            if session.scalar(select(func.count()).where(i_in)) != ispan[2]:
                return False
            if session.scalar(select(func.count()).where(i_in, ArchiveItem.version != 1)):
                return False
            if session.scalar(
                select(func.count())
                .select_from(ItemFile)
                .where(ItemFile.item_id.between(ispan[0], ispan[1]))
            ):
                return False
        conn = session.connection()
        on_sqlite = uow.store.location.is_sqlite
        if ispan:
            if on_sqlite:
                conn.exec_driver_sql(
                    "DELETE FROM item_fts WHERE rowid BETWEEN ? AND ?", (ispan[0], ispan[1])
                )
            session.execute(
                _quick_delete(ArchiveItem).where(ArchiveItem.id.between(ispan[0], ispan[1]))
            )
        if vspan:
            if on_sqlite:
                conn.exec_driver_sql(
                    "DELETE FROM volume_fts WHERE rowid BETWEEN ? AND ?", (vspan[0], vspan[1])
                )
            session.execute(
                _quick_delete(LocationMove).where(
                    LocationMove.object_type == "volume",
                    LocationMove.object_id.between(vspan[0], vspan[1]),
                )
            )
            session.execute(
                _quick_delete(VolumePlace).where(VolumePlace.volume_id.between(vspan[0], vspan[1]))
            )
            session.execute(_quick_delete(Volume).where(Volume.id.between(vspan[0], vspan[1])))
        return True


IMPORT_MOVE_NOTE = "导入台账"


def _location_cell(row: ParsedRow, errors: list[FieldError]) -> str:
    """The 存放位置 cell as a location code in scan form ("" when empty)."""
    text = _text(row, "location")
    if not text:
        return ""
    try:
        return scan_codes.scan_form(text.replace("－", "-"))
    except ValueError:
        errors.append(
            FieldError("location", "format", {"expected": "存放位置编码，如 K1-03-A-2-4"})
        )
        return ""


def _places_used(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, int]:
    """Boxes and directly placed volumes per place (as ``services.locations`` counts them)."""
    out: dict[int, int] = {}
    for chunk in _chunks(list(ids)):
        for model in (ArchiveBox, VolumePlace):
            for lid, n in uow.session.execute(
                select(model.location_id, func.count())
                .where(model.location_id.in_(chunk))
                .group_by(model.location_id)
            ):
                if lid is not None:
                    out[lid] = out.get(lid, 0) + n
    return out


KINDS: dict[str, ImportKind] = {k.key: k for k in (CustomerImport(), VolumeImport())}


def spans_of(text: str) -> dict[str, list[int]]:
    """The spans stored with an import batch."""
    value = json.loads(text or "{}")
    return {str(k): [int(x) for x in v] for k, v in value.items()}
