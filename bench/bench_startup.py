"""Cold start: from launching Python to the sign-in window on screen.

Run: QT_QPA_PLATFORM=offscreen python bench/bench_startup.py [DB] [RUNS]
Starts a fresh interpreter each time (like a double-click) and runs the application's own start
(``ui.launch.main``: command line, logging, fonts, Qt translations, the database check) up to the
real SignInDialog on screen; reports wall time (p50 and max over RUNS, default 15) and which heavy
modules were imported before the window appeared. Without DB a new database is made first.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication, QDialog
from ui.dialogs import sign_in

def shown(self):
    self.show()
    QApplication.processEvents()
    heavy = [m for m in ("reportlab", "app.demo", "pypinyin", "openpyxl", "alembic", "qrcode",
                         "pypdfium2", "ui.main_window") if m in sys.modules]
    print("SHOWN", time.time(), ",".join(heavy) or "none")
    return QDialog.DialogCode.Rejected

sign_in.SignInDialog.exec = shown
from ui.launch import main
sys.exit(main(["--db", sys.argv[2]]))
"""


def _new_database(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from app.clock import SystemClock
    from app.services.auth import sign_out
    from app.services.setup import initialize_database
    from app.storage.location import DatabaseLocation
    from tests.conftest import make_setup_request  # the database the tests set up

    db = folder / "start.db"
    result = initialize_database(
        location=DatabaseLocation.parse(db), request=make_setup_request(), clock=SystemClock()
    )
    sign_out(session=result.session, clock=SystemClock())
    return db


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    db = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else _new_database(folder)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    times = []
    heavy = ""
    for _ in range(runs):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), str(db)],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            check=True,
        ).stdout.split()
        shown = out.index("SHOWN")
        times.append((float(out[shown + 1]) - start) * 1000)
        heavy = out[shown + 2]
    print("| measure | result |\n|---|---|")
    print(
        f"| cold start to the sign-in window ({runs} runs) | "
        f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms |"
    )
    print(f"| heavy modules imported by then | {heavy} |")


if __name__ == "__main__":
    main()
