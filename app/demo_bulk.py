"""Bulk load of generated demo customers: a worker process computes, this process writes.

Generating a customer (names, valid ID numbers) and protecting it (a vault key, AES-GCM,
blind indexes, search-index entries with pinyin) is pure Python; writing it is SQLite's work
in C. On a machine with two or more cores a worker process does the first while this process
does the second, so a million customers load in about the time of the slower half. Small
loads run both halves in this process.

Order of writes per chunk keeps the vault's promise: the chunk's keys are committed durably to
the vault before the rows that use them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import DateTime, text

from app.demo_people import generate_customers
from app.domain import identity
from app.domain import reference_code as refs
from app.domain.catalogue import MARKED_LEVELS, Secrecy, SecrecyLevel
from app.security.crypto import BlindIndex, FieldCipher, random_key
from app.security.vault import KeyWrapper
from app.storage import bulk, catalogue_search, catalogue_search_pg
from app.storage.search_sqlite import IndexBatch, IndexRow, NameEntries

CHUNK = 10_000
FONDS, CATEGORY = "Z001", "KH"  # the demo's 全宗号 and 门类
# Over ten thousand volumes a year share a scope in the large demo: five digits, as a company
# that size would configure (the default, DA/T 13-2022 style, has four).
LARGE_PATTERN = "{fonds}-{category}·{year}-{retention}-{number:5}"


def pattern_for(count: int) -> str:
    """The 档号 pattern the demo uses for ``count`` customers."""
    return refs.DEFAULT_PATTERN if count < 40_000 else LARGE_PATTERN


COMMIT_EVERY = 100_000  # rows per transaction while loading (fewer search-index flushes)
PARALLEL_FROM = 20_000  # below this a worker process costs more than it saves
TABLES = (
    "customer",
    "customer_phone",
    "customer_status_change",
    "volume",
    "archive_item",
    "customer_gram",
    "customer_key",
)
# Indexed columns whose values arrive in index order (ids ascending, or few distinct values
# each taking ascending ids): their indexes stay in place during the load.
SORTED_COLUMNS = (
    "customer_id",
    "volume_id",
    "status",
    "suspected_duplicate",
    "party",
    "kind",
    "importance",
)
CUSTOMER_COLUMNS = (
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
    "id_type",
    "id_number_enc",
    "id_number_bidx",
    "region",
    "consent_purpose",
    "consent_method",
    "remarks",
    "index_remarks",
    "suspected_duplicate",
    "created_at",
    "updated_at",
    "version",
)
PHONE_COLUMNS = ("customer_id", "position", "label", "phone_enc", "phone_bidx", "tail_bidx")
HISTORY_COLUMNS = ("customer_id", "old_status", "new_status", "changed_at", "changed_by", "note")
VOLUME_COLUMNS = (
    "id",
    "reference_code",
    "customer_id",
    "year",
    "title",
    "retention",
    "secrecy_level",
    "secrecy_since",
    "fonds_code",
    "category_code",
    "number",
    "index_remarks",
    "item_count",
    "page_count",
    "created_at",
)
ITEM_COLUMNS = (
    "id",
    "volume_id",
    "seq",
    "doc_number",
    "author",
    "title",
    "doc_date",
    "page_from",
    "page_to",
    "carrier",
    "secrecy_level",
    "secrecy_term_years",
    "secrecy_since",
    "remarks",
    "index_remarks",
    "created_at",
    "version",
)
ITEM_TITLES = (
    "客户信息登记表",
    "业务合作合同",
    "身份证明材料复印件",
    "授权委托书",
    "往来函件",
    "对账确认书",
    "服务协议",
    "书面同意书",
)
SECRECY_CHOICES = (None, SecrecyLevel.SECRET, SecrecyLevel.CONFIDENTIAL, SecrecyLevel.TOP_SECRET)
SECRECY_WEIGHTS = (85, 10, 4, 1)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@dataclass
class Chunk:
    """Rows of one batch of customers, ready for ``executemany``."""

    keys: list[tuple[str, bytes]] = field(default_factory=list)  # (key_id, wrapped)
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    phones: list[tuple[Any, ...]] = field(default_factory=list)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    volumes: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    volume_fts: list[tuple[Any, ...]] = field(default_factory=list)
    item_fts: list[tuple[Any, ...]] = field(default_factory=list)
    index: IndexBatch = field(default_factory=lambda: IndexBatch([], [], []))

    def sorted(self) -> Chunk:
        """Put index entries in key order: B-tree inserts then walk the tree once, in order."""
        # by key only: stable, and the ids of one key are already ascending
        self.index.grams.sort(key=itemgetter(0))
        self.index.keys.sort(key=itemgetter(0))
        return self


@dataclass(frozen=True)
class Protection:
    """What a worker needs to protect values, and what to make: picklable, for the worker."""

    blind_index: BlindIndex
    wrapper: KeyWrapper
    catalogue: bool = True  # a volume and an item per customer, with their index rows


def make_chunks(
    count: int, protection: Protection, now_text: str, chunk_size: int = CHUNK
) -> Iterator[Chunk]:
    """Generate ``count`` customers (ids 1…count) as ready rows, ``chunk_size`` at a time."""
    pattern = pattern_for(count)
    numbers: dict[tuple[int, str], int] = {}  # 卷号 per 档号 scope (year, retention)

    bidx = protection.blind_index
    rng = random.Random(7)
    # Ids that sort in creation order (a per-load random prefix, then a counter): unique like
    # uuid4, but appended at the end of their indexes instead of scattered through them.
    key_prefix, row_prefix = os.urandom(8).hex(), os.urandom(8).hex()
    memo: dict[str, NameEntries] = {}  # index entries per distinct name (computed once)
    chunk = Chunk()
    for cid, c in enumerate(generate_customers(count), start=1):
        key_id = f"{key_prefix}{cid:016x}"
        row_key = f"{row_prefix}{cid:016x}"
        key = random_key()
        chunk.keys.append((key_id, protection.wrapper.wrap(key_id, key)))
        cipher = FieldCipher(key)
        number = f"KH{cid:08d}"
        gender = None
        if c.party == "person":
            gender = "male" if int(c.id_number[16]) % 2 else "female"
        chunk.customers.append(
            (
                cid,
                number,
                row_key,
                key_id,
                c.party,
                c.kind,
                c.category,
                c.status,
                c.importance,
                c.name,
                gender,
                c.id_type,
                cipher.encrypt(c.id_number, table="customer", column="id_number", row_key=row_key),
                bidx.digest("customer.id_number", c.id_number),
                identity.region_code(c.id_type, c.id_number),
                "",
                "",
                "",
                "",
                False,
                now_text,
                now_text,
                1,
            )
        )
        chunk.phones.append(
            (
                cid,
                0,
                "手机",
                cipher.encrypt(c.phone, table="customer_phone", column="phone.0", row_key=row_key),
                bidx.digest("customer.phone", c.phone),
                bidx.digest("customer.phone_tail", c.phone[-4:]),
            )
        )
        chunk.history.append((cid, None, c.status, now_text, None, "演示数据"))
        chunk.index.add(IndexRow(cid, c.name, number, ""), memo)
        if not protection.catalogue:
            if len(chunk.customers) >= chunk_size:
                yield chunk.sorted()
                chunk = Chunk()
            continue
        year = rng.randrange(2015, 2026)
        retention = rng.choice(("Y", "D30", "D10"))
        secrecy = rng.choices(SECRECY_CHOICES, SECRECY_WEIGHTS)[0]
        volume_no = numbers[(year, retention)] = numbers.get((year, retention), 0) + 1
        values = refs.ReferenceValues(FONDS, CATEGORY, year, retention)
        marking = Secrecy(secrecy, None, date(year, 12, 31)).marking() if secrecy else ""
        pages = 1 + int(rng.random() * 20)
        item_title = ITEM_TITLES[int(rng.random() * len(ITEM_TITLES))]
        chunk.items.append(
            (
                cid,  # one item per volume: its id is the volume's
                cid,
                1,
                f"{c.name[:2]}字〔{year}〕{cid % 1000:03d}号",
                c.name,
                item_title,
                date(year, 1 + cid % 12, 1 + cid % 28),
                1,
                pages,
                "paper",
                secrecy.value if secrecy else None,
                None,
                date(year, 12, 31) if secrecy else None,
                "",
                marking if secrecy in MARKED_LEVELS else "",
                now_text,
                1,
            )
        )
        chunk.volumes.append(
            (
                cid,
                refs.render(pattern, values, volume_no),
                cid,
                year,
                f"{c.name}{year}年度客户档案",
                retention,
                secrecy.value if secrecy else None,
                date(year, 12, 31) if secrecy else None,
                FONDS,
                CATEGORY,
                volume_no,
                marking if secrecy in MARKED_LEVELS else "",
                1,
                pages,
                now_text,
            )
        )
        volume, item = chunk.volumes[-1], chunk.items[-1]
        chunk.volume_fts.append(
            catalogue_search.volume_entry(cid, volume[1], volume[4], volume[11])
        )
        chunk.item_fts.append(catalogue_search.item_entry(cid, item[5], item[3], item[4], item[14]))
        if len(chunk.customers) >= chunk_size:
            yield chunk.sorted()
            chunk = Chunk()
    if chunk.customers:
        yield chunk.sorted()


def _work(
    count: int, protection: Protection, now_text: str, chunk_size: int, out: Any, stop: Any
) -> None:  # pragma: no cover - runs in the worker process (tested through load_customers)
    """Worker process body: put chunks on ``out``, then ``None``; an error as its text."""
    try:
        for chunk in make_chunks(count, protection, now_text, chunk_size):
            while True:
                if stop.is_set():
                    return
                try:
                    out.put(chunk, timeout=0.5)
                    break
                except queue.Full:
                    continue
        out.put(None)
    except Exception as exc:
        out.put(f"{type(exc).__name__}: {exc}")


def _from_worker(
    count: int, protection: Protection, now_text: str, chunk_size: int
) -> Iterator[Chunk]:
    """Chunks computed by a worker process (spawned: nothing of this process is shared)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue(maxsize=4)
    stop = ctx.Event()
    worker = ctx.Process(
        target=_work,
        args=(count, protection, now_text, chunk_size, out, stop),
        name="demo-generator",
    )
    worker.daemon = True
    worker.start()
    try:
        while True:
            try:
                item = out.get(timeout=1.0)
            except queue.Empty:
                if not worker.is_alive():
                    raise RuntimeError("demo generator process ended unexpectedly") from None
                continue
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"demo generator failed: {item}")
            yield item
    finally:
        stop.set()
        worker.join(timeout=10)
        if worker.is_alive():
            worker.terminate()


Progress = Callable[[int, int], None]


def load_customers(
    store: Any,
    now: datetime,
    count: int,
    progress: Progress | None = None,
    *,
    parallel: bool | None = None,
    chunk_size: int = CHUNK,
    catalogue: bool = True,
) -> int:
    """Write ``count`` generated customers into the new database ``store``; return the last id.

    Phones, status history, one volume each and the search index entries come with them.
    """
    engine = store.engine
    date_time = DateTime(timezone=True).dialect_impl(engine.dialect)
    to_text = date_time.bind_processor(engine.dialect)
    now_text = str(to_text(now) if to_text else now)
    protection = Protection(store.blind_index, store.vault.wrapper(), catalogue)
    if parallel is None:
        parallel = count >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
    chunks = (
        _from_worker(count, protection, now_text, chunk_size)
        if parallel
        else make_chunks(count, protection, now_text, chunk_size)
    )
    statements = (
        (_insert_sql("customer", CUSTOMER_COLUMNS), "customers"),
        (_insert_sql("customer_phone", PHONE_COLUMNS), "phones"),
        (_insert_sql("customer_status_change", HISTORY_COLUMNS), "history"),
        (_insert_sql("volume", VOLUME_COLUMNS), "volumes"),
        (_insert_sql("archive_item", ITEM_COLUMNS), "items"),
    )
    done = 0
    with bulk.bulk_load(engine, TABLES, SORTED_COLUMNS) as writer:
        cursor = writer.cursor
        for chunk in chunks:
            store.vault.store_wrapped(chunk.keys, now)  # durable before the rows using them
            for sql, attr in statements:
                cursor.executemany(sql, getattr(chunk, attr))
            writer.write_index(chunk.index)
            if writer.embedded:  # the catalogue search index: FTS5 here, pg_trgm on a server
                cursor.executemany(catalogue_search.INSERT_VOLUME, chunk.volume_fts)
                cursor.executemany(catalogue_search.INSERT_ITEM, chunk.item_fts)
            elif isinstance(writer, bulk.PgBulkWriter):
                catalogue_search_pg.insert_volume_entries(writer.connection, chunk.volume_fts)
                catalogue_search_pg.insert_item_entries(writer.connection, chunk.item_fts)
            done += len(chunk.customers)
            if done % COMMIT_EVERY < chunk_size:
                writer.commit()
            if progress:
                progress(done, count)
    _store_counters(engine, count)
    _store_consents(engine, now)
    return done


def _store_consents(engine: Any, now: datetime) -> None:
    """Every generated customer gets a written consent for 合同履行 and 客户服务 (R4, issue 18).

    One customer in seven also agreed to 营销, one in eleven to 对外提供; the consent runs five
    years. Those whose only volume is a 定期10年 one already past its retention
    signed six years ago for five years: their storage period has ended, so the 到期处理 queue
    has something to show.
    """
    given = now.astimezone().date()
    until = given.replace(year=given.year + 5)
    old_given = given.replace(year=given.year - 6)
    old_until = given.replace(year=given.year - 1)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customer_consent (customer_id, kind, basis, method, given_on, "
                "valid_until, note, form_sha256, created_at) SELECT id, 'consent', '', "
                "'written', :given, :until, '', '', :now FROM customer"
            ),
            {"given": given, "until": until, "now": now},
        )
        conn.execute(
            text(
                "UPDATE customer_consent SET given_on = :old_given, valid_until = :old_until "
                "WHERE customer_id IN (SELECT customer_id FROM volume "
                "WHERE retention = 'D10' AND year < :cut)"
            ),
            {"old_given": old_given, "old_until": old_until, "cut": given.year - 10},
        )
        for purpose, every in (("合同履行", 1), ("客户服务", 1), ("营销", 7), ("对外提供", 11)):
            conn.execute(
                text(
                    "INSERT INTO consent_purpose (consent_id, purpose) "
                    "SELECT id, :purpose FROM customer_consent WHERE customer_id % :every = 0"
                ),
                {"purpose": purpose, "every": every},
            )


def _store_counters(engine: Any, count: int) -> None:
    """Record the last 卷号 of every scope, so volumes filed later continue the numbering."""
    pattern = pattern_for(count)
    with engine.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT year, retention, max(number) FROM volume GROUP BY year, retention"
        ).all()
        if not rows:
            return
        conn.execute(
            text("INSERT INTO reference_counter (scope, last) VALUES (:scope, :last)"),
            [
                {
                    "scope": refs.scope(pattern, refs.ReferenceValues(FONDS, CATEGORY, y, r)),
                    "last": int(n),
                }
                for y, r, n in rows
            ],
        )
