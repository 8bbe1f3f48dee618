"""Electronic files: attaching a 100 MB file beside a bare SHA-256 + AES-GCM + write of it.

Run: python bench/bench_files.py [--mb 100] [--rounds 3]   (prints a Markdown table)

Both paths read the same source file (in the page cache after the first round) in 1 MiB chunks:

* bare: SHA-256 of each chunk, AES-256-GCM with a fresh nonce, write to a plain file, fsync;
* attach: ``services.item_files.attach_file`` into a fresh encrypted database (type check,
  the same hashing and sealing, the chunks written to one blob file in ``<db>.files/``: temp
  file, fsync, rename, fsync of the folder; then the row and the audit entry commit);
* in-database: the same call with the chunks as ``file_chunk`` rows (the PostgreSQL path), here
  written by SQLCipher in WAL mode, for comparison.

The rounds alternate (bare, attach, bare, attach …) so all see the same machine state; the
medians are compared. Opening (decrypt + fixity) and ``verify_all_files`` are timed too.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.clock import SystemClock
from app.domain.roles import Role
from app.services import catalogue as item_files
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import file_store
from app.services.customers import register_customer
from app.storage import blobs
from app.storage.engine import connect_sqlcipher
from bench._setup import fresh_database
from tests.factories import add_item, potential

PASSWORD = "Bench-Files-Pass-1"


def make_source(path: Path, mb: int) -> None:
    """A PDF header followed by incompressible bytes (the type check reads the header)."""
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        left = mb * 1_000_000 - 15
        while left > 0:
            n = min(left, 1 << 22)
            out.write(os.urandom(n))
            left -= n


def bare(source: Path, target: Path) -> float:
    """SHA-256 + AES-256-GCM + write + fsync, the same chunking as the service."""
    start = time.perf_counter()
    aead = AESGCM(os.urandom(32))
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as out:
        seq = 0
        while chunk := src.read(blobs.CHUNK_SIZE):
            digest.update(chunk)
            nonce = os.urandom(12)
            out.write(nonce + aead.encrypt(nonce, chunk, seq.to_bytes(8, "big")))
            seq += 1
        out.flush()
        os.fsync(out.fileno())
    digest.hexdigest()
    return time.perf_counter() - start


def sqlcipher_floor(source: Path, db: Path) -> float:
    """Only the storage: the same 1 MiB chunks (plain) inserted into a SQLCipher file, WAL,
    synchronous FULL, one transaction; no hashing, no AES-GCM, no ORM (the floor of attach)."""
    conn = connect_sqlcipher(db, os.urandom(32))
    conn.isolation_level = None
    conn.execute("CREATE TABLE c (f INTEGER, s INTEGER, data BLOB, PRIMARY KEY (f, s))")
    start = time.perf_counter()
    conn.execute("BEGIN")
    with source.open("rb") as src:
        seq = 0
        while chunk := src.read(blobs.CHUNK_SIZE):
            conn.execute("INSERT INTO c VALUES (1, ?, ?)", (seq, chunk))
            seq += 1
    conn.execute("COMMIT")
    took = time.perf_counter() - start
    conn.close()
    return took


def fresh_store(folder: Path) -> tuple[SignedIn, int]:
    """A new database with an archivist, a customer, a volume and an item."""
    clock = SystemClock()
    location, admin = fresh_database(folder, clock, PASSWORD, ("lisi", Role.ARCHIVIST))
    sign_out(session=admin, clock=clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    draft = potential(name="张三")
    customer = register_customer(session=session, draft=draft, clock=clock).customer_id
    item_id = add_item(session, clock, customer, title="扫描件")
    return session, item_id


def attach_in_database(db_folder: Path, source: Path) -> float:
    """``attach_file`` with the chunks as ``file_chunk`` rows (the PostgreSQL path)."""
    clock = SystemClock()
    db_folder.mkdir()
    session, item_id = fresh_store(db_folder)
    original = file_store.stores_in_folder
    file_store.stores_in_folder = lambda store: False  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        item_files.attach_file(
            session=session, item_id=item_id, source=source, file_name="a.pdf", clock=clock
        )
        return time.perf_counter() - start
    finally:
        file_store.stores_in_folder = original  # type: ignore[assignment]
        sign_out(session=session, clock=clock)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        folder = Path(tmp)
        source = folder / "source.pdf"
        make_source(source, args.mb)
        size_mb = source.stat().st_size / 1e6
        bare(source, folder / "warm.bin")  # page cache, AES/SHA code paths
        bare_times: list[float] = []
        attach_times: list[float] = []
        open_times: list[float] = []
        verify_times: list[float] = []
        floor_times: list[float] = []
        in_db_times: list[float] = []
        for n in range(args.rounds):
            bare_times.append(bare(source, folder / f"bare-{n}.bin"))
            (folder / f"bare-{n}.bin").unlink()
            floor_times.append(sqlcipher_floor(source, folder / f"floor-{n}.db"))
            db_folder = folder / f"db-{n}"
            db_folder.mkdir()
            session, item_id = fresh_store(db_folder)
            try:
                start = time.perf_counter()
                file_id = item_files.attach_file(
                    session=session,
                    item_id=item_id,
                    source=source,
                    file_name="张三身份证扫描件.pdf",
                    clock=clock,
                )
                attach_times.append(time.perf_counter() - start)
                with open(os.devnull, "wb") as sink:
                    start = time.perf_counter()
                    item_files.open_file(
                        session=session, file_id=file_id, purpose="基准", clock=clock, sink=sink
                    )
                    open_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                result = item_files.verify_all_files(session.store)
                verify_times.append(time.perf_counter() - start)
                assert result.ok and result.checked == 1
                db_size = (db_folder / "archive.db").stat().st_size
                blob_size = sum(
                    p.stat().st_size for p in (db_folder / "archive.db.files").iterdir()
                )
            finally:
                sign_out(session=session, clock=clock)
            in_db_times.append(attach_in_database(folder / f"db-in-{n}", source))
        b, a = statistics.median(bare_times), statistics.median(attach_times)
        o, v = statistics.median(open_times), statistics.median(verify_times)
        f = statistics.median(floor_times)
        d = statistics.median(in_db_times)
        print(
            f"file: {size_mb:.0f} MB, {args.rounds} rounds (medians), "
            f"database {db_size / 1e6:.1f} MB, blob file {blob_size / 1e6:.1f} MB"
        )
        print()
        print("| path | time | throughput |")
        print("|---|---|---|")
        print(
            f"| bare SHA-256 + AES-256-GCM + write + fsync | {b:.2f} s | {size_mb / b:.0f} MB/s |"
        )
        print(
            f"| `attach_file` (blob file in `<db>.files/`, row in one transaction) | {a:.2f} s "
            f"| {size_mb / a:.0f} MB/s |"
        )
        print(f"| attach ÷ bare speed | | **{b / a:.0%}** (goal ≥ 50%) |")
        print(
            f"| `attach_file`, chunks as `file_chunk` rows (PostgreSQL path) on SQLCipher "
            f"| {d:.2f} s | {size_mb / d:.0f} MB/s ({b / d:.0%} of bare) |"
        )
        print(
            f"| storage floor: plain chunks into SQLCipher (WAL, FULL), nothing else | {f:.2f} s "
            f"| {size_mb / f:.0f} MB/s ({b / f:.0%} of bare) |"
        )
        print(f"| `open_file` to a sink (decrypt + fixity) | {o:.2f} s | {size_mb / o:.0f} MB/s |")
        print(f"| `verify_all_files` (one file) | {v:.2f} s | {size_mb / v:.0f} MB/s |")
        print()
        print("all rounds: bare " + ", ".join(f"{t:.2f}" for t in bare_times))
        print("            attach " + ", ".join(f"{t:.2f}" for t in attach_times))
        print("            floor " + ", ".join(f"{t:.2f}" for t in floor_times))
        print("            in-database " + ", ".join(f"{t:.2f}" for t in in_db_times))


if __name__ == "__main__":
    main()
