"""Regenerate every screenshot and form render in docs/screenshots/ by running each script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPTS = (
    "screenshots.py",  # main window, customers, catalogue, forms
    "form_screenshots.py",  # printed catalogue forms
    "screenshots_import.py",  # import wizard
    "screenshots_import_reading.py",  # import wizard: encoding, footers, guess confidence
    "location_screenshots.py",  # 库位, shelf list, custody hand-over
    "label_screenshots.py",  # label sheets
    "loan_screenshots.py",  # loan desk and its printed forms
    "loan_routing_screenshots.py",  # routing table editor
    "audit_screenshots.py",  # auditor's page
    "screenshots_backup.py",  # backup dialog
    "audit_seal_screenshots.py",  # the auditor's key dialog and sheet, sealed-trail verification
    "file_copy_screenshots.py",  # copies of 机密 files: refusal, viewer, watermarks
    "screenshots_privacy.py",  # personal data lifecycle: consents, queue, requests, report
    "staff_screenshots.py",  # 人员: staff page, hand-over wizard, printed lists
    "statistics_screenshots.py",  # 统计 page and two report renders (draft, released)
    "guide_screenshots.py",  # operator's guide, home of each role (copies the guide to resources)
)
# Made by GUI tests as they run (the flow they play is the screenshot's state):
#   tests/gui/test_operator_day.py — operator-day-*.png (a day at the desk, step by step)
#   tests/gui/test_disposition_page.py — disposition-*.png, destruction-*.png
#   tests/gui/test_inspections_page.py — inspection-*.png
#   tests/gui/test_import_wizard*.py — import-*.png (the wizard's new steps)


def main() -> int:
    """Run each script offscreen; stop at the first failure."""
    here = Path(__file__).resolve().parent
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(here.parent), env.get("PYTHONPATH")]))
    for name in SCRIPTS:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, str(here / name)], env=env, cwd=here.parent)
        if done.returncode != 0:
            print(f"{name} failed ({done.returncode})", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
