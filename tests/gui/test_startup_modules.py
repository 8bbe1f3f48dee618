"""Cold start: the real start path (``ui.launch.main``) up to the sign-in window loads no heavy
module that only later work needs (issue 21, point 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation

ROOT = Path(__file__).resolve().parents[2]

# Runs the application's own start in a fresh interpreter; the sign-in dialog, once on screen,
# reports the modules loaded by then and is cancelled (the app then quits).
PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication, QDialog
from ui.dialogs import sign_in

def shown(self):
    self.show()
    QApplication.processEvents()
    print("LOADED", " ".join(sorted(sys.modules)))
    return QDialog.DialogCode.Rejected

sign_in.SignInDialog.exec = shown
from ui.launch import main
sys.exit(main(["--db", sys.argv[2]]))
"""

# Imported only when used: printing, demo data, pinyin, spreadsheets, migrations, the workspace.
HEAVY = (
    "reportlab",
    "app.demo",
    "app.demo_bulk",
    "pypinyin",
    "openpyxl",
    "python_calamine",
    "alembic",
    "qrcode",
    "pypdfium2",
    "app.printing",
    "ui.main_window",
    "ui.dialogs.setup_wizard",
)


def test_sign_in_window_loads_no_heavy_module(
    admin: SignedIn, location: DatabaseLocation, tmp_path: Path
) -> None:
    db = location.sqlite_path
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), str(db)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stdout.splitlines() if x.startswith("LOADED ")]
    loaded = set(line.split()[1:])
    assert "ui.dialogs.sign_in" in loaded  # the probe really reached the sign-in window
    early = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert early == []
