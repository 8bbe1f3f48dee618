"""Printing: a 卷内目录 of 500 items beside a bare ReportLab table of the same 500 rows.

Run: python bench/bench_printing.py   (prints a Markdown table for docs/performance.md)

The form: page template (header, secrecy mark, footer with 第 x 页 / 共 y 页), the volume's
header block on every page, 7 columns, long titles wrapped in their cells, markings in 备注.
The bare baseline: ReportLab's SimpleDocTemplate with one Table of the same 500 rows as plain
strings in the same embedded CJK font, column headings repeated, a grid, nothing else.
Both run in this process; the first render (ReportLab import, font registration) is reported
apart from the warm median.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.catalogue import Retention, Secrecy, SecrecyLevel
from app.printing.catalogue_forms import (
    COLUMN_MM,
    COLUMNS,
    ItemLine,
    VolumeCatalogueSheet,
    format_item_date,
    format_pages,
    item_remarks,
    render_volume_catalogue,
)
from tests.catalogue_lines import running_pages

ROWS = 500
REPEAT = 7
LONG_TITLE = (
    "关于华东示范贸易有限公司与上海某某实业有限公司签订年度经销合同、补充协议、"
    "对账单及往来函件的汇总说明"
)


def items() -> list[ItemLine]:
    pages = running_pages(1 + seq % 4 for seq in range(1, ROWS + 1))
    return [
        ItemLine(
            seq=seq,
            doc_number=f"华示贸〔2025〕{seq}号",
            author="华东示范贸易有限公司" if seq % 3 else "客服部",
            title=LONG_TITLE if seq % 7 == 3 else f"客户往来函件第{seq}号",
            date=date(2025, 1, 1) + timedelta(days=seq % 365),
            page_from=first,
            page_to=last,
            remarks="原件" if seq % 5 == 0 else "",
            secrecy=Secrecy(SecrecyLevel.CONFIDENTIAL, 20, date(2025, 1, 1))
            if seq % 50 == 17
            else Secrecy(),
        )
        for seq, (first, last) in enumerate(pages, start=1)
    ]


def sheet(lines: list[ItemLine]) -> VolumeCatalogueSheet:
    return VolumeCatalogueSheet(
        reference_code="Z001-KH-2025-Y-0001",
        title="华东示范贸易有限公司2025年度客户档案（合同、往来函件、身份证明材料）",
        retention=Retention.PERMANENT,
        secrecy=Secrecy(SecrecyLevel.CONFIDENTIAL, 20, date(2025, 1, 1)),
        organisation="华东示范贸易有限公司",
        printed_by="王建国",
        printed_by_username="archivist",
        printed_at=datetime.now(UTC),
        items=lines,
    )


def bare(lines: list[ItemLine]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from app.printing.base import FONT, register_fonts

    register_fonts()
    data = [list(COLUMNS)] + [
        [
            str(i.seq),
            i.doc_number,
            i.author,
            i.title,
            format_item_date(i.date),
            format_pages(i.page_from, i.page_to),
            item_remarks(i),
        ]
        for i in lines
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    table = Table(data, colWidths=[w * mm for w in COLUMN_MM], repeatRows=1)
    table.setStyle(
        TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("GRID", (0, 0), (-1, -1), 0.5, "black")])
    )
    doc.build([table])
    return buffer.getvalue()


def pages(data: bytes) -> int:
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")


def measure(fn, repeat: int) -> tuple[float, float, bytes]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    data = fn()
    first = time.perf_counter() - start
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        data = fn()
        samples.append(time.perf_counter() - start)
    return first, statistics.median(samples), data


def main() -> None:
    lines = items()
    form_first, form, form_pdf = measure(lambda: render_volume_catalogue(sheet(lines)), REPEAT)
    bare_first, bare_t, bare_pdf = measure(lambda: bare(lines), REPEAT)
    print("| measure | result | goal |\n|---|---|---|")
    print(
        f"| bare ReportLab table, {ROWS} rows (baseline) | {bare_t * 1000:.0f} ms "
        f"({pages(bare_pdf)} pages, {len(bare_pdf) // 1024} KiB) | — |"
    )
    print(
        f"| 卷内目录, {ROWS} items | {form * 1000:.0f} ms ({pages(form_pdf)} pages, "
        f"{len(form_pdf) // 1024} KiB; {form / bare_t:.1f}× the baseline) | ≤ 700 ms |"
    )
    print(
        f"| first render in a fresh process (ReportLab import, font) | form "
        f"{form_first * 1000:.0f} ms, bare {bare_first * 1000:.0f} ms | — |"
    )


if __name__ == "__main__":
    main()
