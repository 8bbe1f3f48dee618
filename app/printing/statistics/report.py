"""A statistics report on A4 (seed 000 第12条: 统一印刷): release block, charts and tables.

The figures are the report's rows as they are (computed for a draft, frozen for a released
report), so the printout, the workbook and the screen agree cell for cell. A report that is not
released carries the watermark 草稿 — 未经批准不得报发 on every page (``printing.watermark``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from app.domain.statistics import DRAFT_MARK, RELEASE_LABELS, ReleaseInfo, ReleaseState, Report
from app.domain.statistics import cell_text as cell_text
from app.printing.base import report_styles
from app.printing.page import FRAME_W, PageSetup, render_document
from app.printing.statistics.charts import draw_chart
from app.printing.watermark import watermark_pdf

MARKING = "内部"  # counts only: never personal values (R5)


@dataclass(frozen=True)
class StatisticsDocument:
    """What the printed report needs."""

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    report: Report
    release: ReleaseInfo


def release_lines(report: Report, release: ReleaseInfo) -> list[tuple[str, str]]:
    """The block under the title: number, version, state, period, filter, compiler, approvals."""
    state = RELEASE_LABELS.get(ReleaseState(release.state), release.state)
    lines = [
        ("报表编号", release.number or "（发布时编号）"),
        ("版本", f"第 {release.version} 版"),
        ("状态", state if not release.is_draft else f"{state}（{DRAFT_MARK}）"),
        ("统计期间", report.period_text()),
        ("筛选条件", "；".join(f"{k}：{v}" for k, v in report.filters) or "全部"),
        ("编制人", release.compiled_by or "—"),
        (
            "统计时间",
            report.computed_at.replace("T", " ")[:16] + " UTC" if report.computed_at else "—",
        ),
    ]
    if release.approvals:
        lines.append(("审查与批准", "；".join(release.approvals)))
    if release.change_note:
        lines.append(("修改说明", release.change_note))
    return lines


def column_widths(headers: tuple[str, ...]) -> list[float]:
    """The label column wide, the counts even; a 档号 column wide enough for a whole code."""
    if "档号" in headers:
        fixed = {"名次": 0.08, "档号": 0.36}
        rest = (1 - sum(fixed.get(h, 0) for h in headers)) / sum(
            1 for h in headers if h not in fixed
        )
        return [FRAME_W * fixed.get(h, rest) for h in headers]
    first = FRAME_W * (0.4 if len(headers) > 2 else 0.6)
    rest_w = (FRAME_W - first) / max(1, len(headers) - 1)
    return [first] + [rest_w] * (len(headers) - 1)


def render_statistics_report(doc: StatisticsDocument) -> bytes:
    """The report as PDF bytes (watermarked unless released)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    body, small, heading, grey = report_styles("stat_", space_before=8)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = []
    block = [[p(k), p(v)] for k, v in release_lines(doc.report, doc.release)]
    info = Table(block, colWidths=[28 * 2.835, FRAME_W - 28 * 2.835])
    info.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(info)
    for chart in doc.report.charts:
        story.append(Spacer(1, 6))
        story.append(KeepTogether([draw_chart(chart, FRAME_W)]))
    for t in doc.report.tables:
        rows = [[p(h, small) for h in t.headers]]
        rows += [[p(cell_text(c)) for c in r] for r in t.rows]
        if len(rows) == 1:
            rows.append([p("（无）")] + [p("") for _ in t.headers[1:]])
        grid = Table(rows, colWidths=column_widths(t.headers), repeatRows=1)
        style: list[Any] = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if t.rows and t.rows[-1][0] == "合计":
            style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), grey))
        grid.setStyle(TableStyle(style))
        story.append(p(t.title, heading))
        story.append(grid)
    for note in doc.report.notes:
        story.append(Spacer(1, 6))
        story.append(p("说明：" + note, small))
    setup = PageSetup(
        doc.organisation,
        doc.report.title,
        doc.printed_by,
        doc.printed_by_username,
        doc.printed_at,
        MARKING,
    )
    pdf = render_document(setup, story)
    if doc.release.is_draft:
        pdf = watermark_pdf(pdf, DRAFT_MARK)
    return pdf
