"""The hook the installer's smoke test uses (.ci/installer-smoke, issue 22 point 7): started
with ARCHIVE_ROOM_SMOKE_TEST, the GUI reports its first window and leaves with exit code 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_gui_started_for_the_smoke_test_reports_its_first_window_and_leaves(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.launch", "--db", str(tmp_path / "new.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ARCHIVE_ROOM_SMOKE_TEST": "1", "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert "smoke: SetupWizard 「初始设置 - 档案室」" in done.stdout
    assert not (tmp_path / "new.db").exists()  # nothing was set up
