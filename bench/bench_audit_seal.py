"""Sealed audit trail (issue 23): overhead per write, cost of closing an epoch, verification.

Run: python bench/bench_audit_seal.py [--rounds 2000] [--epochs 10000]   (prints Markdown)

* write: a unit of work that changes a setting and records one entry, median ms, alternating
  between a database whose sealing has not started and one whose verification key was issued
  (the difference: reading and decrypting the seal state at each commit);
* recent rows: the recorder's first-record read, the head alone (before issue 23) against the
  newest 50 rows it now reads for the high-water mark of recorded time, same run;
* epoch close: a commit whose entry closes the epoch (a sign-in: seal row, next key, state
  row overwritten with secure_delete, write-ahead log folded) against an ordinary one;
* verification: ``sealing.verify_seals`` over ``--epochs`` synthetic seals (one key evolution
  and one HMAC per epoch; at 100 entries an epoch, 10,000 epochs are 1,000,000 entries).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from app.clock import SystemClock
from app.domain.roles import Role
from app.security import sealing
from app.security.audit import AuditChain
from app.services import users
from app.services.audit import start_audit_sealing
from app.services.auth import SignedIn, sign_in
from app.services.setup import SetupRequest, initialize_database
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry

PASSWORD = "Bench-Seal-Pass-1"


def setup(folder: Path, name: str, *, sealed: bool) -> SignedIn:
    location = DatabaseLocation.parse(folder / f"{name}.db")
    clock = SystemClock()
    result = initialize_database(
        location=location,
        request=SetupRequest(
            organisation_name="基准测试",
            fonds_name="基准测试",
            fonds_code="Z001",
            admin_username="boss",
            admin_display_name="管理员",
            admin_password=PASSWORD,
            admin_password_confirm=PASSWORD,
        ),
        clock=clock,
    )
    users.create_user(
        session=result.session,
        username="reviewer",
        display_name="审计员",
        roles=[Role.AUDITOR],
        approver_title=None,
        password=PASSWORD,
        require_change=False,
        clock=clock,
    )
    if sealed:
        auditor = sign_in(location=location, username="reviewer", password=PASSWORD, clock=clock)
        start_audit_sealing(session=auditor, clock=clock)
    return result.session


def one_write(session: SignedIn, n: int, action: str = "settings.update") -> float:
    clock = SystemClock()
    start = time.perf_counter()
    with session.uow(clock) as uow:
        uow.settings.put("bench_counter", n)
        uow.audit.record(
            action,
            object_type="settings",
            object_id="bench",
            details={"bench_counter": {"before": n - 1, "after": n}},
        )
        uow.commit()
    return (time.perf_counter() - start) * 1000


def write_overhead(plain: SignedIn, sealed: SignedIn, rounds: int) -> tuple[float, float]:
    a: list[float] = []
    b: list[float] = []
    for n in range(rounds):
        a.append(one_write(plain, n))
        b.append(one_write(sealed, n))
    return statistics.median(a), statistics.median(b)


def epoch_close(sealed: SignedIn, rounds: int) -> tuple[float, float]:
    ordinary: list[float] = []
    closing: list[float] = []
    for n in range(rounds):
        ordinary.append(one_write(sealed, n))
        closing.append(one_write(sealed, n, action="auth.sign_in"))  # forces a seal
    return statistics.median(ordinary), statistics.median(closing)


def recent_rows(session: SignedIn, rounds: int) -> tuple[float, float]:
    head_only: list[float] = []
    recent: list[float] = []
    with session.store.new_session() as s:
        for _ in range(rounds):
            start = time.perf_counter()
            s.execute(
                select(AuditEntry.seq, AuditEntry.entry_hash)
                .where(AuditEntry.seq.is_not(None))
                .order_by(AuditEntry.seq.desc())
                .limit(1)
            ).first()
            head_only.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            AuditChain.recent(s)
            recent.append((time.perf_counter() - start) * 1000)
    return statistics.median(head_only), statistics.median(recent)


def verify_epochs(epochs: int) -> float:
    seed = sealing.new_seed()
    key = seed
    seals: list[sealing.SealRow] = []
    hashes: dict[int, bytes] = {}
    for e in range(epochs):
        head = bytes([e % 256]) * 32
        first, last = e * 100 + 1, (e + 1) * 100
        at = "2026-12-07 10:00:00.000000"
        seals.append(
            sealing.SealRow(
                e, first, last, head, at, sealing.seal_mac(key, e, first, last, head, at)
            )
        )
        hashes[last] = head
        key = sealing.evolve(key)
    state = (epochs, key)
    start = time.perf_counter()
    report = sealing.verify_seals(
        seed, seals, state, hashes, first_kept_seq=1, head_seq=epochs * 100
    )
    elapsed = time.perf_counter() - start
    assert report.ok, report.problems
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-seal-"))
    plain = setup(folder, "plain", sealed=False)
    sealed = setup(folder, "sealed", sealed=True)
    for session in (plain, sealed):  # warm up
        for n in range(50):
            one_write(session, n)
    plain_ms, sealed_ms = write_overhead(plain, sealed, args.rounds)
    ordinary_ms, closing_ms = epoch_close(sealed, max(200, args.rounds // 10))
    head_ms, recent_ms = recent_rows(sealed, args.rounds)
    verify_s = verify_epochs(args.epochs)
    print("| measurement | result |")
    print("|---|---|")
    print(f"| write + audit entry, sealing not started | {plain_ms:.2f} ms |")
    print(f"| write + audit entry, sealed trail (state read at commit) | {sealed_ms:.2f} ms |")
    print(f"| sealing overhead per write | {sealed_ms - plain_ms:+.2f} ms |")
    print(f"| first-record read: head only (before) | {head_ms:.3f} ms |")
    print(f"| first-record read: newest 50 rows (head + recorded time) | {recent_ms:.3f} ms |")
    print(f"| commit that closes an epoch (seal, next key, WAL folded) | {closing_ms:.2f} ms |")
    print(f"| ordinary commit in the same run | {ordinary_ms:.2f} ms |")
    print(f"| closing an epoch costs | {closing_ms - ordinary_ms:+.2f} ms |")
    per_million = verify_s * (1_000_000 / 100) / args.epochs
    print(
        f"| verify {args.epochs:,} seals (key evolution + HMAC each) | {verify_s * 1000:.0f} ms |"
    )
    print(f"| the same per 1,000,000 entries (100 an epoch) | {per_million * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
