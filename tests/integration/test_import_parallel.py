"""A large customer ledger checked and prepared partly in a worker process (issue 16, speed).

The same ledger imported through the worker process and in the importing process gives the
same customers, the same blind indexes and consents, the same 疑似重复 flags and the same
search entries; a cancelled check or import ends the worker and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app.clock import FixedClock
from app.errors import ImportCancelled
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import (
    PhoneInput,
    register_customer,
    reveal_customer,
    search_customers,
)
from app.services.imports.kinds import bulk, customer_worker
from app.services.imports.kinds import customers as customer_imports
from app.storage import stat_counters
from app.storage.models import (
    ConsentPurpose,
    Customer,
    CustomerBankAccount,
    CustomerConsent,
    CustomerPhone,
    DuplicateFlag,
)
from tests.factories import person
from tests.import_helpers import import_rows, mapped_ledger
from tests.ledgers import mobile, resident_id

ROWS = 5_200  # above customer_worker.PARALLEL_FROM
SHARED_ACCOUNT = "6222 0212 3456 7890 128"


def _ledger(path: Path, rows: int = ROWS, start: int = 0) -> Path:
    """Customers with every kind of value an import writes; some share phones or an account."""
    header = "客户名称,身份证号,联系电话,固定电话,地址,银行账号,开户银行,电子邮箱"
    lines = [header + ",同意日期,同意用途,备注"]
    for n in range(start, start + rows):
        phone = mobile(n % 5_000)  # the last 200 share a phone with the first 200
        land = f"0571-8{n:07d}" if n % 3 == 0 else ""
        account = SHARED_ACCOUNT if n % 1_000 == 7 else ""
        email = f"c{n}@example.com" if n % 11 == 0 else ""
        consent = ("2024-03-01", "签订服务合同") if n % 7 == 0 else ("", "")
        remarks = f"备注{n}" if n % 13 == 0 else ""
        name = f"客户{n}号" if n % 2 else f"张{'伟芳娜敏静'[n % 5]}{n}"
        cells = [name, resident_id(n), phone, land, f"杭州市文三路{n}号", account]
        cells += ["工商银行" if account else "", email, *consent, remarks]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class CountingWorker(customer_worker._Worker):
    """The worker process as it is, counted (so the test knows it ran, and how often)."""

    started = 0

    def __init__(self) -> None:
        CountingWorker.started += 1
        super().__init__()


def _snapshot(session: SignedIn, clock: FixedClock, first: int) -> dict[str, Any]:
    """What an import wrote, by position in the import (ids and numbers aside)."""
    with session.store.new_session() as s:
        customers = [
            (
                c.id - first,
                c.party,
                c.kind,
                c.category,
                c.status,
                c.importance,
                c.name,
                c.gender,
                c.id_type,
                c.id_number_bidx,
                c.consent_date,
                c.consent_purpose,
                c.remarks,
                c.suspected_duplicate,
                c.created_at,
            )
            for c in s.scalars(select(Customer).where(Customer.id >= first).order_by(Customer.id))
        ]
        phones = s.execute(
            select(
                CustomerPhone.customer_id - first,
                CustomerPhone.position,
                CustomerPhone.label,
                CustomerPhone.phone_bidx,
                CustomerPhone.tail_bidx,
            ).order_by(CustomerPhone.customer_id, CustomerPhone.position)
        ).all()
        banks = s.execute(
            select(
                CustomerBankAccount.customer_id - first,
                CustomerBankAccount.bank_name,
                CustomerBankAccount.account_bidx,
            ).order_by(CustomerBankAccount.customer_id)
        ).all()
        consents = s.execute(
            select(
                CustomerConsent.customer_id - first,
                CustomerConsent.kind,
                CustomerConsent.basis,
                CustomerConsent.method,
                CustomerConsent.given_on,
                CustomerConsent.note,
                CustomerConsent.created_at,
            ).order_by(CustomerConsent.customer_id)
        ).all()
        purposes = s.execute(
            select(
                CustomerConsent.customer_id - first,
                ConsentPurpose.purpose,
                ConsentPurpose.withdrawn_on,
            )
            .join(CustomerConsent, CustomerConsent.id == ConsentPurpose.consent_id)
            .order_by(CustomerConsent.customer_id, ConsentPurpose.purpose)
        ).all()
        flags = s.execute(
            select(
                DuplicateFlag.customer_id - first,
                DuplicateFlag.other_customer_id - first,
                DuplicateFlag.reason,
            ).order_by(DuplicateFlag.customer_id, DuplicateFlag.other_customer_id)
        ).all()
    revealed = []
    for position in (0, 7, 77, 1_007, 4_999, 5_007, ROWS - 1):
        detail = reveal_customer(
            session=session, customer_id=first + position, purpose="核对导入", clock=clock
        )
        revealed.append(
            (
                detail.id_number,
                detail.phones,
                detail.addresses,
                detail.bank_accounts,
                detail.email,
                detail.birth_date,
            )
        )
    hits = search_customers(session=session, query="张伟", clock=clock, limit=10_000)
    found = {c.id - first for c in hits.rows}
    return {
        "customers": customers,
        "phones": phones,
        "banks": banks,
        "consents": consents,
        "purposes": purposes,
        "flags": flags,
        "revealed": revealed,
        "search": found,
    }


def test_a_large_ledger_imports_the_same_through_the_worker_process(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_worker.end_worker()
    CountingWorker.started = 0
    monkeypatch.setattr(customer_worker, "_Worker", CountingWorker)
    monkeypatch.setattr(customer_worker.os, "cpu_count", lambda: 2)  # as on the office PCs
    monkeypatch.setattr(customer_worker, "PARALLEL_FROM", 10**9)  # all in this process
    ledger, mapping = mapped_ledger(archivist, clock, _ledger(tmp_path / "big.csv"), "customers")
    here_check = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    here = import_rows(archivist, clock, "customers", ledger, mapping, checked=here_check)
    assert CountingWorker.started == 0
    with archivist.store.new_session() as s:
        first = s.scalar(select(Customer.id).order_by(Customer.id))
    assert first is not None
    assert here.imported == ROWS and here.rechecked_only
    expected = _snapshot(archivist, clock, first)
    imports.undo_import(session=archivist, batch_id=here.batch_id, clock=clock)

    monkeypatch.setattr(customer_worker, "PARALLEL_FROM", 5_000)
    imports.guess_columns(session=archivist, kind="customers", ledger=ledger, clock=clock)
    assert CountingWorker.started == 1  # started while the operator looks at the columns
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    assert [(o.row, o.errors, o.warnings, o.clean) for o in checked.outcomes] == [
        (o.row, o.errors, o.warnings, o.clean) for o in here_check.outcomes
    ]
    there = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert CountingWorker.started == 1  # the check's worker prepared the import too
    assert there.imported == ROWS and there.flagged == here.flagged > 0
    assert [o.flagged for o in there.outcomes] == [o.flagged for o in here.outcomes]
    assert _snapshot(archivist, clock, first) == expected
    customer_worker.end_worker()
    assert multiprocessing.active_children() == []


class CancelAt:
    """A progress sink whose operator presses 取消 once ``at`` rows are reported done."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.cancelled = False

    def report(self, done: int, total: int) -> None:
        if done >= self.at:
            self.cancelled = True

    def is_cancelled(self) -> bool:
        return self.cancelled


def test_a_cancelled_parallel_check_or_import_ends_the_worker_and_leaves_nothing(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_worker.os, "cpu_count", lambda: 2)
    customer_worker.end_worker()
    ledger, mapping = mapped_ledger(archivist, clock, _ledger(tmp_path / "big.csv"), "customers")
    schema = _schema(archivist) if archivist.store.engine.dialect.name == "sqlite" else []
    with pytest.raises(ImportCancelled):
        imports.check_ledger(
            session=archivist,
            kind="customers",
            ledger=ledger,
            mapping=mapping,
            clock=clock,
            progress=CancelAt(2_000),
        )
    assert multiprocessing.active_children() == []  # a cancelled check ends the worker
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    with pytest.raises(ImportCancelled):
        import_rows(
            archivist, clock, "customers", ledger, mapping, checked=checked, progress=CancelAt(1)
        )
    assert multiprocessing.active_children() == []  # so does a cancelled import
    if archivist.store.engine.dialect.name == "sqlite":  # indexes dropped for it are back
        assert _schema(archivist) == schema
    assert archivist.store.vault.count() == 0  # the keys of the chunks written are destroyed
    with archivist.store.new_session() as s:
        assert s.scalar(select(Customer.id)) is None
    # the next import starts a new worker and writes everything
    summary = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert summary.imported == ROWS and archivist.store.vault.count() == ROWS
    customer_worker.end_worker()


class KillWorkerAt(CancelAt):
    """A progress sink that kills the worker process (as the OOM killer would) at ``at`` rows."""

    def report(self, done: int, total: int) -> None:
        kept = customer_worker._shared
        if done >= self.at and not self.cancelled and kept is not None:
            self.cancelled = True  # once
            kept._process.kill()

    def is_cancelled(self) -> bool:
        return False


def _checked_through_worker(
    session: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[imports.Ledger, dict[int, str], Any]:
    """The large ledger read, mapped and checked with a fresh worker process (two cores)."""
    monkeypatch.setattr(customer_worker.os, "cpu_count", lambda: 2)
    customer_worker.end_worker()
    ledger, mapping = mapped_ledger(session, clock, _ledger(tmp_path / "big.csv"), "customers")
    checked = imports.check_ledger(
        session=session, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    return ledger, mapping, checked


def _first_customer(session: SignedIn) -> int:
    """The id of the first customer stored (the import's first)."""
    with session.store.new_session() as s:
        first = s.scalar(select(Customer.id).order_by(Customer.id))
    assert first is not None
    return int(first)


def test_an_import_whose_worker_dies_prepares_the_rest_here_and_writes_the_same(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, mapping, checked = _checked_through_worker(archivist, clock, tmp_path, monkeypatch)
    sink = KillWorkerAt(2_000)
    summary = import_rows(
        archivist, clock, "customers", ledger, mapping, checked=checked, progress=sink
    )
    assert sink.cancelled  # the worker was killed half-way
    assert summary.imported == ROWS and archivist.store.vault.count() == ROWS
    after_death = _snapshot(archivist, clock, _first_customer(archivist))
    assert multiprocessing.active_children() == []
    imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    again = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert again.imported == ROWS
    assert _snapshot(archivist, clock, _first_customer(archivist)) == after_death
    customer_worker.end_worker()


def test_a_chunk_that_cannot_be_sent_to_the_worker_fails_the_import_at_once(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # out of memory while pickling a chunk for the worker: the import fails with that error
    # (the worker ended, nothing written), instead of waiting for an answer never asked for
    ledger, mapping, checked = _checked_through_worker(archivist, clock, tmp_path, monkeypatch)
    plain, calls = customer_worker._plain, []

    def failing(specs: Any) -> Any:
        calls.append(len(specs))
        if len(calls) == 2:
            raise MemoryError
        return plain(specs)

    monkeypatch.setattr(customer_worker, "_plain", failing)
    with pytest.raises(MemoryError):
        import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert multiprocessing.active_children() == []
    assert archivist.store.vault.count() == 0
    with archivist.store.new_session() as s:
        assert s.scalar(select(Customer.id)) is None


@pytest.mark.parametrize("lookup", ["table_read_once", "in_lists"])
def test_a_large_ledger_finds_registered_ids_and_phones_whichever_way_they_are_looked_up(
    archivist: SignedIn,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lookup: str,
) -> None:
    # a first ledger of 600 rows against one registered customer: the customer table is read
    # once and matched in memory; a table larger than the ledger is asked in IN lists
    draft = person(name="登记在册", id_number=resident_id(5), phones=(PhoneInput(mobile(7)),))
    registered = register_customer(session=archivist, draft=draft, clock=clock)
    if lookup == "in_lists":
        monkeypatch.setattr(bulk, "_smaller_than", lambda *_args: False)
    ledger, mapping = mapped_ledger(
        archivist, clock, _ledger(tmp_path / "l.csv", rows=600), "customers"
    )
    with archivist.store.engine.connect() as conn:
        table = Customer.__table__
        assert bulk._smaller_than(conn, table, range(600)) is (lookup == "table_read_once")
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    by_row = {o.row: o for o in checked.outcomes}  # ledger line n + 2 holds customer n
    refused = [e for e in by_row[7].errors if e.reason == "duplicate_id"]
    assert [e.params["number"] for e in refused] == [registered.number]
    shared = [w for w in by_row[9].warnings if w.reason == "duplicate_existing"]
    assert by_row[9].flagged and registered.number in shared[0].params["number"]
    assert sum(1 for o in checked.outcomes if o.errors) == 1  # nobody else
    summary = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert summary.imported == 599  # the registered ID refused again under the write lock


def _schema(session: SignedIn) -> list[tuple[str, str]]:
    """The indexes and triggers of the database, as created."""
    with session.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY name"
        ).all()
    return [(str(name), str(sql)) for name, sql in rows]


def _totals(session: SignedIn) -> tuple[list[Any], list[Any], list[Any]]:
    """The statistics' kept totals, and the same counted afresh (in a transaction undone)."""
    with session.store.engine.connect() as conn:

        def read() -> list[Any]:
            return [
                *conn.exec_driver_sql("SELECT key, n FROM stat_counter ORDER BY key").all(),
                *conn.exec_driver_sql("SELECT hour, key, n FROM stat_hourly ORDER BY 1, 2").all(),
            ]

        with conn.begin() as tx:
            kept = read()
            stat_counters.rebuild(conn)
            counted = read()
            tx.rollback()
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").all()
    return kept, counted, integrity


@pytest.mark.sqlite_only
def test_a_first_large_ledger_builds_its_indexes_after_and_keeps_schema_and_totals(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger large against the customers there are: indexes dropped and built once after,
    the customer count added once; what is left is the schema and totals row by row gives."""
    monkeypatch.setattr(customer_worker, "PARALLEL_FROM", 10**9)  # this process: a quick test
    before = _schema(archivist)
    assert any(name == "ix_customer_classes" for name, _sql in before)
    rebuilt = []
    real = stat_counters.rebuild

    def counting(conn: Any) -> None:
        rebuilt.append(1)
        real(conn)

    monkeypatch.setattr(stat_counters, "rebuild", counting)
    dropped: list[int] = []
    real_drop = customer_imports.indexes_built_after

    def drop(conn: Any, tables: Any) -> Any:
        dropped.append(start)
        return real_drop(conn, tables)

    monkeypatch.setattr(customer_imports, "indexes_built_after", drop)
    for start, rows in ((0, 1_200), (1_200, 1_000), (2_200, 30)):
        ledger, mapping = mapped_ledger(
            archivist, clock, _ledger(tmp_path / f"l{start}.csv", rows, start), "customers"
        )
        summary = import_rows(archivist, clock, "customers", ledger, mapping)
        assert summary.imported == rows
        assert _schema(archivist) == before
        kept, counted, integrity = _totals(archivist)
        assert kept == counted and integrity == [("ok",)]
        assert ("customer", 2_230 if start == 2_200 else start + rows) in kept
    assert dropped == [0]  # the first only: 1,000 rows into 1,200 are faster kept up to date
    assert len(rebuilt) == 3  # only by _totals: the import itself adds, never recounts
    with archivist.store.new_session() as s:  # the indexes answer: a look-up by class
        assert s.scalar(select(func.count()).where(Customer.party == "person")) == 2_230
        plan = s.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM customer WHERE party = 'person'")
        ).all()
    assert "USING" in str(plan) and "INDEX" in str(plan)


@pytest.mark.sqlite_only
def test_a_failed_index_build_leaves_no_row_and_no_key(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vault keys are stored on a thread of their own while the indexes are built: when
    the build fails (a full disk), the import waits for that thread, destroys the keys (R8)
    and rolls back: no customer, no key, the indexes as they were."""
    monkeypatch.setattr(customer_worker, "PARALLEL_FROM", 10**9)  # this process: a quick test
    before = _schema(archivist)
    real_build = customer_imports.indexes_built_after

    @contextlib.contextmanager
    def failing(conn: Any, tables: Any) -> Iterator[None]:
        with real_build(conn, tables):
            yield
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(customer_imports, "indexes_built_after", failing)
    destroyed: list[int] = []
    vault = archivist.store.vault
    real_destroy = vault.destroy

    def destroy(key_ids: Any) -> Any:
        destroyed.append(len(key_ids))
        return real_destroy(key_ids)

    monkeypatch.setattr(vault, "destroy", destroy)
    ledger, mapping = mapped_ledger(
        archivist, clock, _ledger(tmp_path / "l.csv", 1_200), "customers"
    )
    with pytest.raises(OSError):
        import_rows(archivist, clock, "customers", ledger, mapping)
    assert destroyed == [1_200]  # stored by the thread, then destroyed
    assert vault.count() == 0
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
    assert _schema(archivist) == before


def test_what_a_bulk_step_froze_is_collected_again_after_sign_out(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    """gc_paused freezes what is alive at its end (the collector would walk every row again);
    a cycle left by the step must not stay frozen for the rest of the process: a sign-out
    (Store.close) gives it back to the collector."""
    import gc
    import weakref

    from app.services.imports.kinds.base import gc_paused

    class Node:
        other: Any = None

    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        gone = weakref.ref(a)
        del a, b
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert gone() is not None  # frozen: out of the collector's sight
    archivist.store.close()
    assert gc.get_freeze_count() == 0
    assert gone() is None
