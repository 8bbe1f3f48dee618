"""Cold start: from launching Python to the sign-in window on screen.

Run: QT_QPA_PLATFORM=offscreen python bench/bench_startup.py /tmp/large.db
Starts a fresh interpreter each time (like a double-click), shows the real SignInDialog and
reports wall time, and which heavy modules were imported before the window appeared.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
from PySide6.QtWidgets import QApplication
from ui.app import prepare_application
from ui.context import AppContext
from ui.dialogs.sign_in import SignInDialog
from app.storage.location import DatabaseLocation
app = QApplication(sys.argv)
prepare_application(app)
dialog = SignInDialog(AppContext(location=DatabaseLocation.parse(sys.argv[1])))
dialog.show()
app.processEvents()
heavy = [m for m in ("reportlab", "pypinyin", "openpyxl", "qrcode", "sqlcipher3", "alembic")
         if m in sys.modules]
print(time.time(), ",".join(heavy))
"""


def main() -> None:
    db = sys.argv[1]
    times = []
    heavy = ""
    for _ in range(5):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, db], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.split()
        times.append((float(out[0]) - start) * 1000)
        heavy = out[1] if len(out) > 1 else "none"
    print("| measure | result |\n|---|---|")
    print(
        f"| cold start to the sign-in window (5 runs) | p50 {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms |"
    )
    print(f"| heavy modules imported by then | {heavy} |")


if __name__ == "__main__":
    main()
