"""Large-demo build beside a bare baseline, in one process.

Run: python bench/bench_build.py [COUNT]      (default 1,000,000)
Baseline: a bare DB-API ``executemany`` of COUNT rows (id, name, number, 60-byte blob) into a
fresh SQLCipher file with the app's connection settings, one transaction. Then the real build
(``build_demo``: generated customers with keys, encryption, blind indexes and search index).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import demo
from app.clock import SystemClock
from app.storage.engine import connect_sqlcipher
from app.storage.location import DatabaseLocation


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = Path(tempfile.mkdtemp(prefix="bench-build-"))
    conn = connect_sqlcipher(folder / "bare.db", os.urandom(32))
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, number TEXT, blob BLOB)")
    blob = os.urandom(60)
    rows = [(i, "张三丰", f"KH{i:08d}", blob) for i in range(1, count + 1)]
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    bare = time.perf_counter() - start
    conn.close()
    demo.SIZES["bench"] = count
    start = time.perf_counter()
    demo.build_demo(
        location=DatabaseLocation.parse(folder / "customers.db"),
        clock=SystemClock(),
        size="bench",
        catalogue=False,
    )
    customers = time.perf_counter() - start
    start = time.perf_counter()
    demo.build_demo(
        location=DatabaseLocation.parse(folder / "demo.db"), clock=SystemClock(), size="bench"
    )
    build = time.perf_counter() - start
    print("| measure | result |\n|---|---|")
    print(f"| bare executemany of {count:,} rows (baseline) | {bare:.1f} s |")
    print(
        f"| {count:,} customers (keys, encryption, blind indexes, search index, pinyin) "
        f"| {customers:.1f} s |"
    )
    print(f"| the whole demo: + a volume and an item each, catalogue index | {build:.1f} s |")


if __name__ == "__main__":
    main()
