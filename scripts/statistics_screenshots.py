"""Screenshots of the 统计 page and renders of two reports (a draft, a released one) for docs/.

Run: QT_QPA_PLATFORM=offscreen python scripts/statistics_screenshots.py
(builds the hand-counted archive room of tests/statistics_fixtures.py in a temporary folder)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _shot import OUT, fresh_database, start_app
from PySide6.QtWidgets import QApplication

from app.services.exports import ExportFormat
from app.services.statistics import (
    approve_report,
    compile_report,
    compute_report,
    export_report,
    export_stored_report,
    record_distribution,
    submit_report,
)
from tests import statistics_fixtures as fx
from tests.loan_helpers import make_desk
from ui.context import AppContext
from ui.pages.statistics import StatisticsPage


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
    app = start_app()
    folder, clock, location, admin = fresh_database("archive.db")
    desk = make_desk(admin, location, clock)
    fx.build(desk("lisi"), clock)
    lisi = desk("lisi")
    drafts = {}
    for kind in ("use", "customers"):  # two drafts, rendered and shown on their tabs
        drafts[kind] = compute_report(
            session=lisi,
            kind=kind,
            period_from=fx.PERIOD[0],
            period_to=fx.PERIOD[1],
            clock=clock,
        )
        render(
            export_report(session=lisi, report=drafts[kind], fmt=ExportFormat.PDF, clock=clock),
            f"statistics-draft-{kind}",
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
    for kind, draft in drafts.items():
        tab = page.reports[kind]
        page.tabs.setCurrentWidget(tab)
        tab.set_period(*fx.PERIOD)
        tab._show(draft)
        settle(app)
        page.grab().save(str(OUT / f"statistics-{kind}.png"))
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
