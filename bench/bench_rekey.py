"""Key rotation on a (large demo) database, and the cost of SQLCipher's memory security.

Run: python bench/bench_rekey.py --db /tmp/large/large.db [--memory-rounds 3]
     (build the database first: ``archive-room demo --db /tmp/large/large.db --size large``;
     the database is re-encrypted in place — use a copy you can lose)

* rotation: ``services.keys.rotate_data_key`` signed in as the demo administrator (alone):
  keyring re-sealed, the vault's customer keys re-wrapped in one transaction, the vault file and
  then the database file re-keyed with ``PRAGMA rekey``; the time of each stage from the progress
  callback, and the whole;
* afterwards: sign-in with the new key, one customer's protected values read back;
* memory security: the same work with ``cipher_memory_security`` ON and OFF, alternating, each
  round in a new process —
  sign-in end to end, a full scan of the customer table (every page decrypted), 200 write
  transactions with their audit entries.

Prints Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from app.clock import SystemClock
from app.demo import DEMO_ADMIN, DEMO_PASSWORD
from app.security.process import protect_memory
from app.services.auth import sign_in, sign_out
from app.services.keys import rotate_data_key
from app.storage import engine as engine_module
from app.storage.location import DatabaseLocation

MB = 1_000_000


def _size(path: Path) -> str:
    return f"{path.stat().st_size / MB:,.0f} MB"


def rotation(location: DatabaseLocation) -> list[tuple[str, str]]:
    """Rotate once; return table rows."""
    clock = SystemClock()
    db = location.sqlite_path
    vault = db.with_name(db.name + ".vault")
    rows = [("database file", _size(db)), ("vault file", _size(vault))]
    session = sign_in(
        location=location, username=DEMO_ADMIN.username, password=DEMO_PASSWORD, clock=clock
    )
    marks: dict[str, float] = {}
    total_keys = [0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(f"{stage}:first", now)
        marks[f"{stage}:last"] = now
        if stage == "vault":
            total_keys[0] = total
        if stage == "database" and done == 0:
            marks["database:start"] = now

    try:
        start = time.perf_counter()
        report = rotate_data_key(session=session, clock=clock, reason="manual", progress=progress)
        end = time.perf_counter()
    finally:
        sign_out(session=session, clock=clock)
    rewrap = marks.get("vault:last", start) - start
    vault_rekey = marks.get("database:start", end) - marks.get("vault:last", start)
    db_rekey = marks.get("database:last", end) - marks.get("database:start", end)
    rows += [
        (
            f"re-wrap {total_keys[0]:,} customer keys in the vault (one transaction)",
            f"{rewrap:.1f} s",
        ),
        ("re-key the vault file (`PRAGMA rekey`, WAL folded)", f"{vault_rekey:.1f} s"),
        ("re-key the database file (`PRAGMA rekey`, WAL folded)", f"{db_rekey:.1f} s"),
        ("**whole rotation** (keyring, vault, database, keyring)", f"**{end - start:.1f} s**"),
        ("key version after", str(report.key_version)),
    ]
    t0 = time.perf_counter()
    again = sign_in(
        location=location, username=DEMO_ADMIN.username, password=DEMO_PASSWORD, clock=clock
    )
    rows.append(
        ("sign-in with the new key afterwards", f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    )
    sign_out(session=again, clock=clock)
    return rows


def _memory_round(location: DatabaseLocation) -> tuple[float, float, float]:
    clock = SystemClock()
    t0 = time.perf_counter()
    session = sign_in(
        location=location, username=DEMO_ADMIN.username, password=DEMO_PASSWORD, clock=clock
    )
    signin = time.perf_counter() - t0
    try:
        with session.store.engine.connect() as conn:
            t0 = time.perf_counter()
            conn.execute(text("SELECT count(*), sum(length(id_number_enc)) FROM customer")).one()
            scan = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(200):
            with session.uow(clock) as uow:
                uow.audit.record("bench.write", object_type="bench")
                uow.commit()
        writes = (time.perf_counter() - t0) / 200
    finally:
        sign_out(session=session, clock=clock)
    return signin, scan, writes


def memory_security(location: DatabaseLocation, rounds: int) -> list[tuple[str, str, str, str]]:
    """ON/OFF alternating, each round in a new process (the setting is process-wide and sticky)."""
    results: dict[bool, list[list[float]]] = {True: [], False: []}
    for _ in range(rounds):
        for on in (False, True):
            done = subprocess.run(
                [sys.executable, __file__, "--db", str(location.sqlite_path), "--memory-round"]
                + (["on"] if on else ["off"]),
                capture_output=True,
                text=True,
                check=True,
            )
            results[on].append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = []
    names = (
        "sign-in end to end",
        "full scan of the customer table (every page decrypted)",
        "one write transaction with its audit entry",
    )
    units = ((1000, "ms"), (1, "s"), (1000, "ms"))
    for i, name in enumerate(names):
        scale, label = units[i]
        off = statistics.median(r[i] for r in results[False]) * scale
        on = statistics.median(r[i] for r in results[True]) * scale
        cost = f"{(on / off - 1) * 100:+.0f} %"
        out.append((name, f"{off:.2f} {label}", f"{on:.2f} {label}", cost))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--memory-rounds", type=int, default=3)
    parser.add_argument("--skip-rotation", action="store_true")
    parser.add_argument("--memory-round", choices=["on", "off"])
    args = parser.parse_args()
    location = DatabaseLocation.parse(args.db)
    if args.memory_round:
        if args.memory_round == "on":
            engine_module.enable_memory_security()
        print(json.dumps(_memory_round(location)))
        return
    if not args.skip_rotation:
        protect_memory()  # as in the program (ui.launch.harden)
        print("| measure | result |\n|---|---|")
        for name, value in rotation(location):
            print(f"| {name} | {value} |")
        print()
    if args.memory_rounds:
        print("| measure (median) | memory security OFF | ON | cost |\n|---|---|---|---|")
        for row in memory_security(location, args.memory_rounds):
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
