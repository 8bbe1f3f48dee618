"""Screenshots of the import wizard's reading side (issue 16), offscreen.

Run: ``python scripts/screenshots_import_reading.py``; writes docs/screenshots/
import-reading-*.png: step 2 (encoding, read notes, skipped footers greyed), step 3 (each
column's guess with its confidence) and step 4 (counts with the skipped rows, a garbled name
warned about), from a GB18030 CSV ledger and an .xlsx whose ``<dimension>`` is wrong.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from _shot import grab, start_app, work_dir

from app.clock import SystemClock
from app.services.auth import sign_in
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import PASSWORD, add_archivist
from tests.gui.test_import_wizard_reading import gbk_ledger
from tests.ledgers import customer_rows, write_customer_xlsx
from ui.context import AppContext
from ui.dialogs.import_wizard import ImportWizard


def wrong_dimension(work: Path) -> Path:
    rows = customer_rows(30)
    rows.append(["合计", None, None, None, None, None, None, "30 户"])
    rows.append(["制表人：王五", None, None, None, "制表日期：2024-03-01"])
    written = write_customer_xlsx(work / "written.xlsx", rows)
    out = work / "客户台账（范围声明有误）.xlsx"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:C10"/>', data)
            dst.writestr(info.filename, data)
    return out


def main() -> None:
    app = start_app()
    work = work_dir("archive-room-import-reading-")
    clock = SystemClock()
    location = DatabaseLocation.parse(work / "a.db")
    admin = initialize_database(location=location, request=make_setup_request(), clock=clock)
    add_archivist(admin.session, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    context = AppContext(location=location, clock=clock)
    wizard = ImportWizard(None, context, session, "customers")
    wizard.resize(1100, 700)
    wizard.show()
    wizard.file_page.path.setText(str(gbk_ledger(work / "客户台账.csv")))
    wizard.file_page.load_sheets()
    wizard.next()
    grab(wizard, "import-reading-1-header-encoding")
    wizard.next()
    grab(wizard, "import-reading-2-mapping-confidence")
    wizard.next()
    grab(wizard, "import-reading-3-preview-skipped")
    wizard.close()
    wizard = ImportWizard(None, context, session, "customers")
    wizard.resize(1100, 700)
    wizard.show()
    wizard.file_page.path.setText(str(wrong_dimension(work)))
    wizard.file_page.load_sheets()
    wizard.next()
    wizard.next()
    wizard.next()
    grab(wizard, "import-reading-4-preview-declared-size")
    wizard.close()
    app.quit()


if __name__ == "__main__":
    main()
