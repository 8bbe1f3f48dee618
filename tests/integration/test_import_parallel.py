"""A large customer ledger checked and prepared partly in a worker process (issue 16, speed).

The same ledger imported through the worker process and in the importing process gives the
same customers, the same blind indexes and consents, the same 疑似重复 flags and the same
search entries; a cancelled check or import ends the worker and leaves nothing behind.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.errors import ImportCancelled
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import reveal_customer, search_customers
from app.services.imports.kinds import customer_worker
from app.storage.models import (
    ConsentPurpose,
    Customer,
    CustomerBankAccount,
    CustomerConsent,
    CustomerPhone,
    DuplicateFlag,
)
from tests.import_helpers import import_rows, mapped_ledger
from tests.ledgers import mobile, resident_id

ROWS = 5_200  # above customer_worker.PARALLEL_FROM
SHARED_ACCOUNT = "6222 0212 3456 7890 128"


def _ledger(path: Path, rows: int = ROWS) -> Path:
    """Customers with every kind of value an import writes; some share phones or an account."""
    header = "客户名称,身份证号,联系电话,固定电话,地址,银行账号,开户银行,电子邮箱"
    lines = [header + ",同意日期,同意用途,备注"]
    for n in range(rows):
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
    assert archivist.store.vault.count() == 0  # the keys of the chunks written are destroyed
    with archivist.store.new_session() as s:
        assert s.scalar(select(Customer.id)) is None
    # the next import starts a new worker and writes everything
    summary = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert summary.imported == ROWS and archivist.store.vault.count() == ROWS
    customer_worker.end_worker()
