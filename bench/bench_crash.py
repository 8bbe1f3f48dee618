"""Kill -9 harness at scale: N fork → write → kill → check cycles on one database.

Run: python bench/bench_crash.py [--runs 1000] [--max-delay 0.25]

The same harness as ``tests/integration/test_crash_safety.py`` (200 runs there): a forked
child registers customers, attaches files and writes backups, reporting each write after its
commit; it is killed with SIGKILL at a random moment; the next start must pass SQLite's
integrity check, still hold every confirmed customer and file, and every confirmed backup must
verify. Prints the counts and any problem; exits 1 on a problem.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import crash_harness


def main() -> int:
    """Run the cycles and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--max-delay", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    world = crash_harness.prepare(Path(tempfile.mkdtemp(prefix="bench-crash-")))
    rng = random.Random(args.seed)
    start = time.perf_counter()
    problems: list[str] = []
    for _ in range(args.runs):
        problems += crash_harness.run_once(world, rng, max_delay=args.max_delay)
        if problems:
            break
    elapsed = time.perf_counter() - start
    print(
        f"| {world.runs} kills | {elapsed:.0f} s | {len(world.customers)} customers, "
        f"{len(world.files)} files, {world.backups_confirmed} backups confirmed | "
        f"{world.killed_before_any_write} kills before the first confirmation | "
        f"{'no problem' if not problems else '; '.join(problems[:5])} |"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
