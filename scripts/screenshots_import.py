"""Screenshots of the import wizard (mapping, preview, summary) and a PDF list export, offscreen.

Run: ``python scripts/screenshots_import.py``; writes docs/screenshots/import-*.png and
export-customers-pdf.png (the PDF's first page through pdftoppm when it is installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.services import exports  # noqa: E402
from app.services.auth import sign_in  # noqa: E402
from app.services.setup import initialize_database  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from tests.conftest import make_setup_request  # noqa: E402
from tests.factories import PASSWORD, add_archivist  # noqa: E402
from tests.ledgers import (  # noqa: E402
    customer_rows,
    full_width,
    mobile,
    resident_id,
    with_bad_check,
    write_customer_xlsx,
)
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.import_wizard import ImportWizard  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> None:
    app = QApplication(sys.argv)
    prepare_application(app)
    work = Path(tempfile.mkdtemp(prefix="archive-room-import-shots-"))
    clock = SystemClock()
    location = DatabaseLocation.parse(work / "a.db")
    admin = initialize_database(location=location, request=make_setup_request(), clock=clock)
    add_archivist(admin.session, clock)
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
    pdf = work / "customers.pdf"
    pdf.write_bytes(data)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(work / "p")],
            check=True,
        )
        page = next(work.glob("p*.png"))
        shutil.copy(page, OUT / "export-customers-pdf.png")
        print("docs/screenshots/export-customers-pdf.png")
    wizard.close()
    app.quit()


if __name__ == "__main__":
    main()
