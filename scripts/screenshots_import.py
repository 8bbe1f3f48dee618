"""Screenshots of the import wizard (mapping, preview, summary) and a PDF list export, offscreen.

Run: ``python scripts/screenshots_import.py``; writes docs/screenshots/import-*.png and
export-customers-pdf.png (the PDF's first page through pdftoppm when it is installed).
"""

from __future__ import annotations

import shutil

from _shot import fresh_database, grab, png, start_app

from app.clock import SystemClock
from app.services import exports
from app.services.auth import sign_in
from tests.factories import PASSWORD, add_archivist
from tests.ledgers import (
    customer_rows,
    full_width,
    mobile,
    resident_id,
    with_bad_check,
    write_customer_xlsx,
)
from ui.context import AppContext
from ui.dialogs.import_wizard import ImportWizard


def main() -> None:
    app = start_app()
    work, clock, location, admin = fresh_database("a.db", SystemClock())
    add_archivist(admin, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    rows = customer_rows(40)
    rows.insert(3, [])
    rows.insert(6, [7, "钱多多 ", "个人", full_width(resident_id(500)), full_width(mobile(500))])
    rows.insert(9, [10, "孙错号", "个人", with_bad_check(resident_id(501)), mobile(501)])
    rows.insert(12, [13, "赵重复", "个人", resident_id(0), mobile(502)])
    rows.insert(15, [16, "周错电话", "个人", resident_id(503), "1234"])
    ledger = write_customer_xlsx(work / "客户台账2024.xlsx", rows)
    wizard = ImportWizard(None, AppContext(location=location, clock=clock), session, "customers")
    wizard.resize(1100, 700)
    wizard.show()
    wizard.file_page.path.setText(str(ledger))
    wizard.file_page.load_sheets()
    wizard.next()
    grab(wizard, "import-1-header")
    wizard.next()
    grab(wizard, "import-2-mapping")
    wizard.next()
    wizard.preview_page.mode_valid.setChecked(True)
    grab(wizard, "import-3-preview")
    wizard.rejected_target = work / "未导入的行.xlsx"
    wizard.next()
    grab(wizard, "import-4-summary")
    data = exports.export_customers(
        session=session, purpose="年度盘点", clock=clock, fmt=exports.ExportFormat.PDF
    )
    if shutil.which("pdftoppm"):
        png(data, "export-customers-pdf")
    wizard.close()
    app.quit()


if __name__ == "__main__":
    main()
