"""Labels: 1,000 labels with QR codes to PDF, beside a bare page of 1,000 QR matrices.

Run: python bench/bench_labels.py   (prints a Markdown table for docs/performance.md)

The labels: 1,000 distinct codes (volume, box spine and shelf labels, every 10th 机密), each
with its QR code (``scan_payload``), the code with its check character, year, retention,
secrecy mark and location, auto-shrunk to the label, on the A4 3×8 sheet (42 pages) and on a
60×40 mm thermal roll (1,000 pages). The bare baseline, in the same process: the same 1,000
payloads encoded by the same ``qrcode`` call and drawn as rectangles, all on one page, no text.
For comparison: encoding with qrcode's automatic mask choice, and ReportLab's QR widget (100
codes, scaled to 1,000). Medians of several runs after a first one.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.label_stock import builtin_stock
from app.domain.scan_codes import scan_payload
from app.printing.labels import (
    MM,
    LabelContent,
    LabelKind,
    draw_qr,
    qr_matrix,
    render_labels,
)

COUNT = 1000
REPEAT = 7
GOAL_S = 3.5
GOAL_BYTES = 2 * 1024 * 1024


def labels() -> list[LabelContent]:
    out = []
    for n in range(1, COUNT + 1):
        if n % 3 == 0:
            out.append(
                LabelContent(LabelKind.SHELF, f"K{n % 3 + 1}-{n % 12 + 1:02d}-A-{n % 5}-{n}")
            )
        else:
            out.append(
                LabelContent(
                    LabelKind.BOX_SPINE if n % 3 == 1 else LabelKind.VOLUME,
                    f"Z001-KH·{2000 + n % 25}-Y-{n:04d}",
                    2000 + n % 25,
                    "永久",
                    "机密★20年" if n % 10 == 0 else "",
                    f"K1-{n % 12 + 1:02d}-A-{n % 5 + 1}-{n % 6 + 1}",
                )
            )
    return out


def bare_page(payloads: list[str]) -> bytes:
    """The 1,000 payloads encoded and drawn as rectangles on one A4 page, nothing else."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    side = 7 * MM
    for index, payload in enumerate(payloads):
        row, column = divmod(index, 25)
        draw_qr(canvas, qr_matrix(payload), 10 + column * side, A4[1] - 30 - row * side, side)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def auto_mask(payloads: list[str]) -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    for payload in payloads:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(payload)
        code.make(fit=True)


def widget_page(payloads: list[str]) -> bytes:
    """ReportLab's own QR widget (reportlab.graphics.barcode.qr), one drawing per code."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    for index, payload in enumerate(payloads):
        widget = QrCodeWidget(payload, barLevel="M")
        drawing = Drawing(20 * MM, 20 * MM)
        drawing.add(widget)
        row, column = divmod(index, 10)
        renderPDF.draw(drawing, canvas, 10 + column * 20 * MM, 700 - row * 20 * MM)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def measure(fn: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float, object]:
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return first, statistics.median(samples), result


def pages(data: bytes) -> int:
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")


def main() -> None:
    content = labels()
    payloads = [scan_payload(label.code) for label in content]
    sheet = builtin_stock("a4-3x8")
    roll = builtin_stock("roll-60x40")
    assert sheet is not None and roll is not None
    start = time.perf_counter()
    render_labels(content, sheet)
    first = time.perf_counter() - start
    # alternate the runs so that load from other work on the machine hits all of them alike
    runs: dict[str, list[float]] = {"bare": [], "sheet": [], "roll": []}
    made: dict[str, bytes] = {}
    jobs: dict[str, Callable[[], bytes]] = {
        "bare": lambda: bare_page(payloads),
        "sheet": lambda: render_labels(content, sheet),
        "roll": lambda: render_labels(content, roll),
    }
    for _ in range(REPEAT):
        for name, job in jobs.items():
            start = time.perf_counter()
            made[name] = job()
            runs[name].append(time.perf_counter() - start)
    bare_t, sheet_t, roll_t = (statistics.median(runs[k]) for k in ("bare", "sheet", "roll"))
    bare_pdf, sheet_pdf, roll_pdf = made["bare"], made["sheet"], made["roll"]
    _, fixed_t, _ = measure(lambda: [qr_matrix(p) for p in payloads])
    _, auto_t, _ = measure(lambda: auto_mask(payloads), 1)
    _, widget_t, _ = measure(lambda: widget_page(payloads[:100]), 1)

    def ok(seconds: float, size: int) -> str:
        return "met" if seconds <= GOAL_S and size <= GOAL_BYTES else "NOT met"

    print("| measure | result | goal |\n|---|---|---|")
    print(
        f"| bare: {COUNT} QR matrices encoded and drawn as rectangles on one page (baseline) | "
        f"{bare_t * 1000:.0f} ms, {len(bare_pdf) / 1024:.0f} KiB | — |"
    )
    print(
        f"| {COUNT} labels on A4 3×8 ({pages(sheet_pdf)} pages) | {sheet_t * 1000:.0f} ms "
        f"({sheet_t / bare_t:.1f}× the baseline), {len(sheet_pdf) / 1024:.0f} KiB | "
        f"≤ 3.5 s and ≤ 2 MiB: {ok(sheet_t, len(sheet_pdf))} |"
    )
    print(
        f"| {COUNT} labels on the 60×40 mm roll ({pages(roll_pdf)} pages) | "
        f"{roll_t * 1000:.0f} ms, {len(roll_pdf) / 1024:.0f} KiB | "
        f"≤ 3.5 s and ≤ 2 MiB: {ok(roll_t, len(roll_pdf))} |"
    )
    print(f"| first render in a fresh process (imports, font) | {first * 1000:.0f} ms | — |")
    spread = {k: f"{min(v) * 1000:.0f}–{max(v) * 1000:.0f}" for k, v in runs.items()}
    print(
        f"| spread of the {REPEAT} runs | bare {spread['bare']} ms, sheet {spread['sheet']} ms, "
        f"roll {spread['roll']} ms | — |"
    )
    print(f"| encoding only, fixed mask | {fixed_t * 1000:.0f} ms per {COUNT} | — |")
    print(f"| encoding only, automatic mask choice | {auto_t * 1000:.0f} ms per {COUNT} | — |")
    print(
        f"| ReportLab's QR widget, 100 codes on one page | {widget_t * 1000:.0f} ms "
        f"(≈ {widget_t * 10:.1f} s per {COUNT}) | — |"
    )


if __name__ == "__main__":
    main()
