"""Foundation benchmarks: key derivation, field crypto, audit write cost, demo build rate.

Run: python bench/bench_foundation.py   (prints a Markdown table for docs/performance.md)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD, build_demo
from app.security import crypto
from app.services.auth import sign_in, sign_out
from app.storage.location import DatabaseLocation
from app.storage.models import Setting
from bench._setup import print_table


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    rows: list[tuple[str, str]] = []
    salt = b"s" * 16
    rows.append(
        (
            "Argon2id 64 MiB t=3 p=2 (one sign-in)",
            f"{timed(lambda: crypto.derive_password_key('Pass-word-123', salt), 5) * 1000:.0f} ms",
        )
    )
    cipher = crypto.FieldCipher(crypto.random_key())
    n = 20_000
    start = time.perf_counter()
    for i in range(n):
        blob = cipher.encrypt(
            f"1101011990030{i:05d}", table="customer", column="id_number", row_key=str(i)
        )
        cipher.decrypt(blob, table="customer", column="id_number", row_key=str(i))
    rows.append(
        (
            "field encrypt + decrypt (AES-256-GCM)",
            f"{(time.perf_counter() - start) / n * 1e6:.1f} µs per value",
        )
    )
    index = crypto.BlindIndex(crypto.random_key())
    start = time.perf_counter()
    for i in range(n):
        index.digest("customer.phone", f"+86138{i:08d}")
    rows.append(
        ("blind index (HMAC-SHA256)", f"{(time.perf_counter() - start) / n * 1e6:.1f} µs per value")
    )

    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    location = DatabaseLocation.parse(folder / "bench.db")
    start = time.perf_counter()
    build_demo(location=location, clock=SystemClock(), size="small")
    rows.append(
        ("demo build, small (8 users, 200 customers)", f"{time.perf_counter() - start:.2f} s")
    )
    clock = SystemClock()
    start = time.perf_counter()
    session = sign_in(location=location, username="admin", password=DEMO_PASSWORD, clock=clock)
    rows.append(
        (
            "sign-in end to end (keyring, open, audit)",
            f"{(time.perf_counter() - start) * 1000:.0f} ms",
        )
    )

    def write(with_audit: bool) -> None:
        with session.uow(clock) as uow:
            uow.settings.put("bench", time.time())
            if with_audit:
                uow.audit.record("bench.write", object_type="setting", object_id="bench")
            uow.commit()

    bare = timed(lambda: write(False), 300)
    audited = timed(lambda: write(True), 300)
    rows.append(("one write transaction without audit", f"{bare * 1000:.2f} ms"))
    rows.append(
        (
            "same with its audit entry",
            f"{audited * 1000:.2f} ms (+{(audited - bare) * 1000:.2f} ms)",
        )
    )
    with session.uow(clock) as uow:
        uow.session.query(Setting).filter_by(key="bench").delete()
        uow.commit()
    sign_out(session=session, clock=clock)

    print_table(rows)


if __name__ == "__main__":
    main()
