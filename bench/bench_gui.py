"""What the operator waits for on the 客户 page, measured on a real (large) demo database.

Run: archive-room demo --db /tmp/large.db --size large
     QT_QPA_PLATFORM=offscreen python bench/bench_gui.py /tmp/large.db
Times run from the call to the painted table (``viewport().repaint()`` paints synchronously),
so they include the service calls, the model and the delegates. Prints a Markdown table.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.storage.location import DatabaseLocation
from bench._setup import name_queries, percentiles, print_table
from ui.app import prepare_application
from ui.context import AppContext
from ui.pages.customers import CustomersPage


def ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p50_p95(values: list[float]) -> str:
    p50, p95 = percentiles(values)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


def rss_now() -> float:
    """Resident memory now (MiB), Linux."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    prepare_application(app)
    location = DatabaseLocation.parse(sys.argv[1])
    clock = SystemClock()
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    typed_queries = name_queries(session, random.Random(1))
    rows: list[tuple[str, str]] = [("customers", f"{typed_queries.total:,}")]
    holder: dict[str, CustomersPage] = {}

    def open_page() -> None:
        page = CustomersPage(AppContext(location=location, clock=clock), session)
        page.resize(1280, 800)
        page.show()
        page.table.viewport().repaint()
        holder["page"] = page

    rows.append(
        (
            "list: first paint (page built, count, both ends read, painted)",
            f"{ms(open_page):.0f} ms",
        )
    )
    page = holder["page"]
    table = page.table

    def bottom() -> None:  # Ctrl+End: select the last row, scroll there, paint
        table.setFocus()
        table.selectRow(page.model.rowCount() - 1)
        table.scrollTo(page.model.index(page.model.rowCount() - 1, 0))
        table.viewport().repaint()

    rows.append(("list: jump to the last row, painted", f"{ms(bottom):.0f} ms"))
    last_shown = page.model.row_at(table.rowAt(table.viewport().height() - 2))
    rows.append(("list: last row shown after the jump", last_shown.number if last_shown else "?"))
    start = time.perf_counter()
    while not page.model.complete:
        app.processEvents()
    fill = (time.perf_counter() - start) * 1000
    rows.append(("list: rest of the row map filled in idle time", f"{fill:.0f} ms"))
    rows.append(("list: ids mapped", f"{page.model.rowCount():,}"))
    rows.append(("memory with the whole list mapped (RSS)", f"{rss_now():.0f} MiB"))
    table.scrollToTop()

    def typed(query: str) -> float:
        page.search.setText(query)  # (the page waits 150 ms after the last key; not counted)
        return ms(lambda: (page.refresh(), table.viewport().repaint()))

    counts: list[str] = []
    for label, queries in (
        ("keystroke to painted results, 3+ characters", typed_queries.three),
        ("same, 1–2 characters", typed_queries.one_two),
        ("same, pinyin", typed_queries.pinyin),
    ):
        times = [typed(q) for q in queries]
        counts.append(page.count_label.text())
        rows.append((label, p50_p95(times)))
    page.search.clear()
    rows.append(
        (
            "back to the whole list (count + both ends), painted",
            f"{ms(lambda: (page.refresh(), table.viewport().repaint())):.0f} ms",
        )
    )
    while not page.model.complete:
        app.processEvents()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("memory after the searches (RSS)", f"{rss_now():.0f} MiB"))
    rows.append(
        ("peak memory of the process (incl. Argon2id's 64 MiB at sign-in)", f"{rss:.0f} MiB")
    )
    page.close()
    page.deleteLater()  # Qt objects go before the interpreter tears down
    holder.clear()
    app.processEvents()
    sign_out(session=session, clock=clock)
    print_table(rows)
    print("\nlast count labels:", " / ".join(counts))


if __name__ == "__main__":
    main()
