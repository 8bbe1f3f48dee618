"""Backup and verify of a (large demo) database beside bare disk figures measured in the same run.

Run: python bench/bench_backup.py --db /tmp/large/large.db [--target DIR] [--rounds 2]
     (build the database first: ``archive-room demo --db /tmp/large/large.db --size large``)

* bare copy: the database file and its vault read and written in 4 MiB blocks, fsync, page
  cache of the written file dropped — the disk's sequential copy speed;
* backup: ``services.backup.run_backup`` on the signed-in store: snapshot copy of the database,
  vault, keyring and files with SHA-256 on the way, manifest and tag (the "copy" phase), then the
  read-back verification of every file (reported separately, and both together);
* read once: every file of the backup read once with the page cache dropped first (no hashing);
* verify: ``services.backup.verify_backup`` of that backup, page cache dropped first;
* for comparison, SQLite's online backup API (``sqlite3_backup`` through sqlcipher3), which
  decrypts and re-encrypts every page.

Rounds alternate (bare, backup, bare, backup …); medians are compared. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.backup import run_backup, verify_backup
from app.storage import backup as storage
from app.storage.location import DatabaseLocation

MB = 1_000_000


def drop_cache(path: Path) -> None:
    """Forget cached pages of ``path`` (so the next read comes from the disk)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def bare_copy(files: list[Path], out: Path) -> float:
    """Copy ``files`` into ``out`` in 4 MiB blocks with fsync; return seconds."""
    out.mkdir()
    start = time.perf_counter()
    for f in files:
        with f.open("rb") as r, (out / f.name).open("wb") as w:
            while buf := r.read(storage.CHUNK):
                w.write(buf)
            w.flush()
            os.fsync(w.fileno())
            os.posix_fadvise(w.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return time.perf_counter() - start


def read_once(folder: Path) -> float:
    """Read every file under ``folder`` once, page cache dropped first; return seconds."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    for f in files:
        drop_cache(f)
    start = time.perf_counter()
    for f in files:
        with f.open("rb") as r:
            while r.read(storage.CHUNK):
                pass
    return time.perf_counter() - start


def online_backup_api(db: Path, key: bytes, out: Path) -> float:
    """SQLite's online backup API into a new SQLCipher file; return seconds."""
    src = storage._connect(db, key)
    dst = storage._connect(out, key)
    dst.execute("PRAGMA journal_mode = OFF")
    dst.execute("PRAGMA synchronous = OFF")
    start = time.perf_counter()
    src.backup(dst, pages=-1)
    dst.close()
    fd = os.open(out, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    elapsed = time.perf_counter() - start
    src.close()
    return elapsed


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--target", default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    location = DatabaseLocation.parse(args.db)
    db = location.sqlite_path
    clock = SystemClock()
    work = Path(args.target or tempfile.mkdtemp(prefix="bench-backup-", dir=db.parent))
    session = sign_in(location=location, username="admin", password=DEMO_PASSWORD, clock=clock)
    sources = [db, db.with_name(db.name + ".vault")]
    size = sum(p.stat().st_size for p in sources)
    bare, copy_s, verify_in_backup, read_s, verify_s, totals = [], [], [], [], [], []
    try:
        for n in range(args.rounds):
            for p in sources:
                drop_cache(p)
            bare.append(bare_copy(sources, work / f"bare-{n}"))
            shutil.rmtree(work / f"bare-{n}")
            for p in sources:
                drop_cache(p)
            report = run_backup(session=session, clock=clock, target=work / "backups")
            totals.append(report.total_bytes)
            copy_s.append(report.seconds_copy)
            verify_in_backup.append(report.seconds_verify)
            folder = Path(report.path)
            read_s.append(read_once(folder))
            for p in folder.rglob("*"):
                if p.is_file():
                    drop_cache(p)
            start = time.perf_counter()
            assert verify_backup(session=session, clock=clock, path=folder).ok
            verify_s.append(time.perf_counter() - start)
            shutil.rmtree(folder)
        api = None
        if not args.skip_api:
            api = online_backup_api(db, session.store.data_key, work / "api.db")
            (work / "api.db").unlink()
    finally:
        sign_out(session=session, clock=clock)
    med = statistics.median
    total = med(totals)
    bare_rate = size / med(bare) / MB
    backup_rate = total / med(copy_s) / MB
    both_rate = total / (med(copy_s) + med(verify_in_backup)) / MB
    print(
        f"database + vault: {size / MB:,.0f} MB; backup folder {total / MB:,.0f} MB; "
        f"{args.rounds} rounds, medians\n"
    )
    print("| step | time | rate | vs bare copy |")
    print("|---|---:|---:|---:|")
    print(f"| bare sequential copy (fsync) | {med(bare):.1f} s | {bare_rate:,.0f} MB/s | 100 % |")
    print(
        f"| backup: snapshot copy + SHA-256 + manifest | {med(copy_s):.1f} s | "
        f"{backup_rate:,.0f} MB/s | {backup_rate / bare_rate:.0%} |"
    )
    print(
        f"| backup incl. read-back verification | {med(copy_s) + med(verify_in_backup):.1f} s | "
        f"{both_rate:,.0f} MB/s | {both_rate / bare_rate:.0%} |"
    )
    if api is not None:
        api_rate = db.stat().st_size / api / MB
        print(
            f"| (SQLite online backup API, database only) | {api:.1f} s | {api_rate:,.0f} MB/s | "
            f"{api_rate / bare_rate:.0%} |"
        )
    print(
        f"| read the backup once (cache dropped) | {med(read_s):.1f} s | "
        f"{total / med(read_s) / MB:,.0f} MB/s | |"
    )
    print(
        f"| verify (every SHA-256 + tag, cache dropped) | {med(verify_s):.1f} s | "
        f"{total / med(verify_s) / MB:,.0f} MB/s | verify / read once = "
        f"{med(verify_s) / med(read_s):.2f} |"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
