"""Screenshots of the 统计 page and renders of two reports (a draft, a released one) for docs/.

Run: QT_QPA_PLATFORM=offscreen python scripts/statistics_screenshots.py
(builds the hand-counted archive room of tests/statistics_fixtures.py in a temporary folder)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from app.clock import FixedClock
from app.services.exports import ExportFormat
from app.services.setup import initialize_database
from app.services.statistics import (
    approve_report,
    compile_report,
    compute_report,
    export_report,
    export_stored_report,
    record_distribution,
    submit_report,
)
from app.storage.location import DatabaseLocation
from tests import statistics_fixtures as fx
from tests.conftest import make_setup_request
from tests.loan_helpers import make_desk
from ui.context import AppContext
from ui.pages.statistics import StatisticsPage

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def render(pdf: bytes, name: str, folder: Path) -> None:
    """First page of ``pdf`` as docs/screenshots/<name>.png at 60 dpi."""
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(source), str(folder / name)],
        check=True,
    )
    for page in sorted(folder.glob(f"{name}-*.png")):
        number = page.stem.rsplit("-", 1)[1].lstrip("0")
        page.replace(OUT / f"{name}-{number}.png")


def settle(app: QApplication) -> None:
    """Let layouts and deferred deletions run."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(5):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main() -> None:
    from ui.app import prepare_application

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    prepare_application(app)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clock = FixedClock()
        location = DatabaseLocation.parse(folder / "archive.db")
        admin = initialize_database(
            location=location, request=make_setup_request(), clock=clock
        ).session
        desk = make_desk(admin, location, clock)
        fx.build(desk("lisi"), clock)
        lisi = desk("lisi")
        draft = compute_report(
            session=lisi, kind="use", period_from=fx.PERIOD[0], period_to=fx.PERIOD[1], clock=clock
        )
        render(
            export_report(session=lisi, report=draft, fmt=ExportFormat.PDF, clock=clock),
            "statistics-draft-use",
            folder,
        )
        customers = compute_report(
            session=lisi,
            kind="customers",
            period_from=fx.PERIOD[0],
            period_to=fx.PERIOD[1],
            clock=clock,
        )
        render(
            export_report(session=lisi, report=customers, fmt=ExportFormat.PDF, clock=clock),
            "statistics-draft-customers",
            folder,
        )
        rid = compile_report(
            session=lisi,
            kind="loans",
            period_from=fx.PERIOD[0],
            period_to=fx.PERIOD[1],
            route="other_department",
            requested_by="销售部",
            clock=clock,
        )
        submit_report(session=lisi, report_id=rid, clock=clock)
        for who in ("sup", "manager", "gm"):
            approve_report(session=desk(who), report_id=rid, opinion="同意", clock=clock)
        record_distribution(
            session=lisi,
            report_id=rid,
            recipient="销售部",
            copies=2,
            given_on=fx.TODAY.date(),
            clock=clock,
        )
        render(
            export_stored_report(session=lisi, report_id=rid, fmt=ExportFormat.PDF, clock=clock),
            "statistics-released-loans",
            folder,
        )
        page = StatisticsPage(AppContext(location=location, clock=clock), lisi)
        page.resize(1280, 860)
        page.show()
        page.refresh()
        settle(app)
        page.grab().save(str(OUT / "statistics-overview.png"))
        tab = page.reports["use"]
        page.tabs.setCurrentWidget(tab)
        tab.set_period(*fx.PERIOD)
        tab._show(draft)
        settle(app)
        page.grab().save(str(OUT / "statistics-use.png"))
        tab = page.reports["customers"]
        page.tabs.setCurrentWidget(tab)
        tab.set_period(*fx.PERIOD)
        tab._show(customers)
        settle(app)
        page.grab().save(str(OUT / "statistics-customers.png"))
        assert page.releases is not None
        page.tabs.setCurrentWidget(page.releases)
        page.releases.refresh(select=rid)
        settle(app)
        page.grab().save(str(OUT / "statistics-releases.png"))
        page.close()
        desk.close()
    print("written to", OUT)


if __name__ == "__main__":
    main()
